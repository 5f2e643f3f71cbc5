/** From a risk level and a safety mode to a decision. Pure; the table is in `src/safety/README.md`. */
import type { Decision, RiskLevel, SafetyMode } from "./types.js";

const DECISION_TABLE: Record<SafetyMode, Record<RiskLevel, Decision>> = {
  strict: { safe: "allow", moderate: "confirm", high: "block", critical: "block" },
  moderate: { safe: "allow", moderate: "allow", high: "confirm", critical: "block" },
  permissive: { safe: "allow", moderate: "allow", high: "allow", critical: "confirm" },
};

const DECISION_RANK: Record<Decision, number> = { allow: 0, confirm: 1, block: 2 };

/**
 * The decision for a level under a mode. strict: moderate→confirm, high/critical→block; moderate (the default):
 * moderate→allow (with a warning), high→confirm, critical→block; permissive: high→allow (with a warning),
 * critical→confirm. Safe is always allowed.
 */
export function decide(level: RiskLevel, mode: SafetyMode): Decision {
  return DECISION_TABLE[mode][level];
}

/** The stricter of two decisions. */
export function stricterDecision(first: Decision, second: Decision): Decision {
  return DECISION_RANK[first] >= DECISION_RANK[second] ? first : second;
}

/**
 * Types of the safety engine's verdicts. They are part of the JSON output contract (`risk` in `cmdai` output,
 * the objects printed by `cmdai check --json`).
 */

/** How dangerous a command is. See the rubric in `src/safety/README.md`. */
export const RISK_LEVELS = ["safe", "moderate", "high", "critical"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** What cmdai does with a command: run it, ask first, or refuse. */
export const DECISIONS = ["allow", "confirm", "block"] as const;
export type Decision = (typeof DECISIONS)[number];

/** How strict the decisions are; `moderate` is the default. */
export const SAFETY_MODES = ["strict", "moderate", "permissive"] as const;
export type SafetyMode = (typeof SAFETY_MODES)[number];

/** One reason behind a verdict, written for a person. */
export interface RiskReason {
  /** Stable rule id, e.g. `rm-recursive-root`. */
  rule: string;
  /** One sentence naming what the command would do to what. */
  message: string;
  /** A safer way to do the same thing, when one exists. */
  saferAlternative?: string;
  /** The level this reason alone would give. */
  level?: RiskLevel;
}

/** The verdict on one command. */
export interface Assessment {
  level: RiskLevel;
  decision: Decision;
  reasons: RiskReason[];
}

/** Numeric rank of a level, for comparisons (safe = 0 … critical = 3). */
export function riskRank(level: RiskLevel): number {
  return RISK_LEVELS.indexOf(level);
}

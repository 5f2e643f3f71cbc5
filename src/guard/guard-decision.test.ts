import { describe, expect, it } from "vitest";
import {
  RISK_LEVELS,
  SAFETY_MODES,
  type Assessment,
  type Decision,
  type RiskLevel,
  type SafetyMode,
} from "../safety/types.js";
import { decide } from "../safety/decide.js";
import {
  describeGuardDecision,
  guardDecision,
  saferAlternativeOf,
  type AgentDecision,
  type GuardPolicy,
} from "./guard-decision.js";

const DEFAULT_POLICY: GuardPolicy = {};

function assessed(level: RiskLevel, mode: SafetyMode, decision: Decision = decide(level, mode)): Assessment {
  return { level, decision, reasons: [] };
}

describe("guardDecision", () => {
  // Every level under every mode, with no [guard] table: allow only what is safe, no decision for moderate,
  // ask for high, deny critical; a stricter mode raises an answer, a laxer one never lowers it.
  const defaults: Record<SafetyMode, Record<RiskLevel, AgentDecision>> = {
    strict: { safe: "allow", moderate: "ask", high: "deny", critical: "deny" },
    moderate: { safe: "allow", moderate: "defer", high: "ask", critical: "deny" },
    permissive: { safe: "allow", moderate: "defer", high: "ask", critical: "deny" },
  };
  const everyDefault = SAFETY_MODES.flatMap((mode) =>
    RISK_LEVELS.map((level) => [mode, level, defaults[mode][level]] as const),
  );
  it.each(everyDefault)("%s mode, %s level → %s", (mode, level, expected) => {
    expect(guardDecision(assessed(level, mode), { mode, policy: DEFAULT_POLICY })).toBe(expected);
  });

  // [mode, level, policy, expected]: [guard] sets a level outright, defer included.
  const table: [SafetyMode, RiskLevel, GuardPolicy, AgentDecision][] = [
    ["moderate", "high", { high: "deny" }, "deny"],
    ["moderate", "high", { high: "allow" }, "allow"],
    ["moderate", "high", { high: "defer" }, "defer"],
    ["moderate", "moderate", { moderate: "ask" }, "ask"],
    ["moderate", "moderate", { moderate: "allow" }, "allow"],
    ["strict", "moderate", { moderate: "defer" }, "defer"],
    ["moderate", "critical", { critical: "ask" }, "ask"],
    ["strict", "safe", { safe: "ask" }, "ask"],
    ["moderate", "safe", { safe: "defer" }, "defer"],
  ];
  it.each(table)("%s mode, %s level, policy %j → %s", (mode, level, policy, expected) => {
    expect(guardDecision(assessed(level, mode), { mode, policy })).toBe(expected);
  });

  it("asks at least when the engine failed closed, whatever the level table says", () => {
    // An unparseable command: level moderate, but the engine (interactive) says confirm.
    const unparseable: Assessment = {
      level: "moderate",
      decision: "confirm",
      reasons: [{ rule: "unparseable", level: "moderate", message: "cannot be parsed" }],
    };
    expect(guardDecision(unparseable, { mode: "moderate", policy: DEFAULT_POLICY })).toBe("ask");
    expect(guardDecision(unparseable, { mode: "moderate", policy: { moderate: "allow" } })).toBe("ask");
    // Same level/decision as the mode gives, but a fail-closed reason: still at least ask.
    const hiddenHigh: Assessment = {
      level: "high",
      decision: "confirm",
      reasons: [{ rule: "unicode-lookalike", level: "moderate", message: "look-alike" }],
    };
    expect(guardDecision(hiddenHigh, { mode: "moderate", policy: { high: "allow" } })).toBe("ask");
    // A stricter policy still wins over the floor.
    expect(guardDecision(unparseable, { mode: "moderate", policy: { moderate: "deny" } })).toBe("deny");
  });

  it("keeps the engine's block when it failed closed non-interactively", () => {
    const blocked: Assessment = { level: "moderate", decision: "block", reasons: [] };
    expect(guardDecision(blocked, { mode: "moderate", policy: DEFAULT_POLICY })).toBe("deny");
  });

  it("lets an allowlisted command through as safe", () => {
    const allowed: Assessment = {
      level: "safe",
      decision: "allow",
      reasons: [{ rule: "allowlist", message: "Allowed by your allowlist entry." }],
    };
    expect(guardDecision(allowed, { mode: "strict", policy: DEFAULT_POLICY })).toBe("allow");
  });
});

describe("describeGuardDecision", () => {
  const assessment: Assessment = {
    level: "critical",
    decision: "block",
    reasons: [
      { rule: "a", level: "critical", message: "Deletes your home." },
      { rule: "b", level: "high", message: "Also bad.", saferAlternative: "name the folder" },
    ],
  };

  it("says what was decided, why, and the safer way", () => {
    const text = describeGuardDecision("deny", assessment);
    expect(text).toContain("blocked this critical-risk command");
    expect(text).toContain("Deletes your home. Also bad.");
    expect(text).toContain("Safer: name the folder.");
    expect(text).toContain("Do not retry it");
    expect(describeGuardDecision("ask", assessment)).toMatch(/^cmdai asks before this critical-risk command/);
    expect(saferAlternativeOf(assessment.reasons)).toBe("name the folder");
  });

  it("says when it leaves the decision to the agent", () => {
    expect(describeGuardDecision("defer", { level: "moderate", decision: "allow", reasons: [] })).toBe(
      "cmdai rates this command moderate and leaves the decision to the agent's own rules.",
    );
  });

  it("describes an allowed command without advice", () => {
    expect(describeGuardDecision("allow", { level: "safe", decision: "allow", reasons: [] })).toBe(
      "cmdai rates this command safe.",
    );
  });
});

import { describe, expect, it } from "vitest";
import type { Assessment, Decision, RiskLevel, SafetyMode } from "../safety/types.js";
import { decide } from "../safety/decide.js";
import {
  describeGuardDecision,
  guardDecision,
  saferAlternativeOf,
  type AgentDecision,
  type GuardPolicy,
} from "./guard-decision.js";

const DEFAULT_POLICY: GuardPolicy = { critical: "deny" };

function assessed(level: RiskLevel, mode: SafetyMode, decision: Decision = decide(level, mode)): Assessment {
  return { level, decision, reasons: [] };
}

describe("guardDecision", () => {
  // [mode, level, policy, expected]: levels follow the mode unless [guard] names them; critical defaults to deny.
  const table: [SafetyMode, RiskLevel, GuardPolicy, AgentDecision][] = [
    ["moderate", "safe", DEFAULT_POLICY, "allow"],
    ["moderate", "moderate", DEFAULT_POLICY, "allow"],
    ["moderate", "high", DEFAULT_POLICY, "ask"],
    ["moderate", "critical", DEFAULT_POLICY, "deny"],
    ["strict", "safe", DEFAULT_POLICY, "allow"],
    ["strict", "moderate", DEFAULT_POLICY, "ask"],
    ["strict", "high", DEFAULT_POLICY, "deny"],
    ["strict", "critical", DEFAULT_POLICY, "deny"],
    ["permissive", "high", DEFAULT_POLICY, "allow"],
    ["permissive", "critical", DEFAULT_POLICY, "deny"],
    ["permissive", "critical", {}, "ask"],
    ["moderate", "high", { ...DEFAULT_POLICY, high: "deny" }, "deny"],
    ["moderate", "high", { ...DEFAULT_POLICY, high: "allow" }, "allow"],
    ["moderate", "moderate", { ...DEFAULT_POLICY, moderate: "ask" }, "ask"],
    ["moderate", "critical", { critical: "ask" }, "ask"],
    ["strict", "safe", { safe: "ask" }, "ask"],
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

  it("describes an allowed command without advice", () => {
    expect(describeGuardDecision("allow", { level: "safe", decision: "allow", reasons: [] })).toBe(
      "cmdai rates this command safe.",
    );
  });
});

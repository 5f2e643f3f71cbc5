import { describe, expect, it } from "vitest";
import { decide, stricterDecision } from "./decide.js";
import type { Decision, RiskLevel, SafetyMode } from "./types.js";

const TABLE: [SafetyMode, RiskLevel, Decision][] = [
  ["strict", "safe", "allow"],
  ["strict", "moderate", "confirm"],
  ["strict", "high", "block"],
  ["strict", "critical", "block"],
  ["moderate", "safe", "allow"],
  ["moderate", "moderate", "allow"],
  ["moderate", "high", "confirm"],
  ["moderate", "critical", "block"],
  ["permissive", "safe", "allow"],
  ["permissive", "moderate", "allow"],
  ["permissive", "high", "allow"],
  ["permissive", "critical", "confirm"],
];

describe("decide", () => {
  it.each(TABLE)("%s mode, %s → %s", (mode, level, decision) => {
    expect(decide(level, mode)).toBe(decision);
  });

  it("picks the stricter of two decisions", () => {
    expect(stricterDecision("allow", "confirm")).toBe("confirm");
    expect(stricterDecision("block", "confirm")).toBe("block");
    expect(stricterDecision("allow", "allow")).toBe("allow");
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { createSafetyEngine, type SafetyEngine } from "../safety-engine.js";
import { riskRank } from "../types.js";
import { BUILT_IN_RULES } from "./all-rules.js";
import { scriptRules } from "./network-rules.js";

let engine: SafetyEngine;
beforeAll(async () => {
  engine = await createSafetyEngine();
});

describe("every built-in rule catches its example attack", () => {
  it.each(BUILT_IN_RULES.map((rule) => [rule.id, rule.example, rule.level] as const))(
    "%s: %s",
    (id, example, level) => {
      const assessment = engine.assess(example, { shell: "bash" });
      expect(riskRank(assessment.level)).toBeGreaterThanOrEqual(riskRank(level));
      expect(assessment.reasons.map((reason) => reason.rule)).toContain(id);
    },
  );

  it.each(scriptRules.map((rule) => [rule.id, rule.example] as const))(
    "script rule %s: %s",
    (id, example) => {
      const assessment = engine.assess(example, { shell: "bash" });
      expect(assessment.level).toBe("critical");
      expect(assessment.reasons.map((reason) => reason.rule)).toContain(id);
    },
  );

  it("gives every rule a unique id, a message and an example", () => {
    const ids = BUILT_IN_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of BUILT_IN_RULES) expect(rule.example.length).toBeGreaterThan(0);
  });
});

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BUILT_IN_RULES } from "../safety/rules/all-rules.js";
import { FILE_CHANGING_RULES, fileChangeOf, UNCHECKED_RULES, uncheckedProblemOf } from "./rule-classes.js";

/** Every rule id the engine can report: the rule tables, plus the ids its judges write inline. */
function engineRuleIds(): Set<string> {
  const ids = new Set(BUILT_IN_RULES.map((rule) => rule.id));
  const safety = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "safety");
  const walk = (directory: string): void => {
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
      const file = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
        for (const match of fs.readFileSync(file, "utf8").matchAll(/\b(?:rule|id): "([a-z0-9-]+)"/g)) {
          ids.add(match[1] ?? "");
        }
      }
    }
  };
  walk(safety);
  return ids;
}

describe("rule classes", () => {
  const ids = engineRuleIds();

  it("name only rule ids the safety engine reports", () => {
    expect(ids.size).toBeGreaterThan(80);
    const unknown = [...Object.keys(FILE_CHANGING_RULES), ...Object.keys(UNCHECKED_RULES)].filter(
      (id) => !ids.has(id),
    );
    expect(unknown).toEqual([]);
  });

  it("classify every rule that deletes, moves or changes permissions by its id", () => {
    const deleting = [...ids].filter((id) => /^(rm|chmod|shred|mv)-/.test(id));
    expect(deleting.filter((id) => FILE_CHANGING_RULES[id] === undefined)).toEqual([]);
  });

  it("read the first matching reason", () => {
    const reasons = [
      { rule: "kill-process", message: "Stops processes." },
      { rule: "rm-files", message: "Deletes files." },
      { rule: "unparseable", message: "Cannot be parsed." },
    ];
    expect(fileChangeOf(reasons)).toBe("deletes files");
    expect(uncheckedProblemOf(reasons)).toBe("the command could not be parsed");
    expect(fileChangeOf([{ rule: "kill-process", message: "Stops processes." }])).toBeUndefined();
  });
});

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { readSafetyCorpus } from "../../test/support/safety-corpus.js";
import { DECISIONS, riskRank } from "./types.js";
import { createSafetyEngine, type SafetyEngine } from "./safety-engine.js";

let engines: Record<"strict" | "moderate" | "permissive", SafetyEngine>;
beforeAll(async () => {
  engines = {
    strict: await createSafetyEngine({ mode: "strict" }),
    moderate: await createSafetyEngine({ mode: "moderate" }),
    permissive: await createSafetyEngine({ mode: "permissive" }),
  };
});

const commands = readSafetyCorpus("handwritten.tsv")
  .filter((labelled) => labelled.shell === "bash")
  .map((labelled) => labelled.command);
// A wrapper prefixes one simple command: leave out lists, pipelines and leading assignments, where it would not.
const singleLine = commands.filter((command) => !/[\n';&|()<>`]|^\w+=|\$\(/.test(command));
const WRAPPERS = [
  "sudo ",
  "sudo -u root ",
  "env X=1 ",
  "nice ",
  "nice -n 5 ",
  "timeout 5 ",
  "nohup ",
  "time ",
  "doas ",
];

describe("safety properties", () => {
  it("strict ≥ moderate ≥ permissive for every command", () => {
    fc.assert(
      fc.property(fc.constantFrom(...commands), fc.boolean(), (command, interactive) => {
        const decisions = (["strict", "moderate", "permissive"] as const).map((mode) =>
          DECISIONS.indexOf(engines[mode].assess(command, { shell: "bash", interactive }).decision),
        );
        expect(decisions[0]).toBeGreaterThanOrEqual(decisions[1] ?? 0);
        expect(decisions[1]).toBeGreaterThanOrEqual(decisions[2] ?? 0);
      }),
      { numRuns: 300 },
    );
  });

  it("adding a wrapper never lowers a level", () => {
    fc.assert(
      fc.property(fc.constantFrom(...singleLine), fc.constantFrom(...WRAPPERS), (command, wrapper) => {
        const plain = engines.moderate.assess(command, { shell: "bash" }).level;
        const wrapped = engines.moderate.assess(`${wrapper}${command}`, { shell: "bash" }).level;
        expect(riskRank(wrapped)).toBeGreaterThanOrEqual(riskRank(plain));
      }),
      { numRuns: 400 },
    );
  });

  it("wrapping in bash -c '…' never lowers a level", () => {
    fc.assert(
      fc.property(fc.constantFrom(...singleLine), (command) => {
        const plain = engines.moderate.assess(command, { shell: "bash" }).level;
        const wrapped = engines.moderate.assess(`bash -c '${command}'`, { shell: "bash" }).level;
        expect(riskRank(wrapped)).toBeGreaterThanOrEqual(riskRank(plain));
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.constantFrom("bash", "fish", "powershell", "cmd"),
        (text, shell) => {
          const assessment = engines.moderate.assess(text, { shell });
          expect(DECISIONS).toContain(assessment.decision);
        },
      ),
      { numRuns: 500 },
    );
  });
});

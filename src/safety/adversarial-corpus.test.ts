/**
 * Floors on the adversarial corpus (test/fixtures/safety-adversarial): what each class of issue 14 catches today,
 * so a change that loses ground in one class fails here even when the totals still look fine. The floors sit a
 * little under the measured scores (the closing note of issue 14 has those), never above them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  readAdversarialCorpus,
  type AdversarialRow,
} from "../../test/fixtures/safety-adversarial/read-corpus.js";
import { createSafetyEngine, type SafetyEngine } from "./safety-engine.js";
import { riskRank } from "./types.js";

/** [file, dangerous rated high+ ≥, critical rated critical ≥, benign rated high+ ≤] in percent. */
const FLOORS: [string, number, number, number][] = [
  ["01-interpreter-code.tsv", 97, 97, 2],
  ["02-computed-command-names.tsv", 89, 85, 2],
  ["03-exec-string-programs.tsv", 90, 88, 3],
  ["04-shell-from-stdin.tsv", 85, 81, 5],
  ["05-root-shells-sudo-escapes.tsv", 93, 87, 2],
  ["06-output-file-writes.tsv", 92, 89, 3],
  ["07-persistence.tsv", 86, 84, 3],
  ["08-unresolved-rm-targets.tsv", 97, 88, 6],
  ["09-windows.tsv", 98, 97, 2],
  ["10-zsh-fish.tsv", 97, 95, 2],
  ["11-evaluation-contexts.tsv", 80, 85, 2],
  ["12-exfiltration-credentials.tsv", 86, 84, 3],
  ["13-resources-kernel.tsv", 88, 88, 3],
  ["false-alarms.tsv", 0, 0, 6],
  ["multi-line-scripts.tsv", 88, 73, 6],
];

let engine: SafetyEngine;
const byFile = new Map<string, AdversarialRow[]>();
beforeAll(async () => {
  engine = await createSafetyEngine();
  for (const row of readAdversarialCorpus()) byFile.set(row.file, [...(byFile.get(row.file) ?? []), row]);
});

function score(rows: readonly AdversarialRow[]): { caught: number; exact: number; flagged: number } {
  let dangerous = 0;
  let caught = 0;
  let critical = 0;
  let exact = 0;
  let benign = 0;
  let flagged = 0;
  for (const row of rows) {
    const level = engine.assess(row.command, { shell: row.shell, interactive: false }).level;
    const high = riskRank(level) >= riskRank("high");
    if (riskRank(row.level) >= riskRank("high")) {
      dangerous++;
      if (high) caught++;
    } else {
      benign++;
      if (high) flagged++;
    }
    if (row.level === "critical") {
      critical++;
      if (level === "critical") exact++;
    }
  }
  const percent = (part: number, whole: number): number => (whole === 0 ? 100 : (100 * part) / whole);
  return {
    caught: percent(caught, dangerous),
    exact: percent(exact, critical),
    flagged: benign === 0 ? 0 : percent(flagged, benign),
  };
}

describe("the adversarial corpus, class by class", () => {
  it("meets issue 14's adversarial targets on the whole corpus", () => {
    const measured = score([...byFile.values()].flat());
    expect(measured.caught).toBeGreaterThanOrEqual(90);
    expect(measured.exact).toBeGreaterThanOrEqual(75);
    expect(measured.flagged).toBeLessThanOrEqual(5);
  });

  it("covers every file of the corpus", () => {
    expect([...byFile.keys()].sort()).toEqual(FLOORS.map(([file]) => file).sort());
  });

  it.each(FLOORS)(
    "%s: caught ≥ %d%%, critical exact ≥ %d%%, false alarms ≤ %d%%",
    (file, caught, exact, flagged) => {
      const measured = score(byFile.get(file) ?? []);
      expect(measured.caught).toBeGreaterThanOrEqual(caught);
      expect(measured.exact).toBeGreaterThanOrEqual(exact);
      expect(measured.flagged).toBeLessThanOrEqual(flagged);
    },
  );
});

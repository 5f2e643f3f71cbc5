/**
 * How much of what people actually run the safety engine knows: every example of the tldr-pages common and Linux
 * pages (CC BY 4.0, the tldr-pages team and contributors; see THIRD_PARTY_NOTICES.md) judged in one process, and
 * the share whose verdict carries the reason `unknown-command` ("a program cmdai does not know"), with the level
 * distribution. The pairs file lives outside the repository (`../shared/data/tldr_pages`, or `$TLDR_PAIRS`); the
 * section reports nothing when it is missing.
 *
 *   npx tsx bench/tldr-coverage.ts              # the figures, then the 40 programs with the most unknown examples
 *   npx tsx bench/tldr-coverage.ts --top 200    # more programs
 *   npx tsx bench/tldr-coverage.ts --show dig   # every example of the pages of one program, with its verdict
 *   npx tsx bench/tldr-coverage.ts --level high # every example rated high (or critical)
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createSafetyEngine } from "../src/safety/safety-engine.js";
import { RISK_LEVELS, type RiskLevel } from "../src/safety/types.js";
import type { BenchResult } from "./support/bench-result.js";

/** One tldr example: its page and the command with placeholders filled (`{{path/to/file}}` → `path/to/file`). */
export interface TldrExample {
  page: string;
  command: string;
}

export interface JudgedExample extends TldrExample {
  level: RiskLevel;
  rules: string[];
  message: string;
}

const DEFAULT_PAIRS = join(
  import.meta.dirname,
  "..",
  "..",
  "shared",
  "data",
  "tldr_pages",
  "tldr_pairs_common_linux.tsv",
);

/** The examples of the pairs file (the `command_rendered` column), or undefined when the file is missing. */
export function readTldrExamples(file = process.env.TLDR_PAIRS ?? DEFAULT_PAIRS): TldrExample[] | undefined {
  if (!existsSync(file)) return undefined;
  const examples: TldrExample[] = [];
  const lines = readFileSync(file, "utf8").split("\n");
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const columns = line.split("\t");
    const page = columns[1];
    const command = columns[4];
    if (page !== undefined && command !== undefined && command !== "") examples.push({ page, command });
  }
  return examples;
}

/** Judges every example as bash, as `cmdai check` would. */
export async function judgeTldrExamples(examples: readonly TldrExample[]): Promise<JudgedExample[]> {
  const engine = await createSafetyEngine();
  return examples.map((example) => {
    const assessment = engine.assess(example.command, { shell: "bash", interactive: false });
    return {
      ...example,
      level: assessment.level,
      rules: assessment.reasons.map((reason) => reason.rule),
      message: assessment.reasons[0]?.message ?? "",
    };
  });
}

const isUnknown = (example: JudgedExample): boolean => example.rules.includes("unknown-command");

export async function run(): Promise<BenchResult[]> {
  const examples = readTldrExamples();
  if (examples === undefined) return [];
  const judged = await judgeTldrExamples(examples);
  const unknown = judged.filter(isUnknown).length;
  const distribution = RISK_LEVELS.map(
    (level) => `${level} ${judged.filter((example) => example.level === level).length}`,
  ).join(", ");
  return [
    {
      metric: "safety.tldr-unknown-command",
      value: Number(((100 * unknown) / judged.length).toFixed(1)),
      unit: "%",
      detail: `${unknown} of ${judged.length} tldr-pages examples (common + linux) carry unknown-command (goal ≤ 15%); levels: ${distribution}`,
    },
  ];
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const examples = readTldrExamples();
  if (examples === undefined)
    throw new Error(`No tldr pairs file: set TLDR_PAIRS (default ${DEFAULT_PAIRS}).`);
  const judged = await judgeTldrExamples(examples);
  const show = option("--show");
  const level = option("--level");
  if (show !== undefined) {
    for (const example of judged.filter((entry) => entry.page === show))
      console.log(`${example.level}\t${example.rules.join(",")}\t${example.command}\t${example.message}`);
  } else if (level !== undefined) {
    const floor = RISK_LEVELS.indexOf(level as RiskLevel);
    for (const example of judged.filter((entry) => RISK_LEVELS.indexOf(entry.level) >= floor))
      console.log(
        `${example.level}\t${example.page}\t${example.rules.join(",")}\t${example.command}\t${example.message}`,
      );
  } else {
    for (const result of await run())
      console.log(`${result.metric}: ${result.value}${result.unit}  (${result.detail})`);
    const counts = new Map<string, number>();
    for (const example of judged.filter(isUnknown))
      counts.set(example.page, (counts.get(example.page) ?? 0) + 1);
    const ranked = [...counts].sort((first, second) => second[1] - first[1]);
    for (const [page, count] of ranked.slice(0, Number(option("--top") ?? 40)))
      console.log(`${count}\t${page}`);
  }
}

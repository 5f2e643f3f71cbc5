/**
 * The evaluation suites cmdai ships under `data/eval/` (MIT, attribution in THIRD_PARTY_NOTICES.md and each
 * folder's SOURCE.md). They are evaluation data only: nothing at generation time (prompts, examples, indexes)
 * reads them, so a score measures the model and cmdai's prompt, never a lookup of the answers.
 */
import fs from "node:fs";
import { UsageError } from "../errors.js";

/** The suites `cmdai eval --suite` accepts. */
export const EVAL_SUITES = ["nl2sh-alfa", "intercode-bash"] as const;
export type EvalSuiteName = (typeof EVAL_SUITES)[number];

/** One prompt: the request, the reference command(s) and the file-system setup both run in. */
export interface EvalPrompt {
  /** Position in the suite (ALFA: the global index of the published set). */
  index: number;
  /** The request given to the model, exactly as the suite states it. */
  request: string;
  /** Reference commands; the generated one passes when it behaves like any of them. ALFA has two. */
  references: string[];
  /** The setup it runs in (`alfa-fs-1` … `alfa-fs-5`, see `data/eval/setups/`). */
  setup: string;
  /** ALFA's difficulty 0 (easy) … 2 (hard); InterCode has none. */
  difficulty: 0 | 1 | 2 | undefined;
}

/** `data/eval/` beside `src/` (sources) or `dist/` (the build puts every chunk in `dist/cli/`). */
export const EVAL_DATA_URL = new URL("../../data/eval/", import.meta.url);

function readDataFile(relative: string): string {
  return fs.readFileSync(new URL(relative, EVAL_DATA_URL), "utf8");
}

/** ALFA's TSV escapes a literal tab or newline in a field as `\t` / `\n`. */
function unescapeTsvField(field: string): string {
  return field.replace(/\\([tn\\])/g, (_match, letter: string) =>
    letter === "t" ? "\t" : letter === "n" ? "\n" : "\\",
  );
}

/** Parse `nl2sh_alfa_test.tsv` (index, fs, fs_index, nl, bash, bash2, difficulty). */
export function parseAlfaTsv(text: string): EvalPrompt[] {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  return lines.slice(1).map((line, row) => {
    const fields = line.split("\t");
    const [index, fileSystem, , request, bash, bash2, difficulty] = fields;
    if (fields.length !== 7 || index === undefined || request === undefined || bash === undefined) {
      throw new Error(`nl2sh_alfa_test.tsv line ${row + 2}: expected 7 tab-separated fields`);
    }
    const level = Number(difficulty);
    return {
      index: Number(index),
      request: unescapeTsvField(request),
      references: [bash, bash2 ?? ""].map(unescapeTsvField).filter((command) => command.trim() !== ""),
      setup: `alfa-fs-${fileSystem ?? "1"}`,
      difficulty: level === 0 || level === 1 || level === 2 ? level : undefined,
    };
  });
}

/** InterCode-Bash: `nl2bash_fs_{1..4}.json`, 200 `{query, gold}` pairs; fs_4 is not grounded in a tree. */
function loadIntercode(): EvalPrompt[] {
  const prompts: EvalPrompt[] = [];
  for (const fileSystem of [1, 2, 3, 4]) {
    const rows = JSON.parse(readDataFile(`intercode-bash/nl2bash_fs_${fileSystem}.json`)) as {
      query: string;
      gold: string;
    }[];
    for (const row of rows) {
      prompts.push({
        index: prompts.length,
        request: row.query,
        references: [row.gold],
        setup: `alfa-fs-${fileSystem}`,
        difficulty: undefined,
      });
    }
  }
  return prompts;
}

/** Every prompt of a suite, in the suite's order. */
export function loadEvalSuite(suite: EvalSuiteName): EvalPrompt[] {
  switch (suite) {
    case "nl2sh-alfa":
      return parseAlfaTsv(readDataFile("nl2sh-alfa/nl2sh_alfa_test.tsv"));
    case "intercode-bash":
      return loadIntercode();
  }
}

/** Check a `--suite` value. */
export function parseSuiteName(value: string | undefined): EvalSuiteName {
  const name = value ?? "nl2sh-alfa";
  if ((EVAL_SUITES as readonly string[]).includes(name)) return name as EvalSuiteName;
  throw new UsageError(`Unknown suite "${name}".`, { hint: `Choose one of: ${EVAL_SUITES.join(", ")}.` });
}

/** Reads the labelled safety corpus in `test/fixtures/safety/*.tsv`. */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isShellName, type ShellName } from "../../src/shells.js";
import { RISK_LEVELS, type RiskLevel } from "../../src/safety/types.js";

export interface LabelledCommand {
  level: RiskLevel;
  shell: ShellName;
  command: string;
  file: string;
}

export const SAFETY_CORPUS_DIRECTORY = join(import.meta.dirname, "..", "fixtures", "safety");

/** Every labelled case of one corpus file, or of all of them. */
export function readSafetyCorpus(fileName?: string): LabelledCommand[] {
  const files =
    fileName === undefined
      ? readdirSync(SAFETY_CORPUS_DIRECTORY).filter((name) => name.endsWith(".tsv"))
      : [fileName];
  const cases: LabelledCommand[] = [];
  for (const file of files) {
    for (const line of readFileSync(join(SAFETY_CORPUS_DIRECTORY, file), "utf8").split("\n")) {
      if (line === "" || line.startsWith("#")) continue;
      const [level = "", shell = "", ...rest] = line.split("\t");
      if (!(RISK_LEVELS as readonly string[]).includes(level) || !isShellName(shell)) {
        throw new Error(`Bad corpus line in ${file}: ${line}`);
      }
      cases.push({ level: level as RiskLevel, shell, command: rest.join("\t"), file });
    }
  }
  return cases;
}

/**
 * `cmdai eval --resume FILE`: JSON lines, a header naming the suite, backend and model, then one record per
 * finished prompt, appended as each finishes — so an interrupted run loses at most the prompts in flight.
 */
import fs from "node:fs";
import { UsageError } from "../errors.js";
import type { EvalRecord } from "./eval-record.js";

export interface ResumeHeader {
  cmdaiEval: 1;
  suite: string;
  backend: string;
  model: string | undefined;
}

/** The records already in `file` (none when it does not exist yet); writes the header when it starts it. */
export function openResumeFile(file: string, header: ResumeHeader): Map<number, EvalRecord> {
  const records = new Map<number, EvalRecord>();
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new UsageError(`Cannot read the resume file ${file}: ${(error as Error).message}.`, {
        hint: "Name a file you can read and write, or a new one.",
        cause: error,
      });
    }
    fs.writeFileSync(file, `${JSON.stringify(header)}\n`);
    return records;
  }
  const lines = text.split("\n").filter((entry) => entry.trim() !== "");
  let found: Partial<ResumeHeader> = {};
  try {
    found = JSON.parse(lines[0] ?? "{}") as Partial<ResumeHeader>;
  } catch {
    // reported below
  }
  if (found.cmdaiEval !== 1) {
    throw new UsageError(`${file} is not a cmdai eval resume file.`, {
      hint: "Pass the file an earlier `cmdai eval --resume FILE` wrote, or a new file name.",
    });
  }
  if (found.suite !== header.suite || found.backend !== header.backend || found.model !== header.model) {
    throw new UsageError(
      `${file} belongs to a run of ${found.suite ?? "?"} on ${found.backend ?? "?"} (${found.model ?? "default model"}), not this one.`,
      { hint: "Resume with the same --suite, --backend and --model, or use a new file." },
    );
  }
  for (const entry of lines.slice(1)) {
    try {
      const record = JSON.parse(entry) as EvalRecord;
      records.set(record.index, record);
    } catch {
      // A line cut short by an interruption: that prompt runs again.
    }
  }
  return records;
}

/** Append one finished prompt. */
export function appendResumeRecord(file: string, record: EvalRecord): void {
  fs.appendFileSync(file, `${JSON.stringify(record)}\n`);
}

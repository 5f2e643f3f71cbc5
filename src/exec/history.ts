/**
 * The audit log: one JSON object per executed command (and per command an AI coding agent was denied or asked
 * about by `cmdai check --hook`, marked with `source`), one line each, appended to `history.jsonl` in the
 * state folder (`historyFilePath()`). Each entry is written with a single `appendFile` call, so concurrent
 * cmdai processes never interleave half lines; the file is created private (mode 0600).
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { Decision, RiskLevel } from "../safety/types.js";
import type { ShellName } from "../shells.js";

/** One executed command and its verdict. Field names are stable: `cmdai history --json` prints them. */
export interface HistoryEntry {
  /** ISO 8601 time the command was started. */
  time: string;
  /** The plain-language request. */
  request: string;
  /** The command that ran (after any edit). */
  command: string;
  shell: ShellName;
  level: RiskLevel;
  decision: Decision;
  /**
   * The command's exit code. For an agent's command (`source` set) cmdai ran nothing: it is the verdict's
   * `cmdai check` exit code, 3 when the agent was denied and 4 when it was asked.
   */
  exitCode: number;
  /** Which backend and model produced the command, when known. */
  backend?: string | undefined;
  model?: string | undefined;
  /** True when the user edited the command before running it. */
  edited?: boolean | undefined;
  /** Who proposed the command: absent for cmdai itself, `agent:<name>` for a coding agent's hook call. */
  source?: string | undefined;
  /** The folder the agent meant to run the command in, when it said. */
  cwd?: string | undefined;
  /** The agent's session id, when it gave one. */
  sessionId?: string | undefined;
}

/** Append one entry. Creates the folder (0700) and the file (0600) when missing. */
export async function appendHistoryEntry(file: string, entry: HistoryEntry): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fs.appendFile(file, `${JSON.stringify(entry)}\n`, { encoding: "utf8", mode: 0o600 });
}

function isHistoryEntry(value: unknown): value is HistoryEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.time === "string" &&
    typeof entry.command === "string" &&
    typeof entry.shell === "string" &&
    typeof entry.level === "string" &&
    typeof entry.decision === "string" &&
    typeof entry.exitCode === "number"
  );
}

/** Entries read back, oldest first, and how many lines could not be read (a torn or foreign line). */
export interface HistoryReadResult {
  entries: HistoryEntry[];
  skippedLines: number;
}

/** The last `limit` entries (all when undefined); a missing file is an empty history. */
export async function readHistory(file: string, limit?: number): Promise<HistoryReadResult> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], skippedLines: 0 };
    throw error;
  }
  const entries: HistoryEntry[] = [];
  let skippedLines = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isHistoryEntry(parsed)) entries.push(parsed);
      else skippedLines += 1;
    } catch {
      skippedLines += 1;
    }
  }
  return {
    entries: limit === undefined ? entries : entries.slice(Math.max(0, entries.length - limit)),
    skippedLines,
  };
}

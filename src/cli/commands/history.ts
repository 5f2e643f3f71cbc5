/** `cmdai history [-n N] [--json]`: the last commands cmdai ran, with their verdicts and exit codes. */
import { loadConfig } from "../../config/load-config.js";
import { currentPathEnvironment, historyFilePath } from "../../config/paths.js";
import { ExitCode, UsageError } from "../../errors.js";
import { readHistory, type HistoryEntry } from "../../exec/history.js";
import type { CliIo } from "../io.js";

export interface HistoryCommandOptions {
  /** How many of the most recent entries to list (`-n`); default 20. A string as commander passes it. */
  limit?: string | number | undefined;
  /** Print a JSON array instead of a table (`--json`). */
  json?: boolean | undefined;
  config?: string | undefined;
}

/** Default number of entries listed. */
export const DEFAULT_HISTORY_LIMIT = 20;

function parseLimit(limit: string | number | undefined): number {
  if (limit === undefined) return DEFAULT_HISTORY_LIMIT;
  const value = typeof limit === "number" ? limit : Number(limit.trim());
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`-n must be a positive whole number, not "${String(limit)}".`, {
      hint: "For example: cmdai history -n 50",
    });
  }
  return value;
}

/**
 * One entry as a table row: time, exit code, level/decision, shell, command. An agent's command (cmdai ran
 * nothing; the exit code is the verdict's) is marked with its source, e.g. `[agent:claude-code]`.
 */
export function formatHistoryEntry(entry: HistoryEntry): string {
  const time = entry.time.replace("T", " ").replace(/\.\d+Z$/, "Z");
  const verdict = `${entry.level}/${entry.decision}`;
  const source = entry.source === undefined ? "" : `[${entry.source}] `;
  return `${time}  exit ${String(entry.exitCode).padEnd(3)}  ${verdict.padEnd(16)}  ${entry.shell.padEnd(10)}  ${source}${entry.command}`;
}

/** List the last entries of the audit log. */
export async function runHistoryCommand(options: HistoryCommandOptions, io: CliIo): Promise<number> {
  const limit = parseLimit(options.limit);
  const paths = { ...currentPathEnvironment(), env: io.env };
  const loaded = await loadConfig({ configFile: options.config, env: io.env, paths });
  for (const warning of loaded.warnings) io.stderr.write(`cmdai: warning: ${warning}\n`);
  const file = historyFilePath(paths);
  const { entries, skippedLines } = await readHistory(file, limit);
  if (skippedLines > 0)
    io.stderr.write(`cmdai: warning: skipped ${skippedLines} unreadable line(s) in ${file}\n`);
  if (!loaded.config.history.enabled) {
    io.stderr.write(
      "cmdai: the history is switched off (history.enabled = false); new commands are not logged.\n",
    );
  }
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (entries.length === 0) {
    io.stderr.write(`cmdai: no commands in the history yet (${file}).\n`);
    return ExitCode.ok;
  }
  for (const entry of entries) io.stdout.write(`${formatHistoryEntry(entry)}\n`);
  return ExitCode.ok;
}

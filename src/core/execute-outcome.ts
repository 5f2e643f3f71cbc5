/**
 * Runs a command the user consented to: in its shell, in the current folder, telling the shell wrapper what
 * ran (for its history), and appending it with its verdict and exit code to the audit log.
 */
import { historyFilePath, type PathEnvironment } from "../config/paths.js";
import { recordExecutedCommand } from "../exec/executed-command-file.js";
import { appendHistoryEntry } from "../exec/history.js";
import { findPowerShellProgram, runInShell } from "../exec/run-in-shell.js";
import type { CommandOutcome } from "./generate-command.js";

/** Options of {@link executeOutcome}. */
export interface ExecuteOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  paths: PathEnvironment;
  /** Append to the audit log (`[history] enabled`). */
  history: boolean;
  /** Send the command's stdout to stderr, so stdout stays one JSON/YAML document. */
  stdoutToStderr: boolean;
  /** The user edited the command in the menu (recorded in the log). */
  edited: boolean;
  /** Told when the log cannot be written: a warning, never a failure. */
  warn: (line: string) => void;
}

/** Run the command; resolves with its exit code. */
export async function executeOutcome(outcome: CommandOutcome, options: ExecuteOptions): Promise<number> {
  recordExecutedCommand(options.env, outcome.command);
  const time = new Date().toISOString();
  const exitCode = await runInShell({
    shell: outcome.shell,
    command: outcome.command,
    cwd: options.cwd,
    env: options.env,
    powershellProgram:
      outcome.shell === "powershell" ? findPowerShellProgram(options.env, process.platform) : undefined,
    stdoutToStderr: options.stdoutToStderr,
  });
  if (options.history) {
    const file = historyFilePath(options.paths);
    try {
      await appendHistoryEntry(file, {
        time,
        request: outcome.request,
        command: outcome.command,
        shell: outcome.shell,
        level: outcome.risk.level,
        decision: outcome.risk.decision,
        exitCode,
        backend: outcome.backend,
        model: outcome.model,
        ...(options.edited ? { edited: true } : {}),
      });
    } catch (error) {
      options.warn(`could not write the history to ${file}: ${(error as Error).message}`);
    }
  }
  return exitCode;
}

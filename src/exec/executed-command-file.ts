/**
 * How a command run from the menu reaches the user's shell history: the `cmdai` wrapper function that the
 * `cmdai init` snippets define creates an empty temporary file and names it in `CMDAI_EXECUTED_FILE`; cmdai
 * writes the command it is about to run there, and the wrapper adds it to the shell's history afterwards.
 */
import fs from "node:fs";

/** The environment variable naming the file. */
export const EXECUTED_COMMAND_FILE_VARIABLE = "CMDAI_EXECUTED_FILE";

/**
 * Write `command` to the file named by `CMDAI_EXECUTED_FILE`, when it names an existing, empty regular file
 * (what the wrapper creates) — so a stray variable can never make cmdai overwrite a real file. Failures are
 * ignored: history is a convenience, never a reason not to run.
 */
export function recordExecutedCommand(env: NodeJS.ProcessEnv, command: string): void {
  const file = env[EXECUTED_COMMAND_FILE_VARIABLE];
  if (file === undefined || file === "") return;
  try {
    const stat = fs.lstatSync(file);
    if (!stat.isFile() || stat.size !== 0) return;
    fs.writeFileSync(file, command, { encoding: "utf8", flag: "r+" });
  } catch {
    // No file, no permission: the shell history just misses this one command.
  }
}

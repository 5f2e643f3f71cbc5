/**
 * PowerShell and cmd.exe: the entry points the safety engine and the bash judge use. The rules live in
 * `windows/` (tokeniser, expression folding, paths, deletions, cmdlets, cmd builtins, system and code-running
 * programs, the script judge).
 */
import { judgeWindowsScript } from "./windows/windows-script.js";
import type { WindowsFinding, WindowsStatement } from "./windows/windows-types.js";

export { tokeniseWindows } from "./windows/windows-tokeniser.js";
export {
  judgeWindowsScript,
  type WindowsScriptOptions,
  type WindowsVerdict,
} from "./windows/windows-script.js";
export type { WindowsFinding, WindowsStatement } from "./windows/windows-types.js";

/**
 * Judges one PowerShell statement from {@link tokeniseWindows}, with what earlier statements of its script set.
 * Prefer {@link judgeWindowsScript}, which also looks across statements.
 */
export function judgePowerShell(
  statement: WindowsStatement,
  previous: WindowsStatement | undefined,
): WindowsFinding[] {
  return judgeOne(statement, previous, "powershell");
}

/** Judges one cmd statement from {@link tokeniseWindows}. Prefer {@link judgeWindowsScript}. */
export function judgeCmd(statement: WindowsStatement): WindowsFinding[] {
  return judgeOne(statement, undefined, "cmd");
}

function judgeOne(
  statement: WindowsStatement,
  previous: WindowsStatement | undefined,
  dialect: "powershell" | "cmd",
): WindowsFinding[] {
  // Judging the statement's own text as a script in the same session gives the statement judges the environment
  // they need (nested scripts, tool rules) and keeps what earlier statements set.
  const prefix = previous?.pipedToNext === true ? `${previous.text} | ` : "";
  const verdict = judgeWindowsScript(prefix + statement.text, dialect, {
    session: statement.session,
    unbalancedLevel: null,
  });
  return verdict.findings;
}

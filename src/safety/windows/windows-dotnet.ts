/**
 * .NET and COM calls in PowerShell (`[IO.Directory]::Delete(p, $true)`, `[IO.File]::WriteAllText`,
 * `[scriptblock]::Create`, `InvokeScript`, `WScript.Shell.Run`, `DownloadFile`, `.Invoke()`), and code handed over
 * as text (`Invoke-Expression`): literal code is judged as the script it is, the rest by its worst case.
 */
import { matchingBracket } from "./windows-tokeniser.js";
import { foldExpression } from "./windows-expressions.js";
import { judgeDeletion, judgeMove, judgeWrite } from "./windows-deletion.js";
import type { FindingList, StatementEnvironment, WindowsStatement } from "./windows-types.js";

/** Text that downloads something. */
export const DOWNLOAD =
  /downloadstring|downloaddata|downloadfile|\b(iwr|irm|invoke-webrequest|invoke-restmethod|start-bitstransfer|net\.webclient|curl|wget)\b|https?:\/\//i;
/** Replaces the inside of every quoted string with `_`, so patterns only match code, not text that mentions it. */
export function maskStrings(text: string): string {
  return text.replace(/'(?:[^']|'')*'|"(?:[^"`]|`.|"")*"/g, (match) =>
    match.includes("$(")
      ? match
      : match.charAt(0) + "_".repeat(Math.max(0, match.length - 2)) + match.charAt(0),
  );
}

/** The arguments of the call whose `(` is at `open`, split at top-level commas. */
function callArguments(text: string, open: number): string[] {
  const close = matchingBracket(text, open, "powershell");
  const inner = text.slice(open + 1, close === -1 ? text.length : close);
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let quote: string | undefined;
  for (let index = 0; index < inner.length; index++) {
    const character = inner.charAt(index);
    if (quote !== undefined) {
      if (character === quote) quote = undefined;
    } else if (character === "'" || character === '"') quote = character;
    else if ("([{".includes(character)) depth++;
    else if (")]}".includes(character)) depth--;
    else if (character === "," && depth === 0) {
      parts.push(inner.slice(start, index).trim());
      start = index + 1;
    }
  }
  parts.push(inner.slice(start).trim());
  return parts.filter((part) => part !== "");
}

/** A path argument of a .NET call: folded when literal, else the text as written (`$env:USERPROFILE`). */
function pathArgument(text: string | undefined, statement: WindowsStatement): string {
  if (text === undefined) return "";
  return foldExpression(text, statement.session) ?? text.replace(/^["']|["']$/g, "");
}

/** .NET and COM calls in the statement: file deletes and writes, script blocks made from text, process starts. */
export function judgeDotNet(
  statement: WindowsStatement,
  environment: StatementEnvironment,
  findings: FindingList,
): void {
  const text = statement.text;
  const masked = maskStrings(text);
  const calls =
    /\[(?:system\.)?(io\.directory|io\.file|microsoft\.visualbasic\.fileio\.filesystem|scriptblock|diagnostics\.process)\]::(\w+)\s*\(|\.(invokescript|newscriptblock|run|exec|shellexecute|downloadfile|invoke)\s*\(/gi;
  for (const match of masked.matchAll(calls)) {
    const open = match.index + match[0].length - 1;
    const args = callArguments(text, open);
    const type = (match[1] ?? "").toLowerCase();
    const method = (match[2] ?? match[3] ?? "").toLowerCase();
    const first = pathArgument(args[0], statement);
    if (type === "io.directory" && method === "delete")
      judgeDeletion(
        { targets: [first], recursive: /^\$true$|^1$/i.test(args[1] ?? ""), force: true, command: text },
        findings,
      );
    else if (type === "microsoft.visualbasic.fileio.filesystem" && /^delete(directory|file)$/.test(method))
      judgeDeletion(
        { targets: [first], recursive: method === "deletedirectory", force: true, command: text },
        findings,
      );
    else if (type === "io.file" && method === "delete")
      judgeDeletion({ targets: [first], recursive: false, force: true, command: text }, findings);
    else if ((type === "io.file" || type === "io.directory") && method === "move")
      judgeMove([first], text, findings);
    else if (type === "io.file" && /^(write|append|copy|create|replace|open)/.test(method))
      judgeWrite(
        /^(copy|replace)/.test(method) ? pathArgument(args[1], statement) : first,
        "Writes",
        findings,
      );
    else if (method === "downloadfile") {
      const target = pathArgument(args[1], statement);
      statement.session.downloaded.add((target.split(/[\\/]/).pop() ?? target).toLowerCase());
      judgeWrite(target, "Downloads a file", findings, "https://");
    } else if (
      (type === "scriptblock" && method === "create") ||
      method === "invokescript" ||
      method === "newscriptblock"
    ) {
      runCode(args[0] ?? "", statement, environment, findings, "builds a script block");
    } else if (type === "diagnostics.process" && method === "start") {
      const context = environment.context("", [], statement, findings);
      context.runScript(
        [first, args[1] === undefined ? "" : pathArgument(args[1], statement)].join(" "),
        "cmd",
      );
    } else if (
      /^(run|exec|shellexecute)$/.test(method) &&
      /wscript\.shell|shell\.application|\$\w+\.(run|exec|shellexecute)/i.test(masked)
    ) {
      const folded = foldExpression(args[0] ?? "", statement.session);
      if (folded === undefined)
        findings.add(
          "dynamic-command",
          "high",
          "Runs a command line through a COM object that is computed at run time.",
        );
      else environment.context("", [], statement, findings).runScript(folded, "cmd");
    } else if (method === "invoke") {
      const receiver = masked.slice(0, match.index).trim();
      const variable = /\$(\w+)$/.exec(receiver)?.[1]?.toLowerCase();
      const known =
        receiver.endsWith("}") ||
        receiver.endsWith(")") ||
        (variable !== undefined && statement.session.blocks.has(variable));
      if (!known)
        findings.add(
          "dynamic-command",
          "high",
          "Invokes code held in a variable whose content cmdai cannot determine.",
        );
    }
  }
}

/** Judges PowerShell code given as text (Invoke-Expression, [scriptblock]::Create): folded when literal, else high. */
export function runCode(
  expression: string,
  statement: WindowsStatement,
  environment: StatementEnvironment,
  findings: FindingList,
  what: string,
): void {
  const folded = foldExpression(expression, statement.session);
  if (folded !== undefined) {
    if (/frombase64string/i.test(expression))
      findings.add("decoded-payload", "high", `Runs code it decodes from base64: ${folded.slice(0, 80)}`);
    environment.inline(folded, statement, findings);
    return;
  }
  if (DOWNLOAD.test(expression))
    findings.add(
      "remote-script",
      statement.session.elevated ? "critical" : "high",
      "Downloads code and runs it without showing it to you first.",
      "download the script to a file and read it first",
    );
  else if (/frombase64string|-bxor|-join|\[char\]/i.test(expression))
    findings.add(
      "decoded-payload",
      "high",
      `${capitalise(what)} from text it decodes at run time, which cmdai cannot read.`,
    );
  else
    findings.add(
      "dynamic-code",
      "high",
      `${capitalise(what)} from text computed at run time (${expression.slice(0, 60)}), so cmdai cannot read it.`,
      "write the code out literally so it can be read before it runs",
    );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

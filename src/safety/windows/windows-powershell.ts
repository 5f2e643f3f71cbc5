/**
 * Judges one PowerShell statement: works out which command it runs — through aliases (built-in or made with
 * Set-Alias), the call operator with a folded or remembered name (`&('Rem'+'ove-Item')`, `$x='Remove-Item'; & $x`),
 * module-qualified names and paths — and rates the rest by its worst case: a name computed at run time is high
 * (critical when its visible arguments already reach a drive root), `Invoke-Expression` of text cmdai cannot fold is
 * high, code downloaded and run is high. Literal code is judged as the script it is.
 */
import { matchingBracket } from "./windows-tokeniser.js";
import { foldExpression } from "./windows-expressions.js";
import { judgeDeletion, judgeMove, judgeWrite } from "./windows-deletion.js";
import { classifyWindowsPath } from "./windows-paths.js";
import { CMDLETS } from "./windows-cmdlets.js";
import { POWERSHELL_ALIASES, parameterValue, positionals } from "./windows-parameters.js";
import { isReadOnlyPowerShell } from "./windows-read-only.js";
import type { FindingList, ToolContext, WindowsStatement } from "./windows-types.js";

/** What the statement judge needs from the script judge. */
export interface StatementEnvironment {
  /** The context a rule sees, adding to `findings`; it can judge the code the command runs. */
  context(name: string, args: string[], statement: WindowsStatement, findings: FindingList): ToolContext;
  /** Whether a rule for the Windows program `name` exists. */
  hasTool(name: string): boolean;
  /** Runs the rule of a Windows program, or the bash rules for a cross-platform one; false when none knows it. */
  native(context: ToolContext): boolean;
  /** Judges PowerShell text in the same scope (Invoke-Expression, the right side of an assignment). */
  inline(script: string, statement: WindowsStatement, findings: FindingList): void;
}

const DOWNLOAD =
  /downloadstring|downloaddata|downloadfile|\b(iwr|irm|invoke-webrequest|invoke-restmethod|start-bitstransfer|net\.webclient|curl|wget)\b|https?:\/\//i;
const SC_ACTION =
  /^(query|queryex|qc|qdescription|qfailure|start|stop|pause|continue|delete|config|create|failure|sdset|sdshow|description|control|enumdepend|getdisplayname|getkeyname|\\\\)/i;

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
function judgeDotNet(
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
function runCode(
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

/** The command name a call-operator target names, or undefined when it is computed at run time. */
function resolveTarget(raw: string, statement: WindowsStatement): string | undefined {
  if (/^\$\(|^\(/.test(raw) || /^['"]/.test(raw))
    return foldExpression(raw.replace(/^\$\(/, "("), statement.session);
  const variable = /^\$(\{[^}]+\}|[\w:]+)$/.exec(raw);
  if (variable)
    return statement.session.variables.get((variable[1] ?? "").replace(/[{}]/g, "").toLowerCase());
  if (/[$(]/.test(raw)) return undefined;
  return raw;
}

/** Lower case, without module qualifier, folder and `.exe`, aliases resolved. */
function canonicalName(word: string, args: readonly string[], statement: WindowsStatement): string {
  let name = word.toLowerCase().trim();
  if (!/[\\/]/.test(name) || /^[\w.]+\\[\w-]+$/.test(name)) name = name.replace(/^[\w.]+\\(?=[\w-]+$)/, "");
  else name = name.split(/[\\/]/).pop() ?? name;
  name = name.replace(/\.(exe|com)$/, "");
  for (let hop = 0; hop < 8; hop++) {
    const alias = statement.session.aliases.get(name);
    if (alias === undefined) break;
    name = alias;
  }
  if (name === "sc" && SC_ACTION.test(args[0] ?? "")) return "sc";
  if (
    (name === "curl" || name === "wget") &&
    args.some(
      (arg) =>
        /^-[a-zA-Z]{1,4}$/.test(arg) &&
        arg === arg.toLowerCase() &&
        arg.length <= 3 &&
        !/^-(uri|me)/i.test(arg),
    )
  )
    return name;
  return POWERSHELL_ALIASES[name] ?? name;
}

/** The findings of one PowerShell statement. */
export function judgePowerShellStatement(
  statement: WindowsStatement,
  previous: WindowsStatement | undefined,
  environment: StatementEnvironment,
  findings: FindingList,
): void {
  judgeDotNet(statement, environment, findings);
  for (const target of statement.redirects) judgeWrite(target, "Writes output into", findings);
  const session = statement.session;
  const assignment = /^\$(\{[^}]+\}|[\w:]+)\s*[+]?=(?!=)\s*([\s\S]*)$/.exec(statement.text);
  if (assignment) {
    const name = (assignment[1] ?? "").replace(/[{}]/g, "").toLowerCase();
    const value = (assignment[2] ?? "").trim();
    if (value.startsWith("{")) session.blocks.add(name);
    const folded = foldExpression(value, session);
    session.variables.set(name, folded);
    const quoted = /^(["'])([^"'`]*)\1$/.exec(value);
    if (folded === undefined && quoted && !quoted[2]?.includes("$("))
      session.paths.set(name, quoted[2] ?? "");
    else session.paths.delete(name);
    // `$r = Remove-Item …` runs the command on the right.
    if (/^[A-Za-z&.]/.test(value)) environment.inline(value, statement, findings);
    return;
  }
  const words = statement.words;
  let name: string | undefined;
  let args: string[];
  const first = words[0] ?? "";
  if ((first === "&" || first === ".") && !statement.quoted[0]) {
    const raw = statement.raw[1] ?? "";
    args = words.slice(2);
    if (raw.startsWith("{") || raw === "") return;
    if (/^\$\w+$/.test(raw) && session.blocks.has(raw.slice(1).toLowerCase())) return;
    if (/^\[scriptblock\]::create/i.test(raw)) return;
    name = resolveTarget(raw, statement);
    if (name === undefined) {
      computedName(raw, args, findings);
      return;
    }
    if (first === "." && /\.ps1$/i.test(name)) {
      environment.native(environment.context("powershell", ["-File", name], statement, findings));
      return;
    }
  } else if (/^[$([@{0-9-]/.test(first) || statement.quoted[0] === true) {
    return;
  } else {
    if (/\$|\(/.test(statement.raw[0] ?? "")) {
      computedName(statement.raw[0] ?? "", words.slice(1), findings);
      return;
    }
    name = first;
    args = words.slice(1);
  }
  if (
    /\.(ps1|bat|cmd|vbs|js|hta)$/i.test(name) ||
    (/[\\/]/.test(name) && /\.exe$/i.test(name) && /^\.|downloads|temp/i.test(name))
  ) {
    if (
      /\.(ps1|bat|cmd|vbs|js|hta)$/i.test(name) ||
      session.downloaded.has((name.split(/[\\/]/).pop() ?? "").toLowerCase())
    ) {
      environment.native(environment.context("powershell", ["-File", name], statement, findings));
      return;
    }
  }
  const base = (name.split(/[\\/]/).pop() ?? name).toLowerCase();
  if (session.downloaded.has(base) || session.downloaded.has(`${base}.exe`)) {
    environment.native(environment.context("powershell", ["-File", name], statement, findings));
    return;
  }
  const canonical = canonicalName(name, args, statement);
  if (canonical === "set-alias" || canonical === "new-alias") {
    const alias = parameterValue(args, "name", 1) ?? positionals(args)[0];
    const target = parameterValue(args, "value", 1) ?? positionals(args)[1];
    if (alias !== undefined)
      session.aliases.set(
        alias.toLowerCase(),
        target === undefined || /[$(]/.test(target) ? "$computed" : target.toLowerCase(),
      );
    return;
  }
  if (canonical === "$computed") {
    computedName(name, args, findings);
    return;
  }
  if (canonical === "set-variable") {
    const variable = parameterValue(args, "name", 1) ?? positionals(args)[0];
    const value = parameterValue(args, "value", 1) ?? positionals(args)[1];
    if (variable !== undefined) session.variables.set(variable.toLowerCase(), value);
    return;
  }
  if (canonical === "invoke-expression") {
    const rawArgs = statement.raw.slice(1).filter((word) => !/^-c(o(m(m(a(n(d)?)?)?)?)?)?$/i.test(word));
    if (rawArgs.length > 0) runCode(rawArgs.join(" "), statement, environment, findings, "runs code");
    else if (previous?.pipedToNext === true) {
      const literal =
        previous.words.length === 1 && previous.quoted[0] === true && !/^[a-z]/i.test(previous.raw[0] ?? "");
      if (literal) environment.inline(previous.words[0] ?? "", statement, findings);
      else if (DOWNLOAD.test(previous.text))
        findings.add(
          "remote-script",
          session.elevated ? "critical" : "high",
          "Downloads a script and runs it without showing it to you first.",
          "download the script to a file and read it first",
        );
      else
        findings.add(
          "dynamic-code",
          "high",
          `Runs the output of \`${previous.text.slice(0, 60)}\` as code, which cmdai cannot read.`,
        );
    } else findings.add("dynamic-code", "high", "Runs code from its input, which cmdai cannot read.");
    return;
  }
  if (
    (canonical === "powershell" || canonical === "pwsh" || canonical === "cmd") &&
    previous?.pipedToNext === true &&
    DOWNLOAD.test(previous.text)
  )
    findings.add(
      "remote-script",
      session.elevated ? "critical" : "high",
      "Pipes a downloaded script into a shell.",
    );
  // Arguments that name variables set earlier in the script are judged with their values.
  args = args.map((word) =>
    word.replace(/\$(\{[^}:]+\}|\w+)(?![\w:.(])/g, (match, variable: string) => {
      const key = variable.replace(/[{}]/g, "").toLowerCase();
      return session.variables.get(key) ?? session.paths.get(key) ?? match;
    }),
  );
  const context = environment.context(canonical, args, statement, findings);
  if (
    canonical === "foreach-object" &&
    previous?.pipedToNext === true &&
    /\$_\.delete\(|\b(remove-item|ri|rm|del|erase|rd|rmdir)\s+(-\w+\s+)*\$_|\[io\.(file|directory)\]::delete\(\s*\$_/i.test(
      statement.text,
    )
  ) {
    const recursive = /\s-r(e(c(u(r(s(e)?)?)?)?)?)?\b|\$_\.delete\(\s*\$true/i.test(statement.text)
      ? ["-Recurse"]
      : [];
    CMDLETS["remove-item"]?.(
      environment.context("remove-item", [...recursive, "-Force"], statement, findings),
      statement,
      previous,
    );
    return;
  }
  const cmdlet = Object.hasOwn(CMDLETS, canonical) ? CMDLETS[canonical] : undefined;
  if (cmdlet !== undefined) {
    cmdlet(context, statement, previous);
    return;
  }
  if (!environment.hasTool(canonical) && isReadOnlyPowerShell(canonical)) return;
  if (environment.native(context)) return;
  findings.add("unknown-command", "moderate", `Runs ${name}, which cmdai does not know.`);
}

/** A command whose name is computed at run time: high, critical when the visible arguments reach a drive root. */
export function computedName(raw: string, args: readonly string[], findings: FindingList): void {
  const recursive = args.some((word) => /^-r(e(c(u(r(s(e)?)?)?)?)?)?$|^-rf$|^\/s$/i.test(word));
  const root = args.find((word) => !/^[-/]/.test(word) && classifyWindowsPath(word) === "root");
  findings.add(
    "dynamic-command",
    root !== undefined && recursive ? "critical" : "high",
    `Runs a command whose name is computed at run time (${raw.slice(0, 60)}), so cmdai cannot tell what it does${root !== undefined && recursive ? `; its arguments reach ${root} recursively` : ""}.`,
    "write the command name out literally",
  );
}

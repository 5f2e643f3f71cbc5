/**
 * Judges one PowerShell statement: works out which command it runs — through aliases (built-in or made with
 * Set-Alias), the call operator with a folded or remembered name (`&('Rem'+'ove-Item')`, `$x='Remove-Item'; & $x`),
 * module-qualified names and paths — and rates the rest by its worst case: a name computed at run time is high
 * (critical when its visible arguments already reach a drive root), `Invoke-Expression` of text cmdai cannot fold is
 * high, code downloaded and run is high. Literal code is judged as the script it is.
 */
import { foldExpression } from "./windows-expressions.js";
import { judgeWrite } from "./windows-deletion.js";
import { DOWNLOAD, judgeDotNet, runCode } from "./windows-dotnet.js";
import { classifyWindowsPath } from "./windows-paths.js";
import { CMDLETS } from "./windows-cmdlets.js";
import { POWERSHELL_ALIASES, parameterValue, positionals } from "./windows-parameters.js";
import { isReadOnlyPowerShell } from "./windows-read-only.js";
import type { FindingList, StatementEnvironment, WindowsStatement } from "./windows-types.js";

export type { StatementEnvironment } from "./windows-types.js";

const SC_ACTION =
  /^(query|queryex|qc|qdescription|qfailure|start|stop|pause|continue|delete|config|create|failure|sdset|sdshow|description|control|enumdepend|getdisplayname|getkeyname|\\\\)/i;

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

/**
 * Judges one cmd.exe statement: `%VAR%` expansion from earlier `set`, the builtins (del/erase, rd/rmdir,
 * copy/xcopy, move/ren, type, set, for, if/else, call, start, mkdir), then the Windows programs shared with
 * PowerShell. `for /r C:\ %i in (*) do del %i` deletes every file under C:\, so it is judged as `del /s C:\*`.
 */
import { judgeDeletion, judgeMove, judgeWrite } from "./windows-deletion.js";
import { WINDOWS_CREDENTIAL_FILE } from "./windows-paths.js";
import { computedName, type StatementEnvironment } from "./windows-powershell.js";
import { judgeScriptFile } from "./windows-code-tools.js";
import { hasArgument, type FindingList, type ToolContext, type WindowsStatement } from "./windows-types.js";

const FLAG = /^\/[a-z?]{1,2}(:.*)?$/i;

function operands(args: readonly string[]): string[] {
  return args.filter((word) => !FLAG.test(word) && word !== "");
}

/** Expands `%NAME%` and `!NAME!` that an earlier `set` defined; other variables stay as written. */
function expand(word: string, statement: WindowsStatement): string {
  return word.replace(/%([A-Za-z_][\w]*)%|!([A-Za-z_][\w]*)!/g, (match, percent?: string, bang?: string) => {
    const name = (percent ?? bang ?? "").toLowerCase();
    if (name === "comspec") return "cmd";
    return statement.session.cmdVariables.get(name) ?? match;
  });
}

/** Quotes a word again for re-tokenising with cmd. */
function requote(word: string): string {
  return /[\s&|<>^]/.test(word) ? `"${word}"` : word;
}

/** The findings of one cmd statement. */
export function judgeCmdStatement(
  statement: WindowsStatement,
  environment: StatementEnvironment,
  findings: FindingList,
): void {
  for (const target of statement.redirects) judgeWrite(target, "Writes output into", findings);
  const words = statement.words.map((word) => expand(word, statement));
  if (words[0]?.startsWith("@") === true) words[0] = words[0].slice(1);
  if (words[0] === "") words.shift();
  const first = words[0] ?? "";
  if (first === "" || first.startsWith(":")) return;
  if (/%[\w]+%|![\w]+!|%~?\w/.test(first)) {
    computedName(first, words.slice(1), findings);
    return;
  }
  const name = (first.split(/[\\/]/).pop() ?? first).toLowerCase().replace(/\.(exe|com)$/, "");
  const args = words.slice(1);
  const rest = (from: number): string => args.slice(from).map(requote).join(" ");
  const context = environment.context(name, args, statement, findings);
  if (
    statement.session.downloaded.has(`${name}${/\.\w+$/.test(name) ? "" : ".exe"}`) ||
    statement.session.downloaded.has(name)
  ) {
    judgeScriptFile(first, context);
    return;
  }
  if (hasArgument(args, /^\/\?$/)) return;
  switch (name) {
    case "del":
    case "erase":
      judgeDeletion(
        {
          targets: operands(args),
          recursive: hasArgument(args, /^\/s$/i),
          force: hasArgument(args, /^\/q$/i),
          confirms: hasArgument(args, /^\/p$/i),
          command: statement.text,
        },
        findings,
      );
      return;
    case "rd":
    case "rmdir":
      judgeDeletion(
        {
          targets: operands(args),
          recursive: hasArgument(args, /^\/s$/i),
          force: hasArgument(args, /^\/q$/i),
          command: statement.text,
        },
        findings,
      );
      return;
    case "copy":
    case "xcopy": {
      const paths = operands(args);
      const credential = paths.find(
        (word) => WINDOWS_CREDENTIAL_FILE.test(word) || /harddiskvolumeshadowcopy/i.test(word),
      );
      if (credential !== undefined)
        findings.add(
          "credential-read",
          /harddiskvolumeshadowcopy|\\config\\|ntds/i.test(credential) ? "critical" : "high",
          `Copies ${credential}, which holds passwords or keys.`,
        );
      if (paths.length >= 2) judgeWrite(paths.at(-1) ?? "", "Copies files into", findings);
      else findings.add("file-write", "moderate", "Copies files here.");
      return;
    }
    case "move":
    case "ren":
    case "rename":
      judgeMove(operands(args).slice(0, 1), statement.text, findings);
      return;
    case "type":
    case "more": {
      const credential = operands(args).find((word) => WINDOWS_CREDENTIAL_FILE.test(word));
      if (credential !== undefined)
        findings.add("credential-read", "high", `Shows ${credential}, which holds passwords or keys.`);
      return;
    }
    case "set": {
      const assignment = /^(\/a\s+|\/p\s+)?"?([A-Za-z_][\w]*)=(.*?)"?$/i.exec(args.join(" "));
      if (assignment && assignment[1] === undefined)
        statement.session.cmdVariables.set((assignment[2] ?? "").toLowerCase(), assignment[3] ?? "");
      return;
    }
    case "mkdir":
    case "md":
      findings.add("file-write", "moderate", `Creates the folder ${args.join(" ")}.`);
      return;
    case "for":
      judgeFor(args, context, findings);
      return;
    case "if":
      context.runScript(rest(conditionLength(args)), "cmd");
      return;
    case "else":
      context.runScript(rest(0), "cmd");
      return;
    case "call":
      if (!(args[0] ?? "").startsWith(":")) context.runScript(rest(0), "cmd");
      return;
    case "start":
      // A quoted first argument is the window title, not the program.
      judgeStart(statement.quoted[1] === true ? args.slice(1) : args, context, findings);
      return;
    case "assoc":
    case "ftype":
    case "doskey":
      if (args.join(" ").includes("=")) findings.add("state-change", "moderate", `Changes ${name} settings.`);
      return;
    default:
      break;
  }
  if (environment.native(context)) return;
  findings.add("unknown-command", "moderate", `Runs ${first}, which cmdai does not know.`);
}

/** How many words the condition of `if` takes (`/i`, `not`, `exist X`, `A==B`, `A EQU B`). */
function conditionLength(args: readonly string[]): number {
  let index = 0;
  while (/^(\/i|not)$/i.test(args[index] ?? "")) index++;
  const word = (args[index] ?? "").toLowerCase();
  if (/^(exist|defined|errorlevel|cmdextversion)$/.test(word)) return index + 2;
  if (word.includes("==")) return word.endsWith("==") ? index + 2 : index + 1;
  if (/^(==|equ|neq|lss|leq|gtr|geq)$/i.test(args[index + 1] ?? "")) return index + 3;
  return index + 1;
}

/** `for [/r root] [/d] [/f "opts"] %x in (set) do body`: the body runs on every item, judged with the item in. */
function judgeFor(args: readonly string[], context: ToolContext, findings: FindingList): void {
  const variableIndex = args.findIndex((word) => /^%%?~?\w$/.test(word));
  const inIndex = args.findIndex((word, index) => index > variableIndex && /^in$/i.test(word));
  const doIndex = args.findIndex((word, index) => index > inIndex && /^do$/i.test(word));
  if (variableIndex === -1 || inIndex === -1 || doIndex === -1) {
    findings.add("unparseable", "high", "A for loop cmdai cannot read.");
    return;
  }
  const variable = args[variableIndex] ?? "";
  const recursiveFlag = args.slice(0, variableIndex).findIndex((word) => /^\/r$/i.test(word));
  const rootWord = recursiveFlag === -1 ? undefined : args[recursiveFlag + 1];
  const root = recursiveFlag === -1 ? undefined : rootWord === variable ? "." : (rootWord ?? ".");
  const set = args[inIndex + 1] ?? "";
  const body = args.slice(doIndex + 1).join(" ");
  const commandSet = /^\/f$/i.test(args[0] ?? "") && /^['`]/.test(set);
  if (commandSet) context.runScript(set.replace(/^['`]|['`]$/g, ""), "cmd");
  const item =
    root === undefined
      ? commandSet
        ? "*"
        : (set.split(/\s+/)[0] ?? "")
      : `${root.replace(/\\$/, "")}\\${set || "*"}`;
  const pattern = new RegExp(
    `${variable.replace(/[%~]/g, (character) => `\\${character}`)}|%%?~[a-z]*${variable.slice(-1)}`,
    "gi",
  );
  const deletes = /^\s*@?(del|erase|rd|rmdir|remove-item|ri|rm)\b/i.test(body);
  if (root !== undefined && deletes) {
    judgeDeletion({ targets: [root], recursive: true, force: !/\/p\b/i.test(body), command: body }, findings);
    return;
  }
  context.runScript(body.replace(pattern, item), "cmd");
}

/** `start ["title"] [/min /wait /b /d dir …] program args`. */
function judgeStart(args: readonly string[], context: ToolContext, findings: FindingList): void {
  let index = 0;
  while (
    index < args.length &&
    /^\/(min|max|wait|b|i|low|normal|high|realtime|abovenormal|belownormal|separate|shared|d|affinity|node|elevate)$/i.test(
      args[index] ?? "",
    )
  ) {
    if (/^\/(d|affinity|node)$/i.test(args[index] ?? "")) index++;
    index++;
  }
  const program = args.slice(index);
  if (program.length === 0) return;
  if (/^https?:/i.test(program[0] ?? "")) {
    findings.add("open-url", "moderate", `Opens ${program[0] ?? ""}.`);
    return;
  }
  context.runScript(program.map(requote).join(" "), "cmd");
}

/** Types shared by the PowerShell and cmd.exe judges. */
import type { RiskLevel } from "../types.js";

/** The two Windows shells cmdai judges; the bash grammar cannot parse either. */
export type WindowsDialect = "powershell" | "cmd";

/** One finding from a Windows rule (the same shape as the bash rules' findings). */
export interface WindowsFinding {
  rule: string;
  level: RiskLevel;
  message: string;
  saferAlternative?: string;
}

/** One simple command: its words (quotes and escapes removed) and how it joins the next one. */
export interface WindowsStatement {
  words: string[];
  /** Each word as written (quotes kept), for folding PowerShell expressions. */
  raw: string[];
  /** Whether each word was (partly) quoted: a quoted first word is a string, not a command, in PowerShell. */
  quoted: boolean[];
  /** The statement's source text. */
  text: string;
  /** Targets of `>`, `>>`, `2>`, `*>` redirections. */
  redirects: string[];
  /** `|` when the output feeds the next statement. */
  pipedToNext: boolean;
  /** Words were nested in `( … )`, `$( … )` or `{ … }` of an outer statement. */
  nested: boolean;
  /** How deep in brackets (0 at the top); a statement's pipeline neighbour has the same depth. */
  depth: number;
  /** What the tokeniser learnt about the whole script, shared by all its statements. */
  session: WindowsSession;
}

/** What earlier statements of one script established: variables, aliases, downloaded files. */
export interface WindowsSession {
  /** PowerShell variables (lower case, without `$`): a folded string, or undefined when computed. */
  variables: Map<string, string | undefined>;
  /** Variables holding a string cmdai cannot fold but can read as a path (`"$env:USERPROFILE\x"`). */
  paths: Map<string, string>;
  /** Variables that hold a script block written out literally (its body is judged where it stands). */
  blocks: Set<string>;
  /** Aliases defined with Set-Alias/New-Alias (lower case) → the command they name. */
  aliases: Map<string, string>;
  /** cmd variables set with `set NAME=value` (lower case). */
  cmdVariables: Map<string, string>;
  /** File names (lower case, no folder) written by a download earlier in the script. */
  downloaded: Set<string>;
  /** Whether the script runs elevated (Start-Process -Verb RunAs, runas, psexec -s). */
  elevated: boolean;
  /** How many scripts deep this one is (`powershell -c "cmd /c …"`), bounded against runaway nesting. */
  depth: number;
}

/** A new, empty session. */
export function newSession(depth = 0, elevated = false): WindowsSession {
  return {
    variables: new Map(),
    paths: new Map(),
    blocks: new Set(),
    aliases: new Map(),
    cmdVariables: new Map(),
    downloaded: new Set(),
    elevated,
    depth,
  };
}

/** Collects findings with a compact call. */
export class FindingList {
  readonly items: WindowsFinding[] = [];

  add(rule: string, level: RiskLevel, message: string, saferAlternative?: string): void {
    this.items.push(
      saferAlternative === undefined ? { rule, level, message } : { rule, level, message, saferAlternative },
    );
  }

  push(...findings: readonly WindowsFinding[]): void {
    this.items.push(...findings);
  }

  get length(): number {
    return this.items.length;
  }
}

/** What a rule for one program sees: its name, its arguments, and how to judge code it runs. */
export interface ToolContext {
  /** The program, lower case, without folder or `.exe`. */
  name: string;
  /** The words after the name. */
  args: string[];
  /** The arguments joined with spaces, lower case. */
  lower: string;
  session: WindowsSession;
  findings: FindingList;
  /** Judges a script the program runs (`cmd /c …`, `powershell -c …`), adding its findings. */
  runScript(script: string, dialect: WindowsDialect, elevated?: boolean): void;
  /** Judges a command line the program starts (`runas … cmd`, `Start-Process x -ArgumentList …`). */
  runWords(words: readonly string[], elevated?: boolean): void;
  /** Judges a POSIX command (`wsl rm -rf /`) with the bash rules, when the engine provides them. */
  runPosix(script: string): void;
}

/** Whether any argument matches. */
export function hasArgument(args: readonly string[], pattern: RegExp): boolean {
  return args.some((word) => pattern.test(word));
}

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

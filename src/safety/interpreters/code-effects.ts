/**
 * Turns one recognised library call into what the shell rules judge: the shell command it runs, or the shell
 * command it equals (`rm -r p`, `: > p`, `chmod 4755 p`, `kill -9 -- 1`), and the findings for what cannot be read
 * (a command or code only known at run time, decoded or downloaded code).
 */
import type { RiskLevel } from "../types.js";
import type { CallSite } from "./call-sites.js";
import { tokenise, type CodeLanguage, type Token } from "./code-lexer.js";
import { evaluate, UNKNOWN, unknown, type Scope, type Value } from "./code-values.js";
import type { Effect } from "./language-apis.js";

export interface CodeFinding {
  rule: string;
  level: RiskLevel;
  message: string;
}

/** What a program does, for the shell rules to judge. */
export interface CodeVerdict {
  /** Shell source equal to the program's effects. */
  scripts: string[];
  findings: CodeFinding[];
  /** The program calls something that changes state, or does something cmdai could not follow. */
  acts: boolean;
}

/** Reads a program (the caller's own analysis, passed in to keep the modules acyclic). */
export type Analyse = (program: InlineProgram, depth: number) => CodeVerdict;

/** A program and the words around it on the command line. */
export interface InlineProgram {
  language: CodeLanguage;
  code: string;
  /** Interpreter options before the code (`-i`, `-n`, `-p`). */
  options: readonly string[];
  /** Words after the code: input files for perl -n/-p, arguments otherwise. */
  operands: readonly string[];
}

const RUNTIME = '"$RUNTIME_VALUE"';
const MAXIMUM_DEPTH = 4;

export function languageLabel(language: CodeLanguage): string {
  return language === "javascript" ? "JavaScript" : language === "r" ? "R" : language;
}

export function unreadable(what: string, label: string): CodeFinding {
  return {
    rule: "unreadable-code",
    level: "high",
    message: `Passes code to ${label} that cmdai cannot read: it ${what}.`,
  };
}

export function evaluateParts(token: Token, scope: Scope): Value {
  const tokens: Token[] = [{ kind: "string", text: '"', parts: token.parts ?? [] }];
  return evaluate(tokens, 0, 1, scope);
}

export interface EffectResult {
  acts: boolean;
  scripts: string[];
  findings: CodeFinding[];
  reads: string[];
}

export function applyEffect(
  effect: Effect,
  site: CallSite,
  values: Value[],
  source: string,
  tokens: readonly Token[],
  scope: Scope,
  program: InlineProgram,
  depth: number,
  analyse: Analyse,
): EffectResult {
  const result: EffectResult = { acts: true, scripts: [], findings: [], reads: [] };
  const label = languageLabel(scope.language);
  const verdict: CodeVerdict = { scripts: result.scripts, findings: result.findings, acts: true };
  const receiver = site.receiver?.[0]
    ? evaluate(tokens, site.receiver[0][0], site.receiver[0][1], scope)
    : undefined;
  const target = (effect as { receiver?: boolean }).receiver === true ? receiver : values[0];
  switch (effect.kind) {
    case "shell": {
      const first = values[0] ?? unknown();
      if (
        values.length > 1 &&
        values.every((value) => value.items === undefined) &&
        (scope.language === "perl" || scope.language === "ruby")
      )
        shellWords(values, label, site.name, verdict);
      else if (first.items !== undefined) shellWords(first.items, label, site.name, verdict);
      else shellCommand(first, label, site.name, verdict);
      break;
    }
    case "program": {
      const program_ = values[effect.program] ?? unknown();
      let rest: Value[];
      if (effect.listKey !== undefined) {
        const keyed = new RegExp(`${effect.listKey}\\s*:\\s*\\[([^\\]]*)\\]`).exec(source);
        const listTokens = keyed ? tokenise(`[${keyed[1] ?? ""}]`, scope.language) : [];
        const list = keyed ? evaluate(listTokens, 0, listTokens.length, scope) : values[effect.list ?? 0];
        const items = list?.items ?? [];
        rest = effect.list === 0 && effect.program === 0 ? items : [program_, ...items];
        if (effect.list === 0 && values[0]?.items !== undefined) rest = values[0].items;
      } else if (effect.list !== undefined)
        rest = [
          program_,
          ...(values[effect.list]?.items ?? (values[effect.list] ? [values[effect.list] ?? unknown()] : [])),
        ];
      else rest = [program_, ...values.slice(effect.program + (effect.skipZero === true ? 2 : 1))];
      shellWords(rest, label, site.name, verdict);
      break;
    }
    case "code":
      codeSink(values[0] ?? unknown(), site.name, { program, depth, analyse }, verdict, label);
      break;
    case "delete": {
      const recursive =
        effect.recursive === "option"
          ? /recursive\s*[:=]\s*(?:true|TRUE|T)\b/.test(source)
          : effect.recursive;
      const targets = target?.items ?? (target ? [target] : []);
      const extra =
        effect.receiver === true
          ? []
          : values.slice(1).filter((value) => value.text.startsWith("/") || value.text.startsWith("~"));
      for (const path of [...targets, ...(scope.language === "perl" ? values.slice(1) : extra)])
        // Deleting every file of a folder (`DIR/*`) empties the folder: judged as deleting what is in it.
        result.scripts.push(`${recursive || /\/\*$/.test(path.text) ? "rm -r" : "rm"} ${pathWord(path)}`);
      break;
    }
    case "write": {
      if (target === undefined) break;
      const mode = effect.mode === undefined ? undefined : (values[effect.mode]?.text ?? keywordMode(source));
      const opened = openMode(scope.language, target, mode, source, effect, values);
      if (opened === undefined) break;
      if (opened.kind === "shell") {
        shellCommand(opened.path, label, site.name, verdict);
        break;
      }
      if (opened.kind === "read") {
        if (!opened.path.text.includes(UNKNOWN)) result.reads.push(opened.path.text);
        result.acts = false;
        break;
      }
      const content =
        effect.content === undefined || effect.content === 99 ? undefined : values[effect.content];
      const append = opened.append || /FILE_APPEND|mode:\s*["']a|flag:\s*["']a/.test(source);
      const path = effect.content === 99 ? values[1] : opened.path;
      if (path === undefined) break;
      result.scripts.push(
        content !== undefined && !content.text.includes(UNKNOWN)
          ? `printf %s ${quote(content.text)} ${append ? ">>" : ">"} ${pathWord(path)}`
          : `: ${append ? ">>" : ">"} ${pathWord(path)}`,
      );
      break;
    }
    case "read":
      if (target !== undefined && !target.text.includes(UNKNOWN)) result.reads.push(target.text);
      result.acts = false;
      break;
    case "move":
    case "copy":
      // A copy writes its destination; what it reads stays on the machine.
      if (values.length >= 2)
        result.scripts.push(
          effect.kind === "move"
            ? `mv ${pathWord(values[0] ?? unknown())} ${pathWord(values[1] ?? unknown())}`
            : `: > ${pathWord(values[1] ?? unknown())}`,
        );
      break;
    case "chmod": {
      const mode = octal(values[effect.mode]?.text ?? "");
      const paths =
        effect.receiver === true
          ? receiver
            ? [receiver]
            : []
          : values.slice(effect.path, effect.path === 0 ? 1 : undefined);
      for (const path of paths.flatMap((value) => value.items ?? [value]))
        result.scripts.push(`chmod ${mode} ${pathWord(path)}`);
      break;
    }
    case "chown": {
      const paths = values.filter((value) => !/^-?\d+$/.test(value.text) && value.text !== UNKNOWN);
      for (const path of paths.slice(
        0,
        scope.language === "python" || scope.language === "php" || scope.language === "javascript"
          ? 1
          : undefined,
      ))
        result.scripts.push(`chown 0:0 ${pathWord(path)}`);
      break;
    }
    case "kill": {
      const pid = values[effect.pid]?.text ?? UNKNOWN;
      if (/^-?\d+$/.test(pid)) result.scripts.push(`kill -9 -- ${pid}`);
      break;
    }
    case "mkdir":
      if (target !== undefined) result.scripts.push(`mkdir -p ${pathWord(target)}`);
      break;
    case "network":
      result.acts = false;
      break;
    case "root":
      if (values[0]?.text === "0")
        result.findings.push({
          rule: "privilege-escalation",
          level: "high",
          message: `Inline ${label} code switches to root (set user id 0).`,
        });
      break;
    case "change":
      result.findings.push({
        rule: "inline-code",
        level: "moderate",
        message: `Inline ${label} code ${effect.what}.`,
      });
      break;
  }
  return result;
}

function keywordMode(source: string): string | undefined {
  return /mode\s*=\s*["']([^"']*)["']/.exec(source)?.[1];
}

type Opened = { kind: "read" | "write" | "shell"; path: Value; append: boolean };

/** What an open call does with its path, from the mode (python/ruby/php/lua/JS) or perl's 2- and 3-argument forms. */
function openMode(
  language: CodeLanguage,
  path: Value,
  mode: string | undefined,
  source: string,
  effect: Effect,
  values: readonly Value[],
): Opened | undefined {
  if (effect.kind !== "write") return undefined;
  if (effect.mode === undefined) return { kind: "write", path, append: effect.append === true };
  if (language === "perl") {
    const [first, second] = values.slice(1);
    if (first === undefined) return undefined;
    if (second !== undefined) {
      const perlMode = first.text.trim();
      if (perlMode === "|-" || perlMode === "-|") return { kind: "shell", path: second, append: false };
      // `open STDOUT, ">&", $socket` duplicates a handle: no file is opened.
      if (perlMode.includes("&")) return undefined;
      if (perlMode.includes(">") || perlMode.includes("+<"))
        return { kind: "write", path: second, append: perlMode.includes(">>") };
      return { kind: "read", path: second, append: false };
    }
    const spec = /^\s*(\+?[<>]{0,2}|\|)?\s*(.*?)\s*(\|)?\s*$/s.exec(first.text);
    const operator = spec?.[1] ?? "";
    const rest = { ...first, text: spec?.[2] ?? first.text };
    if (operator === "|" || spec?.[3] === "|") return { kind: "shell", path: rest, append: false };
    if (rest.text.startsWith("&")) return undefined;
    if (operator.includes(">")) return { kind: "write", path: rest, append: operator.includes(">>") };
    return { kind: "read", path: rest, append: false };
  }
  const flags = mode ?? (/O_(?:WRONLY|RDWR|CREAT|TRUNC|APPEND)/.test(source) ? "w" : "r");
  if (/O_APPEND/.test(source)) return { kind: "write", path, append: true };
  if (/O_(?:WRONLY|RDWR|CREAT|TRUNC)/.test(source) || /[wax+]/.test(flags))
    return { kind: "write", path, append: flags.includes("a") };
  return { kind: "read", path, append: false };
}

function octal(text: string): string {
  const digits = text.replace(/^0[oO]/, "").replace(/_/g, "");
  if (!/^[0-7]+$/.test(digits)) return /^\d+$/.test(text) ? Number(text).toString(8) : "777";
  return digits.length > 3 ? digits.replace(/^0+(?=\d{3})/, "") : digits;
}

/** A command given as one string: judge it as shell source, or say it cannot be read. */
export function shellCommand(value: Value, label: string, via: string, verdict: CodeVerdict): void {
  const text = value.text;
  if (text.replace(new RegExp(UNKNOWN, "g"), "").trim() === "") {
    verdict.findings.push(
      value.remote === true
        ? {
            rule: "remote-script",
            level: "high",
            message: `Inline ${label} code runs a command downloaded at run time (through ${via}).`,
          }
        : unreadable(`runs a shell command (through ${via}) that is only known at run time`, label),
    );
    return;
  }
  if (value.decoded === true) verdict.findings.push(decodedFinding(label));
  verdict.scripts.push(text.replace(new RegExp(UNKNOWN, "g"), RUNTIME));
}

/** A program and its arguments as separate words. */
function shellWords(words: readonly Value[], label: string, via: string, verdict: CodeVerdict): void {
  const first = words[0];
  if (first === undefined || first.text.includes(UNKNOWN)) {
    verdict.findings.push(
      unreadable(`runs a program (through ${via}) whose name is only known at run time`, label),
    );
    return;
  }
  if (words.some((word) => word.decoded === true)) verdict.findings.push(decodedFinding(label));
  verdict.scripts.push(words.map((word) => pathWord(word)).join(" "));
}

function decodedFinding(label: string): CodeFinding {
  return {
    rule: "decoded-payload",
    level: "high",
    message: `Inline ${label} code decodes what it runs (base64, hex, character codes), hiding it from review.`,
  };
}

function codeSink(
  value: Value,
  via: string,
  context: { program: InlineProgram; depth: number; analyse: Analyse },
  verdict: CodeVerdict,
  label: string,
): void {
  const { program, depth, analyse } = context;
  const text = value.text;
  if (text.includes(UNKNOWN) || depth >= MAXIMUM_DEPTH || /pickle|marshal/.test(via)) {
    verdict.findings.push(
      value.remote === true
        ? {
            rule: "remote-script",
            level: "high",
            message: `Passes code to ${label} that cmdai cannot read: it runs code downloaded at run time (through ${via}).`,
          }
        : unreadable(
            `runs ${label} code (through ${via}) that is ${value.decoded === true ? "decoded or " : ""}built at run time`,
            label,
          ),
    );
    if (!text.includes(UNKNOWN) || text.replace(new RegExp(UNKNOWN, "g"), "").length < 4) return;
  }
  if (value.decoded === true) verdict.findings.push(decodedFinding(label));
  const inner = analyse({ ...program, code: text.replace(new RegExp(UNKNOWN, "g"), "") }, depth + 1);
  verdict.scripts.push(...inner.scripts);
  verdict.findings.push(...inner.findings);
}

/** A word for the shell: kept bare when it is plain (so `~`, `$HOME` and globs read as the path they name). */
export function pathWord(value: Value): string {
  const text = value.text;
  if (text.includes(UNKNOWN)) {
    const pieces = text.split(UNKNOWN).map((piece) => piece.replace(/["\\$`]/g, "\\$&"));
    return `"${pieces.join("$RUNTIME_VALUE")}"`;
  }
  return quote(text);
}

export function quote(word: string): string {
  if (word === "") return "''";
  return /^[\w./~*@%+=:,$-]+$/.test(word) && !/\$(?!HOME\b|\{HOME\})/.test(word)
    ? word
    : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Whether reading this path could be reading a secret, so it is worth judging as `cat PATH`: absolute paths, the
 * home, hidden files and names that sound like keys or credentials. A plain relative name (`data.csv`) is not,
 * which keeps the engine from judging a `cat` for every input file of every awk or sed command.
 */
export function mayHoldSecret(path: string): boolean {
  return /^[/~$]|(?:^|\/)\.|key|cred|secret|token|pass|shadow|id_|\.pem|\.p12|\.pfx|kdbx|netrc|auth|wallet|cookie|history|login|\.env/i.test(
    path,
  );
}

/** Whether an environment variable's name sounds like it holds a secret. */
export function maySecretVariable(name: string): boolean {
  return /KEY|SECRET|TOKEN|PASS|CRED|AUTH|PRIVATE|SESSION|COOKIE|AWS|GITHUB|GH_|NPM|API|DSN|DATABASE_URL/i.test(
    name,
  );
}

/**
 * Reads a one-line program (or a here-doc) handed to python, perl, ruby, node/deno/bun, php, lua, R, julia or
 * elixir and says what it would do to the system, in a form the shell rules already judge: each command it runs
 * becomes shell source (`os.system("rm -rf ~")` is `rm -rf ~`), each file call becomes the shell command it equals
 * (`shutil.rmtree(p)` is `rm -rf p`, `open(p, "w")` is `: > p`), and a secret read together with a network call
 * becomes the upload it is. What it cannot read — code or commands that are decoded, downloaded, taken from the
 * environment or built at run time, functions whose name is computed — comes back as a finding rated high.
 */
import type { RiskLevel } from "../types.js";
import { matchingClose, tokenise, type CodeLanguage, type Token } from "./code-lexer.js";
import {
  argumentsOf,
  evaluate,
  sourceOf,
  splitTop,
  UNKNOWN,
  unknown,
  type Scope,
  type Value,
} from "./code-values.js";
import { BARE_CALLS, LANGUAGE_APIS, type Effect } from "./language-apis.js";

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

/** A program and the words around it on the command line. */
export interface InlineProgram {
  language: CodeLanguage;
  code: string;
  /** Interpreter options before the code (`-i`, `-n`, `-p`). */
  options: readonly string[];
  /** Words after the code: input files for perl -n/-p, arguments otherwise. */
  operands: readonly string[];
}

interface CallSite {
  name: string;
  dynamic: boolean;
  open: number;
  close: number;
  /** Argument ranges in tokens. */
  args: [number, number][];
  receiver: [number, number][] | undefined;
}

/** Stands in for a value the shell rules should treat as unknown. */
const RUNTIME = '"$RUNTIME_VALUE"';
const MAXIMUM_DEPTH = 4;
const IMPORTERS =
  /^(?:require|__import__|import_module|importlib\.import_module|import|process\.mainModule\.require|module\.require|require_once)$/;
const INDIRECT =
  /^(?:send|public_send|__send__|call_user_func|call_user_func_array|Kernel\.send|Object\.send|method)$/;
const SOCKET = /sock|Socket|TCPSocket|fsockopen|\/inet\/tcp/;
const CONNECTS =
  /connect|TCPSocket|Socket\.new|Socket\.INET|IO\.Socket|net\.Socket|fsockopen|createConnection|socket\(|stream_socket_client/;
const HANDS_OVER_SHELL =
  /subprocess|pty\.spawn|dup2|exec\s*\(|exec\s+"|\/bin\/(?:ba|z|da)?sh|cmd\.exe|child_process|spawn\s*\(|IO\.popen|popen\(|proc_open|system\(|open\(STDIN|open STDIN/;
const FORK_BOMB =
  /fork\s*(while|until)\s*fork|while\s*\(?\s*(1|true|True)\s*\)?\s*:?\s*\{?\s*(os\.)?fork\(?\)?|(os\.)?fork\(\)\s*while|fork\s+while\s+1|loop\s*\{\s*fork\s*\}|iter\(int,\s*1\)\)?\]?|for\s*\(\s*;\s*;\s*\)\s*\S*(fork|spawn)/;
const ENVIRONMENT_DUMP =
  /(?:os\.environ(?![[.])|process\.env(?![.[])|%ENV|ENV\.to_h|getenv\(\)|\$_ENV(?!\[)|ENV\.to_a|Sys\.getenv\(\))/;

export function analyseProgram(program: InlineProgram, depth = 0): CodeVerdict {
  const verdict: CodeVerdict = { scripts: [], findings: [], acts: false };
  const { language, code } = program;
  const tokens = tokenise(code, language);
  const scope = collectScope(tokens, code, language);
  const reads: string[] = [];
  let network: string | undefined;
  const label = languageLabel(language);
  for (const site of callSites(tokens, scope)) {
    if (site.dynamic) {
      verdict.findings.push(
        unreadable(`calls a ${label} function whose name is computed at run time`, label),
      );
      continue;
    }
    const effect = effectOf(language, site.name);
    if (effect === undefined) continue;
    const args = site.args.filter(([start]) => !isKeywordArgument(tokens, start));
    const values = args.map(([start, end]) => evaluate(tokens, start, end, scope));
    const source = sourceOf(tokens, site.open, site.close + 1);
    const result = applyEffect(effect, site, values, source, tokens, scope, program, depth);
    verdict.acts ||= result.acts;
    verdict.scripts.push(...result.scripts);
    verdict.findings.push(...result.findings);
    reads.push(...result.reads);
    if (effect.kind === "network")
      network ??= values.find((value) => /^https?:|^\d+\./.test(value.text))?.text ?? "the network";
  }
  // Backticks, qx{} and %x() run a shell command wherever they appear.
  for (const token of tokens)
    if (token.kind === "command") {
      verdict.acts = true;
      shellCommand(evaluateParts(token, scope), label, "a backtick command", verdict);
    }
  if (SOCKET.test(code) && CONNECTS.test(code) && HANDS_OVER_SHELL.test(code))
    verdict.findings.push({
      rule: "reverse-shell",
      level: "critical",
      message: `Inline ${label} code opens a network connection and hands it a shell: someone else would control this machine.`,
    });
  if (FORK_BOMB.test(code))
    verdict.findings.push({
      rule: "fork-bomb",
      level: "critical",
      message: "A fork bomb: it copies itself until the machine runs out of processes and freezes.",
    });
  judgeOperands(program, code, reads, verdict);
  if (network !== undefined) {
    verdict.acts = true;
    const target = network === "the network" ? "https://unknown.example" : quote(network);
    for (const path of reads) verdict.scripts.push(`cat ${quote(path)} | curl -d @- ${target}`);
    if (ENVIRONMENT_DUMP.test(code)) verdict.scripts.push(`env | curl -d @- ${target}`);
    for (const name of scope.environmentReads)
      verdict.scripts.push(`printenv ${name} | curl -d @- ${target}`);
  } else for (const path of reads) verdict.scripts.push(`cat ${quote(path)}`);
  for (const name of scope.environmentReads)
    if (network === undefined) verdict.scripts.push(`printenv ${name}`);
  return verdict;
}

function languageLabel(language: CodeLanguage): string {
  return language === "javascript" ? "JavaScript" : language === "r" ? "R" : language;
}

function unreadable(what: string, label: string): CodeFinding {
  return {
    rule: "unreadable-code",
    level: "high",
    message: `Passes code to ${label} that cmdai cannot read: it ${what}.`,
  };
}

function effectOf(language: CodeLanguage, name: string): Effect | undefined {
  const table = LANGUAGE_APIS[language] ?? [];
  for (const [pattern, effect] of table) if (pattern.test(name)) return effect;
  return undefined;
}

/** Python `shell=True`, ruby `mode: "a"`, JS `{stdio: "inherit"}`: options, not positional arguments. */
function isKeywordArgument(tokens: readonly Token[], start: number): boolean {
  const first = tokens[start];
  const next = tokens[start + 1];
  if (first?.kind === "name" && next?.kind === "punct" && (next.text === "=" || next.text === ":"))
    return true;
  if (first?.kind === "punct" && first.text === "{" && tokens[start + 2]?.text === ":") return true;
  return false;
}

/** Import aliases, variables and loop variables the evaluator may need. */
function collectScope(tokens: readonly Token[], code: string, language: CodeLanguage): Scope {
  const scope: Scope = {
    language,
    variables: new Map(),
    aliases: new Map(),
    environmentReads: new Set(),
    depth: 0,
  };
  const alias = (name: string, target: string): void => {
    scope.aliases.set(name.trim(), normaliseModule(target.trim()));
  };
  for (const match of code.matchAll(/\bimport\s+([\w.]+)\s+as\s+(\w+)/g))
    alias(match[2] ?? "", match[1] ?? "");
  for (const match of code.matchAll(/\bfrom\s+([\w.]+)\s+import\s+([\w\s,]+)/g))
    for (const item of (match[2] ?? "").split(",")) {
      const [name = "", as] = item.trim().split(/\s+as\s+/);
      if (name !== "") alias(as ?? name, `${match[1] ?? ""}.${name}`);
    }
  for (const match of code.matchAll(
    /(\w+)\s*=\s*(?:process\.mainModule\.)?require\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
  ))
    alias(match[1] ?? "", match[2] ?? "");
  for (const match of code.matchAll(/\{([^}]*)\}\s*=\s*require\(\s*["'`]([^"'`]+)["'`]\s*\)/g))
    destructure(match[1] ?? "", match[2] ?? "", alias, ":");
  for (const match of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']([^"']+)["']/g))
    destructure(match[1] ?? "", match[2] ?? "", alias, " as ");
  for (const match of code.matchAll(/import\s+(?:\*\s+as\s+)?(\w+)\s+from\s+["']([^"']+)["']/g))
    alias(match[1] ?? "", match[2] ?? "");
  for (const match of code.matchAll(/import\(\s*["']([^"']+)["']\s*\)\.then\(\s*\(?\s*(\w+)/g))
    alias(match[2] ?? "", match[1] ?? "");
  // Assignments: `x = …`, `my $x = …`, `const x = …`, `local x = …`, in order, so later ones see earlier ones.
  for (let index = 1; index < tokens.length; index++) {
    const token = tokens[index];
    const target = tokens[index - 1];
    if (token?.text !== "=" || token.kind !== "punct" || target?.kind !== "name") continue;
    if (tokens[index - 2]?.text === "." || tokens[index - 2]?.text === "->") continue;
    let end = index + 1;
    let level = 0;
    for (; end < tokens.length; end++) {
      const text = tokens[end]?.kind === "punct" ? tokens[end]?.text : undefined;
      if (text === undefined) continue;
      if ("([{".includes(text)) level++;
      else if (")]}".includes(text)) {
        if (--level < 0) break;
      } else if (level === 0 && (text === ";" || (text === "," && language !== "python"))) break;
    }
    const value = evaluate(tokens, index + 1, end, scope);
    if (!IMPORTERS.test(tokens[index + 1]?.text ?? ""))
      scope.variables.set(target.text.replace(/^[$@%]/, ""), value);
  }
  // Loop variables: `for f in glob.glob("/etc/*")`, `for (const d of list)`, `….each { |d|`, `foreach my $f (…)`.
  const loops = [
    /\bfor\s+(\w+)\s+in\s+([^:\]]+?)(?:\]|:|\bif\b|$)/g,
    /\bfor\s*\(\s*(?:const|let|var)?\s*(\w+)\s+of\s+([^)]+(?:\)[^)]*)*?)\)\s/g,
    /([\w.]+\([^)]*\)|\w+)\.each\s*(?:\{|do)\s*\|(\w+)\|/g,
    /\bforeach\s+(?:my\s+)?\$(\w+)\s*\(([^)]*(?:\([^)]*\))?[^)]*)\)/g,
  ];
  loops.forEach((pattern, which) => {
    for (const match of code.matchAll(pattern)) {
      const [variable, source] = which === 2 ? [match[2], match[1]] : [match[1], match[2]];
      if (variable === undefined || source === undefined) continue;
      const sourceTokens = tokenise(source, language);
      const value = evaluate(sourceTokens, 0, sourceTokens.length, scope);
      scope.variables.set(variable, value.items?.[0] ?? value);
    }
  });
  return scope;
}

function destructure(
  list: string,
  module: string,
  alias: (name: string, target: string) => void,
  separator: string,
): void {
  for (const item of list.split(",")) {
    const [name = "", as] = item.trim().split(separator);
    if (name.trim() !== "") alias((as ?? name).trim(), `${module}.${name.trim()}`);
  }
}

function normaliseModule(name: string): string {
  return name
    .replace(/^node:/, "")
    .replace(/^fs\/promises(?=$|\.)/, "fs")
    .replace(/^fs\.promises(?=$|\.)/, "fs");
}

/** Every call in the program, with its qualified name (aliases and importers resolved). */
function callSites(tokens: readonly Token[], scope: Scope): CallSite[] {
  const sites: CallSite[] = [];
  const bare = BARE_CALLS[scope.language];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token?.kind !== "name") continue;
    const previous = tokens[index - 1]?.text;
    if (previous === "." || previous === "::" || previous === "->" || previous === "?.") continue;
    let qualified = "";
    let dynamic = false;
    let receiver: [number, number][] | undefined;
    let position = index;
    while (position < tokens.length) {
      const part = tokens[position];
      if (part?.kind !== "name") break;
      const name =
        qualified === "" ? (scope.aliases.get(part.text) ?? resolvedVariable(part.text, scope)) : part.text;
      qualified = qualified === "" ? name : `${qualified}.${name}`;
      position++;
      while (tokens[position]?.text === "(" || tokens[position]?.text === "[") {
        const open = position;
        const close = matchingClose(tokens, open);
        const args = splitTop(tokens, open + 1, close, [","]);
        if (tokens[open]?.text === "[") {
          const key = evaluate(tokens, open + 1, close, scope);
          if (key.text.includes(UNKNOWN) && tokens[close + 1]?.text === "(") dynamic = true;
          else if (!/^-?\d+$/.test(key.text)) qualified = `${qualified}.${key.text}`;
          position = close + 1;
          continue;
        }
        const values = argumentsOf(tokens, open, close, scope);
        const base = qualified.replace(/^.*\.(?=(?:require|import)$)/, "");
        if (IMPORTERS.test(qualified) || IMPORTERS.test(base)) {
          const module = values[0]?.text ?? UNKNOWN;
          if (module.includes(UNKNOWN)) dynamic = true;
          qualified = normaliseModule(module);
        } else if (qualified === "getattr" || qualified.endsWith(".getattr")) {
          const attribute = values[1]?.text ?? UNKNOWN;
          const objectTokens = args[0];
          const object = objectTokens ? sourceOf(tokens, objectTokens[0], objectTokens[1]) : "";
          if (attribute.includes(UNKNOWN)) dynamic = tokens[close + 1]?.text === "(";
          qualified = `${scope.aliases.get(object) ?? object}.${attribute}`;
        } else if (INDIRECT.test(qualified) || INDIRECT.test(qualified.replace(/^.*\./, ""))) {
          const target = values[0]?.text ?? UNKNOWN;
          if (target.includes(UNKNOWN)) dynamic = true;
          sites.push({ name: target, dynamic, open, close, args: args.slice(1), receiver });
          qualified = `${target}()`;
        } else {
          sites.push({ name: qualified, dynamic, open, close, args, receiver });
          receiver = args;
          qualified = `${qualified}()`;
        }
        position = close + 1;
      }
      const separator = tokens[position]?.text;
      if (
        (separator === "." || separator === "::" || separator === "->" || separator === "?.") &&
        tokens[position + 1]?.kind === "name"
      ) {
        position++;
        continue;
      }
      break;
    }
    // `system "rm", "-rf", "/"`, `unlink glob "/etc/*"`: perl and ruby calls without parentheses.
    const next = tokens[position];
    if (
      bare?.test(qualified) === true &&
      position === index + 1 &&
      next !== undefined &&
      startsArgument(next)
    ) {
      const end = statementEnd(tokens, position);
      sites.push({
        name: qualified,
        dynamic: false,
        open: position - 1,
        close: end - 1,
        args: splitTop(tokens, position, end, [","]),
        receiver: undefined,
      });
    }
  }
  return sites;
}

function resolvedVariable(name: string, scope: Scope): string {
  // PHP `$f = "sys" . "tem"; $f(…)`: a variable holding a function name.
  if (!/^\$/.test(name) && scope.language !== "javascript" && scope.language !== "python") return name;
  const value = scope.variables.get(name.replace(/^\$/, ""));
  if (value === undefined || !/^[A-Za-z_][\w.:]*$/.test(value.text)) return name;
  return value.text;
}

function startsArgument(token: Token): boolean {
  if (
    token.kind === "string" ||
    token.kind === "words" ||
    token.kind === "number" ||
    token.kind === "command"
  )
    return true;
  if (token.kind === "name")
    return !/^(?:if|unless|and|or|for|while|until|do|then|x|eq|ne|lt|gt)$/.test(token.text);
  return token.text === "<" || token.text === "@" || token.text === "$" || token.text === "-";
}

function statementEnd(tokens: readonly Token[], start: number): number {
  let level = 0;
  for (let index = start; index < tokens.length; index++) {
    const token = tokens[index];
    if (
      token?.kind === "name" &&
      level === 0 &&
      /^(?:if|unless|or|and|for|foreach|while|until)$/.test(token.text)
    )
      return index;
    if (token?.kind !== "punct") continue;
    if ("([{".includes(token.text)) level++;
    else if (")]}".includes(token.text)) {
      if (--level < 0) return index;
    } else if (level === 0 && (token.text === ";" || token.text === "||" || token.text === "&&"))
      return index;
  }
  return tokens.length;
}

function evaluateParts(token: Token, scope: Scope): Value {
  const tokens: Token[] = [{ kind: "string", text: '"', parts: token.parts ?? [] }];
  return evaluate(tokens, 0, 1, scope);
}

interface EffectResult {
  acts: boolean;
  scripts: string[];
  findings: CodeFinding[];
  reads: string[];
}

function applyEffect(
  effect: Effect,
  site: CallSite,
  values: Value[],
  source: string,
  tokens: readonly Token[],
  scope: Scope,
  program: InlineProgram,
  depth: number,
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
        scope.language !== "python"
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
      codeSink(values[0] ?? unknown(), site.name, program, depth, verdict, label);
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
        result.scripts.push(`${recursive ? "rm -r" : "rm"} ${pathWord(path)}`);
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
      if (perlMode.includes(">") || perlMode.includes("+<"))
        return { kind: "write", path: second, append: perlMode.includes(">>") };
      if (perlMode.startsWith("<&") || perlMode.startsWith(">&")) return undefined;
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
function shellCommand(value: Value, label: string, via: string, verdict: CodeVerdict): void {
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
  program: InlineProgram,
  depth: number,
  verdict: CodeVerdict,
  label: string,
): void {
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
  const inner = analyseProgram({ ...program, code: text.replace(new RegExp(UNKNOWN, "g"), "") }, depth + 1);
  verdict.scripts.push(...inner.scripts);
  verdict.findings.push(...inner.findings);
}

/** `perl -i` edits its operands in place; `perl -n`/`-p` and `<>` read them. */
function judgeOperands(program: InlineProgram, code: string, reads: string[], verdict: CodeVerdict): void {
  if (program.language !== "perl" && program.language !== "ruby") return;
  const options = program.options.join(" ");
  const inPlace = /(?:^|\s)-[a-zA-Z0-9]*i/.test(options);
  const readsInput = /(?:^|\s)-[a-zA-Z0-9]*[np]/.test(options) || /<>|<STDIN>|ARGF|\$<|gets/.test(code);
  for (const operand of program.operands) {
    if (operand.startsWith("-")) continue;
    if (inPlace) {
      verdict.acts = true;
      verdict.scripts.push(`: > ${pathWord({ text: operand })}`);
    } else if (readsInput) reads.push(operand);
  }
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

function quote(word: string): string {
  if (word === "") return "''";
  return /^[\w./~*@%+=:,$-]+$/.test(word) && !/\$(?!HOME\b|\{HOME\})/.test(word)
    ? word
    : `'${word.replace(/'/g, `'\\''`)}'`;
}

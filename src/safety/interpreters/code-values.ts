/**
 * Works out, without running anything, the value of an expression in a one-line program: string literals and their
 * concatenation (`"r" + "m -rf ~"`, `"sys" . "tem"`, awk's `"rm -rf " t`), variables assigned earlier, `chr(114)`,
 * `os.path.join`, `sprintf`, `join`, the home folder in every spelling (`os.path.expanduser("~")`, `Dir.home`,
 * `$ENV{HOME}`), and trivially static decoders (base64, hex, rot13). Parts it cannot know become {@link UNKNOWN};
 * a value that came out of a decoder, the network or stdin says so, so the caller can rate it by its worst case.
 */
import { matchingClose, tokenise, type CodeLanguage, type StringPart, type Token } from "./code-lexer.js";

/** Stands for a piece of a value that is only known at run time. */
export const UNKNOWN = "\uE000";

export interface Value {
  text: string;
  /** A list (`["rm", "-rf", "/"]`, `qw(…)`), when the expression is one. */
  items?: Value[];
  /** Came out of a decoder (base64, hex, rot13, `chr` arithmetic): the code hides what it does. */
  decoded?: boolean;
  /** Downloaded at run time. */
  remote?: boolean;
}

/** What the evaluator knows about the program around an expression. */
export interface Scope {
  language: CodeLanguage;
  variables: Map<string, Value>;
  /** Names bound to modules or functions (`import subprocess as s`, `const {execSync} = require(…)`). */
  aliases: Map<string, string>;
  /** Environment variables the code reads by name. */
  environmentReads: Set<string>;
  /** Depth of nested interpolations, to stop runaway recursion. */
  depth: number;
}

export const unknown = (extra: Partial<Value> = {}): Value => ({ text: UNKNOWN, ...extra });
const literal = (text: string): Value => ({ text });

const CONCAT: Partial<Record<CodeLanguage, string[]>> = {
  python: ["+"],
  javascript: ["+"],
  ruby: ["+", "<<"],
  groovy: ["+"],
  julia: ["*"],
  perl: ["."],
  php: ["."],
  lua: [".."],
  elixir: ["<>"],
  erlang: ["++"],
};

/** Source text of a token range, for the pattern tables below. */
export function sourceOf(tokens: readonly Token[], start: number, end: number): string {
  return tokens
    .slice(start, end)
    .map((token) =>
      token.kind === "string"
        ? JSON.stringify(
            token.parts?.map((part) => (typeof part === "string" ? part : UNKNOWN)).join("") ?? "",
          )
        : token.text,
    )
    .join("")
    .replace(/'/g, '"');
}

const HOME_EXPRESSION =
  /^(?:os\.path\.expanduser\("~\/?"\)|(?:pathlib\.)?Path\.home\(\)|Path\(\)\.home\(\)|Dir\.home(?:\(\))?|(?:os\.)?homedir\(\)|Sys\.getenv\("HOME"\)|System\.user_home!?\(\)|File\.expand_path\("~"\)|require\("(?:node:)?os"\)\.homedir\(\)|path\.expand\("~"\)|expanduser\("~"\)|Environment\.GetFolderPath\(.*\))$/;
const ENVIRONMENT_READ =
  /^(?:os\.environ\[|os\.environ\.get\(|os\.getenv\(|getenv\(|\$ENV\{|ENV\[|ENV\.fetch\(|process\.env\.|process\.env\[|Deno\.env\.get\(|Bun\.env\.|ENVIRON\[|Sys\.getenv\(|System\.get_env\(|\$_ENV\[|\$_SERVER\[|os\.getenv\(|env\.|\$ENV\.)"?(\w+)"?[\])}]?(?:\.\w+\(\))?$/;
const REMOTE_READ =
  /(?:urlopen|urlretrieve|requests\.(?:get|post)|httpx\.get|fetch|LWP::Simple\.get|^get|URI\.open|URI\.parse|Net::HTTP\.get|Net\.HTTP\.get|open-uri|https?\.get|file_get_contents\("https?:|curl_exec|wget|http\.request|urllib\.request\.urlopen|socket\.recv|\.recv)\b/;
const STDIN_READ =
  /(?:sys\.stdin|^input\(|^raw_input\(|<STDIN>|^<>$|STDIN\.read|\$stdin|^gets|io\.read|readFileSync\((?:0|"\/dev\/stdin")|file_get_contents\("php:\/\/stdin"\)|fgets\(STDIN|readline\(|ARGF|process\.stdin|^readLines\()/;
const PASSTHROUGH = /\.(?:decode|encode|toString|to_s|strip|rstrip|chomp|trim|read|text|decode\w*)$/;
const ARGUMENT_READ = /(?:sys\.argv|process\.argv|\$ARGV|^ARGV|\$argv|commandArgs|ARGS\[)/;

/** Evaluates tokens[start, end) as one expression. */
export function evaluate(tokens: readonly Token[], start: number, end: number, scope: Scope): Value {
  if (start >= end) return unknown();
  const parts = splitTop(tokens, start, end, CONCAT[scope.language] ?? []);
  if (scope.language === "awk" || scope.language === "tcl") {
    // Adjacent terms concatenate (`"rm -rf " t`).
    const values: Value[] = [];
    let index = start;
    while (index < end) {
      const term = readTerm(tokens, index, end, scope);
      values.push(term.value);
      index = term.next;
    }
    return joinValues(values);
  }
  if (parts.length > 1) return joinValues(parts.map(([from, to]) => evaluate(tokens, from, to, scope)));
  if (scope.language === "python" || scope.language === "ruby") {
    // `"%s -rf %s" % ("rm", "/")`
    const formatted = splitTop(tokens, start, end, ["%"]);
    const [format, args] = formatted;
    if (
      formatted.length === 2 &&
      format !== undefined &&
      args !== undefined &&
      tokens[format[0]]?.kind === "string"
    ) {
      const template = evaluate(tokens, format[0], format[1], scope);
      const values = evaluate(tokens, args[0], args[1], scope);
      return { ...template, text: substituteFormat(template.text, values.items ?? [values], PRINTF) };
    }
  }
  const term = readTerm(tokens, start, end, scope);
  if (term.next < end) {
    // `x if y`, `a or b`, ternaries: take what was read but mark the rest unknown unless it is a trailing call.
    const rest = sourceOf(tokens, term.next, end);
    if (
      /^(?:\.(?:decode|encode|toString|read|strip|rstrip|chomp|trim|to_s|text|body|content|buffer)\(?["\w-]*\)?\)*)+$/.test(
        rest,
      )
    )
      return term.value;
    return { ...term.value, text: term.value.text + UNKNOWN };
  }
  return term.value;
}

function joinValues(values: readonly Value[]): Value {
  const text = values.map((value) => value.text).join("");
  const result: Value = { text };
  if (values.some((value) => value.decoded === true)) result.decoded = true;
  if (values.some((value) => value.remote === true)) result.remote = true;
  return result;
}

/** Splits tokens[start, end) at top-level operators. */
export function splitTop(
  tokens: readonly Token[],
  start: number,
  end: number,
  operators: readonly string[],
): [number, number][] {
  const ranges: [number, number][] = [];
  let depth = 0;
  let from = start;
  for (let index = start; index < end; index++) {
    const token = tokens[index];
    if (token?.kind !== "punct") continue;
    if ("([{".includes(token.text)) depth++;
    else if (")]}".includes(token.text)) depth--;
    else if (depth === 0 && operators.includes(token.text)) {
      ranges.push([from, index]);
      from = index + 1;
    }
  }
  ranges.push([from, end]);
  return ranges.filter(([a, b]) => b > a);
}

/** A string literal's value, with interpolations resolved where possible. */
export function stringValue(parts: readonly StringPart[], scope: Scope): Value {
  const values = parts.map((part) =>
    typeof part === "string" ? literal(part) : interpolated(part.code, scope),
  );
  return joinValues(values);
}

function interpolated(code: string, scope: Scope): Value {
  if (scope.depth > 4) return unknown();
  const trimmed = code.trim();
  const perlEnvironment = /^\$ENV\{["']?(\w+)["']?\}$/.exec(trimmed);
  if (perlEnvironment) return environmentValue(perlEnvironment[1] ?? "", scope);
  const tokens = tokenise(trimmed, scope.language);
  return evaluate(tokens, 0, tokens.length, { ...scope, depth: scope.depth + 1 });
}

function environmentValue(name: string, scope: Scope): Value {
  scope.environmentReads.add(name);
  if (name === "HOME" || name === "USERPROFILE") return literal("~");
  return unknown();
}

interface Term {
  value: Value;
  next: number;
}

/** Reads one term (a literal, a list, a name chain with its calls) starting at `start`. */
export function readTerm(tokens: readonly Token[], start: number, end: number, scope: Scope): Term {
  const token = tokens[start];
  if (token === undefined) return { value: unknown(), next: end };
  let value: Value;
  let next = start + 1;
  if (token.kind === "string") value = stringValue(token.parts ?? [], scope);
  else if (token.kind === "words")
    value = listOf(
      (token.parts ?? [])
        .map((part) => (typeof part === "string" ? part : UNKNOWN))
        .join("")
        .split(/\s+/)
        .filter(Boolean)
        .map(literal),
    );
  else if (token.kind === "command") value = unknown();
  else if (token.kind === "number") value = literal(token.text);
  else if (token.kind === "punct" && token.text === "-" && tokens[start + 1]?.kind === "number") {
    value = literal(`-${tokens[start + 1]?.text ?? ""}`);
    next = start + 2;
  } else if (token.kind === "punct" && (token.text === "(" || token.text === "[" || token.text === "{")) {
    const close = Math.min(matchingClose(tokens, start), end);
    const items = splitTop(tokens, start + 1, close, [","]).map(([a, b]) => evaluate(tokens, a, b, scope));
    value = token.text === "(" && items.length === 1 && items[0] !== undefined ? items[0] : listOf(items);
    next = close + 1;
  } else if (token.kind === "punct" && token.text === "*" && scope.language === "ruby") {
    return readTerm(tokens, start + 1, end, scope);
  } else if (token.kind === "name") {
    return readNameTerm(tokens, start, end, scope);
  } else return { value: unknown(), next: start + 1 };
  // Methods on a literal: `" ".join([...])`, `["…"].pack("H*")`, `"…".decode()`.
  while (tokens[next]?.text === "." && tokens[next + 1]?.kind === "name" && next + 1 < end) {
    const method = tokens[next + 1]?.text ?? "";
    const open = next + 2;
    const hasArgs = tokens[open]?.text === "(";
    const close = hasArgs ? Math.min(matchingClose(tokens, open), end) : open - 1;
    const args = hasArgs ? argumentsOf(tokens, open, close, scope) : [];
    value = literalMethod(value, method, args);
    next = close + 1;
  }
  return { value, next };
}

function listOf(items: Value[]): Value {
  return { ...joinValues(items), text: items.map((item) => item.text).join(" "), items };
}

export function argumentsOf(tokens: readonly Token[], open: number, close: number, scope: Scope): Value[] {
  return splitTop(tokens, open + 1, close, [","]).map(([a, b]) => evaluate(tokens, a, b, scope));
}

function literalMethod(value: Value, method: string, args: readonly Value[]): Value {
  switch (method) {
    case "join":
      if (value.items === undefined && args[0]?.items !== undefined)
        return {
          ...joinValues(args[0].items),
          text: args[0].items.map((item) => item.text).join(value.text),
        };
      if (value.items !== undefined)
        return {
          ...joinValues(value.items),
          text: value.items.map((item) => item.text).join(args[0]?.text ?? ","),
        };
      return unknown();
    case "pack":
      return (args[0]?.text ?? "").startsWith("H")
        ? decoded(hexDecode(value.items?.[0]?.text ?? value.text))
        : unknown({ decoded: true });
    case "format":
      return { ...value, text: substituteFormat(value.text, args, /\{[^}]*\}/g) };
    case "decode":
    case "encode":
    case "toString":
    case "to_s":
    case "strip":
    case "chomp":
    case "trim":
    case "read":
    case "reverse":
      return method === "reverse"
        ? { ...value, text: Array.from(value.text).reverse().join(""), decoded: true }
        : value;
    default:
      return unknown();
  }
}

const PRINTF = /%%|%[-+ 0#]*\d*(?:\.\d+)?[sdifxXor]/g;
const decoded = (text: string | undefined): Value =>
  text === undefined ? unknown({ decoded: true }) : { text, decoded: true };

/** Replaces `%s`-style (or `{}`-style) placeholders with the arguments' texts. */
function substituteFormat(format: string, args: readonly Value[], placeholder: RegExp): string {
  let index = 0;
  return format.replace(placeholder, (match) => (match === "%%" ? "%" : (args[index++]?.text ?? UNKNOWN)));
}

/** A name with what follows it: `os.path.join(a, b)`, `$ENV{HOME}`, `process.env.HOME`, `x`. */
function readNameTerm(tokens: readonly Token[], start: number, end: number, scope: Scope): Term {
  let index = start;
  const calls: { name: string; args: Value[] }[] = [];
  let chain = "";
  while (index < end) {
    const token = tokens[index];
    if (token?.kind !== "name") break;
    chain += token.text;
    index++;
    let next = tokens[index];
    if (next?.text === "(") {
      const close = Math.min(matchingClose(tokens, index), end);
      calls.push({ name: chain, args: argumentsOf(tokens, index, close, scope) });
      chain += "()";
      index = close + 1;
      next = tokens[index];
    }
    while ((next?.text === "[" || (next?.text === "{" && scope.language === "perl")) && index < end) {
      const close = Math.min(matchingClose(tokens, index), end);
      const key = evaluate(tokens, index + 1, close, scope);
      chain += `[${JSON.stringify(key.text)}]`;
      index = close + 1;
      next = tokens[index];
    }
    if (
      (next?.text === "." || next?.text === "::" || next?.text === "->") &&
      tokens[index + 1]?.kind === "name"
    ) {
      chain += ".";
      index++;
      continue;
    }
    break;
  }
  const source = sourceOf(tokens, start, index).replace(/::|->/g, ".");
  return {
    value: nameValue(chain.replace(/::|->/g, "."), source, calls, scope),
    next: Math.max(index, start + 1),
  };
}

function nameValue(
  chain: string,
  source: string,
  calls: readonly { name: string; args: Value[] }[],
  scope: Scope,
): Value {
  const bare = chain.replace(/^[$@%]/, "");
  if (calls.length === 0) {
    const variable = scope.variables.get(chain) ?? scope.variables.get(bare);
    if (variable !== undefined) return variable;
  }
  if (HOME_EXPRESSION.test(source)) return literal("~");
  const environment = ENVIRONMENT_READ.exec(source);
  if (environment) return environmentValue(environment[1] ?? "", scope);
  if (STDIN_READ.test(source) || ARGUMENT_READ.test(source)) return unknown();
  if (REMOTE_READ.test(source)) return unknown({ remote: true });
  // `b64decode(…).decode()`, `Buffer.from(…).toString()`: a trailing conversion keeps the value.
  let last = calls[calls.length - 1];
  for (let index = calls.length - 1; index > 0 && PASSTHROUGH.test(calls[index]?.name ?? ""); index--)
    last = calls[index - 1];
  if (last === undefined) return unknown();
  const name = (scope.aliases.get(last.name) ?? last.name).replace(/^[$@]/, "");
  const base = name.replace(/^.*\./, "");
  const args = last.args;
  const first = args[0];
  switch (base) {
    case "chr":
    case "fromCharCode":
    case "char":
    case "Char":
      return decoded(args.map((arg) => String.fromCharCode(Number(arg.text))).join(""));
    case "b64decode":
    case "decodebytes":
    case "urlsafe_b64decode":
    case "atob":
    case "decode_base64":
    case "decode64":
    case "strict_decode64":
    case "urlsafe_decode64":
    case "base64_decode":
    case "base64decode":
      return decoded(base64Decode(first?.text));
    case "fromhex":
    case "unhexlify":
    case "hex2bin":
      return decoded(hexDecode(first?.text));
    case "pack":
      return (first?.text ?? "").startsWith("H")
        ? decoded(hexDecode(args[1]?.text))
        : unknown({ decoded: true });
    case "from":
      if (name.endsWith("Buffer.from")) {
        const encoding = args[1]?.text;
        if (encoding === "base64") return decoded(base64Decode(first?.text));
        if (encoding === "hex") return decoded(hexDecode(first?.text));
        return first ?? unknown();
      }
      return unknown();
    case "decode":
      if (/rot_?13/.test(args[1]?.text ?? "")) return decoded(rot13(first?.text));
      return /codecs/.test(name) ? unknown({ decoded: true }) : (first ?? unknown());
    case "str_rot13":
      return decoded(rot13(first?.text));
    case "decompress":
    case "gzinflate":
    case "gzuncompress":
    case "inflateSync":
    case "gunzipSync":
    case "loads":
      return unknown({ decoded: true });
    case "join":
      if (/path|File|os\.path/.test(name) || name === "join" ? /path|File/.test(name) : false)
        return pathJoin(args);
      if (scope.language === "perl" || name === "join") return textJoin(first?.text ?? "", args.slice(1));
      return pathJoin(args);
    case "implode":
      return textJoin(first?.text ?? "", args.slice(1));
    case "resolve":
    case "abspath":
    case "realpath":
    case "normpath":
    case "expanduser":
    case "expand_path":
    case "Path":
    case "PurePath":
    case "str":
    case "String":
    case "compile":
    case "strip":
    case "chomp":
    case "trim":
    case "fspath":
      return name === "compile" || first === undefined
        ? (first ?? unknown())
        : { ...first, text: first.text };
    case "glob":
    case "iglob":
    case "rglob":
      return first ?? unknown();
    case "sprintf":
    case "format":
      return { ...joinValues(args), text: substituteFormat(first?.text ?? UNKNOWN, args.slice(1), PRINTF) };
    case "paste":
    case "paste0":
      return textJoin(base === "paste0" ? "" : " ", args);
    default:
      return unknown();
  }
}

function textJoin(separator: string, args: readonly Value[]): Value {
  const items = args.flatMap((arg) => arg.items ?? [arg]);
  return { ...joinValues(items), text: items.map((item) => item.text).join(separator) };
}

function pathJoin(args: readonly Value[]): Value {
  let text = "";
  for (const arg of args) {
    if (arg.text.startsWith("/")) text = arg.text;
    else text = text === "" ? arg.text : `${text.replace(/\/$/, "")}/${arg.text}`;
  }
  return { ...joinValues(args), text };
}

function base64Decode(text: string | undefined): string | undefined {
  if (text === undefined || text.includes(UNKNOWN) || !/^[A-Za-z0-9+/=_-\s]+$/.test(text)) return undefined;
  return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("latin1");
}

function hexDecode(text: string | undefined): string | undefined {
  if (text === undefined || !/^(?:[0-9a-fA-F]{2}\s*)+$/.test(text)) return undefined;
  return Buffer.from(text.replace(/\s/g, ""), "hex").toString("latin1");
}

function rot13(text: string | undefined): string | undefined {
  if (text === undefined || text.includes(UNKNOWN)) return undefined;
  return text.replace(/[A-Za-z]/g, (char) => {
    const base = char <= "Z" ? 65 : 97;
    return String.fromCharCode(((char.charCodeAt(0) - base + 13) % 26) + base);
  });
}

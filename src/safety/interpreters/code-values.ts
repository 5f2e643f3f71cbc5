/**
 * Works out, without running anything, the value of an expression in a one-line program: string literals and their
 * concatenation (`"r" + "m -rf ~"`, `"sys" . "tem"`, awk's `"rm -rf " t`), variables assigned earlier, `chr(114)`,
 * `os.path.join`, `sprintf`, `join`, the home folder in every spelling (`os.path.expanduser("~")`, `Dir.home`,
 * `$ENV{HOME}`), and trivially static decoders (base64, hex, rot13). Parts it cannot know become {@link UNKNOWN};
 * a value that came out of a decoder, the network or stdin says so, so the caller can rate it by its worst case.
 */
import { matchingClose, tokenise, type CodeLanguage, type StringPart, type Token } from "./code-lexer.js";
import { knownCall } from "./known-functions.js";
import {
  decoded,
  hexDecode,
  joinValues,
  literal,
  PRINTF,
  substituteFormat,
  UNKNOWN,
  unknown,
  type Scope,
  type Value,
} from "./value-basics.js";

export { UNKNOWN, unknown, type Scope, type Value } from "./value-basics.js";

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
const PERL_FUNCTIONS = /^(?:glob|join|decode_base64|pack|chr|sprintf|lc|uc|reverse|get|readpipe)$/;
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
    if (
      scope.language === "perl" &&
      calls.length === 0 &&
      chain === token.text &&
      PERL_FUNCTIONS.test(token.text) &&
      next !== undefined &&
      next.text !== "(" &&
      (next.kind === "string" || next.kind === "name" || next.kind === "number")
    ) {
      // `glob "/etc/*"`, `decode_base64 $x`: perl functions called without parentheses take the rest.
      const args = splitTop(tokens, index, end, [","]).map(([a, b]) => evaluate(tokens, a, b, scope));
      calls.push({ name: chain, args });
      index = end;
      break;
    }
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
  return knownCall((scope.aliases.get(last.name) ?? last.name).replace(/^[$@]/, ""), last.args, scope);
}

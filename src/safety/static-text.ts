/**
 * What a command prints, when that is fixed by its words and its input alone: `echo`, `printf`, `cat` of its
 * input, and the decoders and text filters that hide a payload (`base64 -d`, `xxd -r -p`, `rev`, `tr`, `sed s///`,
 * `gunzip`). The engine uses it to see the script that `echo cm0gLXJmIH4= | base64 -d | sh`, `$(rev <<< '~ fr- mr')`
 * or `sh < <(printf 'rm -rf /\n')` would run, and to judge it like any other script. Anything it does not fully
 * understand gives `undefined`: the caller then treats the output as unknown (and fails closed).
 *
 * Texts are JavaScript strings holding one byte per character (latin1) once a decoder has run, so binary stages
 * (`base64 -d | gunzip`) compose; printable ASCII payloads read the same either way.
 */
import { createRequire } from "node:module";
import type * as Zlib from "node:zlib";

/** The text a command prints, or `undefined` when it depends on anything but its words and `input`. */
export function textOutput(argv: readonly string[], input: string | undefined): string | undefined {
  const name = argv[0];
  const args = argv.slice(1);
  switch (name) {
    case "echo":
      return echoOutput(args);
    case "printf":
      return printfOutput(args);
    case "cat":
    case "tee":
    case "":
    case undefined:
      return args.every((word) => word.startsWith("-") && word !== "-") || name === "tee" ? input : undefined;
    case "envsubst":
      return input;
    case "rev":
      return args.length === 0 && input !== undefined ? reverseLines(input) : undefined;
    case "tac":
      return args.length === 0 && input !== undefined ? reverseLineOrder(input) : undefined;
    case "tr":
      return input === undefined ? undefined : translate(args, input);
    case "sed":
      return input === undefined ? undefined : substitute(args, input);
    case "base64":
    case "basenc":
      return input !== undefined && isDecodeFlag(args) ? decodeBase64(input) : undefined;
    case "base32":
      return input !== undefined && isDecodeFlag(args) ? decodeBase32(input) : undefined;
    case "xxd":
      return input !== undefined && args.includes("-r") && args.some((word) => /^-[a-z]*p/.test(word))
        ? decodeHex(input)
        : undefined;
    case "openssl":
      return input !== undefined &&
        args.some((word) => word === "base64" || word === "-base64" || word === "-a") &&
        args.includes("-d")
        ? decodeBase64(input)
        : undefined;
    case "gunzip":
    case "zcat":
    case "gzip":
      return input !== undefined && (name !== "gzip" || args.some((word) => /^-[a-z]*d/.test(word)))
        ? gunzip(input)
        : undefined;
    case "string":
      return fishString(args, input);
    default:
      return undefined;
  }
}

/** fish's `string` builtin: join, upper/lower, replace, sub, repeat, trim, split, collect of fixed words. */
function fishString(args: readonly string[], input: string | undefined): string | undefined {
  const [subcommand = "", ...rest] = args;
  const flags = new Set<string>();
  const values: Record<string, string> = {};
  const operands: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const word = rest[index] ?? "";
    // Options come first; once an operand is seen, `-rf` is text to work on.
    if (operands.length > 0 || word === "--") {
      if (word !== "--" || operands.length > 0) operands.push(word);
      continue;
    }
    const valued = /^-([nmsle])$|^--(count|max|start|length|end)$/.exec(word);
    if (valued) {
      values[valued[1] ?? valued[2]?.charAt(0) ?? ""] = rest[++index] ?? "";
      continue;
    }
    if (/^-[a-z]+$/.test(word)) for (const letter of word.slice(1)) flags.add(letter);
    else if (/^--\w+$/.test(word)) flags.add(word.slice(2));
    else operands.push(word);
  }
  const lines = (items: readonly string[]): string => items.map((item) => `${item}\n`).join("");
  const inputLines = input?.replace(/\n$/, "").split("\n");
  switch (subcommand) {
    case "join": {
      const [separator = "", ...items] = operands;
      return `${(items.length > 0 ? items : (inputLines ?? [])).join(separator)}\n`;
    }
    case "upper":
    case "lower": {
      const items = operands.length > 0 ? operands : inputLines;
      if (items === undefined) return undefined;
      return lines(items.map((item) => (subcommand === "upper" ? item.toUpperCase() : item.toLowerCase())));
    }
    case "replace": {
      if (flags.has("r") || flags.has("regex")) return undefined;
      const [pattern = "", replacement = "", ...items] = operands;
      const all = flags.has("a") || flags.has("all");
      const source = items.length > 0 ? items : inputLines;
      if (source === undefined || pattern === "") return undefined;
      return lines(
        source.map((item) =>
          all ? item.split(pattern).join(replacement) : item.replace(pattern, replacement),
        ),
      );
    }
    case "sub": {
      const start = Number(values.s ?? 1);
      const length = values.l === undefined ? undefined : Number(values.l);
      const source = operands.length > 0 ? operands : inputLines;
      if (source === undefined || !Number.isInteger(start) || start === 0) return undefined;
      return lines(
        source.map((item) => {
          const from = start > 0 ? start - 1 : Math.max(0, item.length + start);
          return length === undefined ? item.slice(from) : item.slice(from, from + length);
        }),
      );
    }
    case "repeat": {
      const count = Number(values.n ?? values.c ?? 1);
      const source = operands.length > 0 ? operands : inputLines;
      if (source === undefined || !Number.isInteger(count) || count < 0 || count > 64) return undefined;
      return lines(source.map((item) => item.repeat(count)));
    }
    case "trim": {
      const source = operands.length > 0 ? operands : inputLines;
      return source === undefined ? undefined : lines(source.map((item) => item.trim()));
    }
    case "split": {
      const [separator = "", ...items] = operands;
      const source = items.length > 0 ? items : inputLines;
      if (source === undefined || separator === "") return undefined;
      return lines(source.flatMap((item) => item.split(separator)));
    }
    case "collect":
      return input;
    default:
      return undefined;
  }
}

function isDecodeFlag(args: readonly string[]): boolean {
  return args.some((word) => /^(-[a-zA-Z]*[dD]|--decode)$/.test(word));
}

function echoOutput(args: readonly string[]): string {
  let index = 0;
  let escapes = false;
  let newline = true;
  while (index < args.length && /^-[neE]+$/.test(args[index] ?? "")) {
    const flags = args[index] ?? "";
    if (flags.includes("e")) escapes = true;
    if (flags.includes("E")) escapes = false;
    if (flags.includes("n")) newline = false;
    index++;
  }
  const text = args.slice(index).join(" ");
  return (escapes ? interpretEscapes(text) : text) + (newline ? "\n" : "");
}

/** `printf FORMAT ARGS…` with `%s`, `%b`, `%c`, `%d` and the format re-used while arguments remain. */
function printfOutput(args: readonly string[]): string | undefined {
  let rest = args;
  if (rest[0] === "--") rest = rest.slice(1);
  const format = rest[0];
  if (format === undefined || format.startsWith("-")) return undefined;
  const values = rest.slice(1);
  let output = "";
  let used = 0;
  for (let round = 0; round < 64; round++) {
    const before = used;
    output += interpretEscapes(format).replace(/%(-?\d*)([sbcdiqxo%])/g, (_match, _width, kind: string) => {
      if (kind === "%") return "%";
      const value = values[used] ?? "";
      used++;
      if (kind === "b") return interpretEscapes(value);
      if (kind === "c") return value.charAt(0);
      if (kind === "d" || kind === "i") return String(Number.parseInt(value, 10) || 0);
      if (kind === "x") return (Number.parseInt(value, 10) || 0).toString(16);
      if (kind === "o") return (Number.parseInt(value, 10) || 0).toString(8);
      return value;
    });
    if (used === before || used >= values.length) break;
  }
  return output;
}

/** Backslash escapes as `echo -e`, `printf` and `$'…'` read them. */
export function interpretEscapes(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(
    /\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|0[0-7]{0,3}|[0-7]{1,3}|.)/gs,
    (_match, code: string) => {
      const first = code.charAt(0);
      if (first === "x" || first === "u" || first === "U")
        return String.fromCodePoint(Number.parseInt(code.slice(1), 16));
      if (/^[0-7]+$/.test(code)) return String.fromCharCode(Number.parseInt(code, 8) & 0xff);
      return ESCAPES[code] ?? `\\${code}`;
    },
  );
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  E: "\x1b",
  f: "\f",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "?": "?",
};

function reverseLines(text: string): string {
  const trailing = text.endsWith("\n");
  const lines = (trailing ? text.slice(0, -1) : text).split("\n");
  return lines.map((line) => Array.from(line).reverse().join("")).join("\n") + (trailing ? "\n" : "");
}

function reverseLineOrder(text: string): string {
  const trailing = text.endsWith("\n");
  const lines = (trailing ? text.slice(0, -1) : text).split("\n");
  return lines.reverse().join("\n") + (trailing ? "\n" : "");
}

/** The characters of a `tr` set: ranges (`a-z`), classes (`[:upper:]`) and escapes. */
function characterSet(spec: string): string[] | undefined {
  const classes: Record<string, string> = {
    upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    lower: "abcdefghijklmnopqrstuvwxyz",
    digit: "0123456789",
    space: " \t\n\r\f\v",
    blank: " \t",
  };
  const text = interpretEscapes(spec).replace(
    /\[:(\w+):\]/g,
    (match, name: string) => classes[name] ?? match,
  );
  if (/\[:\w+:\]|\[.\*/.test(text)) return undefined;
  const characters: string[] = [];
  for (let index = 0; index < text.length; index++) {
    const start = text.charCodeAt(index);
    if (text.charAt(index + 1) === "-" && index + 2 < text.length) {
      const end = text.charCodeAt(index + 2);
      if (end < start) return undefined;
      for (let code = start; code <= end; code++) characters.push(String.fromCharCode(code));
      index += 2;
    } else {
      characters.push(text.charAt(index));
    }
  }
  return characters;
}

function translate(args: readonly string[], input: string): string | undefined {
  const flags = args.filter((word) => word.startsWith("-") && word.length > 1);
  const sets = args.filter((word) => !word.startsWith("-") || word.length === 1);
  if (flags.some((flag) => !/^-[ds]+$/.test(flag))) return undefined;
  const from = characterSet(sets[0] ?? "");
  if (from === undefined) return undefined;
  if (flags.some((flag) => flag.includes("d"))) {
    const removed = new Set(from);
    return Array.from(input)
      .filter((character) => !removed.has(character))
      .join("");
  }
  const to = characterSet(sets[1] ?? "");
  if (to === undefined || to.length === 0) return undefined;
  const map = new Map<string, string>();
  from.forEach((character, index) => map.set(character, to[Math.min(index, to.length - 1)] ?? character));
  return Array.from(input)
    .map((character) => map.get(character) ?? character)
    .join("");
}

/** `sed 's/pattern/replacement/flags'` (one command, basic regular expressions), else undefined. */
function substitute(args: readonly string[], input: string): string | undefined {
  const scripts: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    if (word === "-e") scripts.push(args[++index] ?? "");
    else if (word === "-E" || word === "-r" || word === "--regexp-extended") continue;
    else if (word.startsWith("-")) return undefined;
    else if (scripts.length === 0) scripts.push(word);
    else return undefined;
  }
  let text = input;
  for (const script of scripts) {
    const match = /^s(.)((?:\\.|(?!\1).)*)\1((?:\\.|(?!\1).)*)\1([gI]*)$/s.exec(script);
    if (!match) return undefined;
    const [, , pattern = "", replacement = "", flags = ""] = match;
    let regex: RegExp;
    try {
      regex = new RegExp(basicToJavaScript(pattern), flags.includes("g") ? "gm" : "m");
    } catch {
      return undefined;
    }
    const jsReplacement = replacement
      .replace(/\$/g, "$$$$")
      .replace(/\\([1-9])/g, "$$$1")
      .replace(/(?<!\\)&/g, "$$&")
      .replace(/\\(.)/g, (_m, character: string) => (character === "n" ? "\n" : character));
    text = text
      .split("\n")
      .map((line) => line.replace(regex, jsReplacement))
      .join("\n");
  }
  return text;
}

function basicToJavaScript(pattern: string): string {
  return pattern.replace(/\\([(){}|+?])|([(){}|+?])/g, (_match, escaped?: string, plain?: string) =>
    escaped !== undefined ? escaped : `\\${plain ?? ""}`,
  );
}

function decodeBase64(input: string): string | undefined {
  const compact = input.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length === 0) return undefined;
  return Buffer.from(compact, "base64").toString("latin1");
}

function decodeBase32(input: string): string | undefined {
  const compact = input.replace(/\s+/g, "").replace(/=+$/, "").toUpperCase();
  if (!/^[A-Z2-7]+$/.test(compact)) return undefined;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let output = "";
  for (const character of compact) {
    value = (value << 5) | alphabet.indexOf(character);
    bits += 5;
    if (bits >= 8) {
      output += String.fromCharCode((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return output;
}

function decodeHex(input: string): string | undefined {
  const compact = input.replace(/\s+/g, "");
  if (!/^([0-9a-fA-F]{2})+$/.test(compact)) return undefined;
  return Buffer.from(compact, "hex").toString("latin1");
}

function gunzip(input: string): string | undefined {
  try {
    // node:zlib loads only for the rare command that pipes a compressed payload.
    const zlib = createRequire(import.meta.url)("node:zlib") as typeof Zlib;
    return zlib.gunzipSync(Buffer.from(input, "latin1")).toString("latin1");
  } catch {
    return undefined;
  }
}

/**
 * Folds PowerShell expressions made only of literals into the string they produce, so a command name or script
 * built at run time from visible parts is judged like the literal: `('Rem'+'ove-Item')`, `'{1}{0}' -f 'ove-Item',
 * 'Rem'`, `-join ('R','m')`, `[char]82+[char]109`, `[char[]](82,109) -join ''`, `'metI-evomeR'[-1..-11] -join ''`,
 * `.Replace()`, `-replace`, variables assigned earlier, and base64 through `[Convert]::FromBase64String` with
 * `[Text.Encoding]::…GetString`. Anything else is unknown: the caller rates it by its worst case.
 */
import type { WindowsSession } from "./windows-types.js";

type Value = string | number | Bytes | Value[];

class Bytes {
  constructor(readonly data: Buffer) {}
}

class Unfoldable extends Error {}

const MAXIMUM_LENGTH = 20_000;

/** The string an expression evaluates to, or undefined when any part of it is not a literal cmdai can fold. */
export function foldExpression(text: string, session?: WindowsSession): string | undefined {
  if (text.length > MAXIMUM_LENGTH) return undefined;
  try {
    const folder = new Folder(text, session);
    const value = folder.expression();
    folder.skipSpace();
    if (!folder.done()) return undefined;
    return toText(value);
  } catch (error) {
    if (error instanceof Unfoldable || error instanceof RangeError || error instanceof SyntaxError)
      return undefined;
    throw error;
  }
}

/** Decodes `-EncodedCommand` text (base64 of UTF-16LE); undefined when it is not valid base64 of readable text. */
export function decodeEncodedCommand(encoded: string): string | undefined {
  const clean = encoded.trim();
  if (clean === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(clean) || clean.length % 4 === 1) return undefined;
  const bytes = Buffer.from(clean, "base64");
  if (bytes.length % 2 !== 0) return undefined;
  const text = bytes.toString("utf16le");
  return readable(text) ? text : undefined;
}

function readable(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters mean the bytes are not a script
  return text.trim() !== "" && !/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFD]/.test(text);
}

function toText(value: Value): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (value instanceof Bytes) throw new Unfoldable();
  return value.map(toText).join(" ");
}

function toArray(value: Value): Value[] {
  return Array.isArray(value) ? value : [value];
}

function charOf(value: Value): string {
  if (typeof value === "number") return String.fromCodePoint(value);
  if (typeof value === "string" && /^\d+$/.test(value)) return String.fromCodePoint(Number(value));
  if (typeof value === "string" && value.length === 1) return value;
  throw new Unfoldable();
}

class Folder {
  private position = 0;

  constructor(
    private readonly source: string,
    private readonly session: WindowsSession | undefined,
  ) {}

  done(): boolean {
    return this.position >= this.source.length;
  }

  skipSpace(): void {
    while (/\s/.test(this.source.charAt(this.position))) this.position++;
  }

  private peek(pattern: RegExp): RegExpExecArray | null {
    this.skipSpace();
    const match = pattern.exec(this.source.slice(this.position));
    return match?.index === 0 ? match : null;
  }

  private take(pattern: RegExp): RegExpExecArray | null {
    const match = this.peek(pattern);
    if (match) this.position += match[0].length;
    return match;
  }

  private expect(pattern: RegExp): void {
    if (!this.take(pattern)) throw new Unfoldable();
  }

  expression(): Value {
    let left = this.additive();
    for (;;) {
      const operator = this.take(/^-(join|f|[ic]?replace|[ic]?split)\b/i);
      if (!operator) return left;
      const name = (operator[1] ?? "").toLowerCase();
      const right = this.additive();
      if (name === "join") left = toArray(left).map(toText).join(toText(right));
      else if (name === "f") left = format(toText(left), toArray(right));
      else if (name.endsWith("replace")) {
        const [pattern = "", replacement = ""] = toArray(right).map(toText);
        left = toText(left).replace(new RegExp(pattern, name.startsWith("c") ? "g" : "gi"), replacement);
      } else left = toText(left).split(new RegExp(toText(right), "i"));
    }
  }

  private additive(): Value {
    let left = this.comma();
    while (this.take(/^\+/)) {
      const right = this.comma();
      left = Array.isArray(left) ? [...left, ...toArray(right)] : toText(left) + toText(right);
    }
    return left;
  }

  private comma(): Value {
    const items = [this.unary()];
    while (this.take(/^,/)) items.push(this.unary());
    return items.length === 1 ? (items[0] ?? "") : items;
  }

  private unary(): Value {
    if (this.take(/^-join\b/i)) return toArray(this.unary()).map(toText).join("");
    const cast = this.peek(/^\[([\w.]+)(\[\])?\]/);
    if (cast && !this.source.slice(this.position + cast[0].length).startsWith("::")) {
      this.position += cast[0].length;
      return castTo((cast[1] ?? "").toLowerCase(), cast[2] !== undefined, this.unary());
    }
    const value = this.postfix(this.primary());
    if (typeof value === "number" && this.take(/^\.\./)) {
      const end = this.unary();
      if (typeof end !== "number" || Math.abs(end - value) > 10_000) throw new Unfoldable();
      const range: number[] = [];
      for (let index = value; value <= end ? index <= end : index >= end; index += value <= end ? 1 : -1)
        range.push(index);
      return range;
    }
    return value;
  }

  private primary(): Value {
    this.skipSpace();
    const character = this.source.charAt(this.position);
    if (character === "'") return this.singleQuoted();
    if (character === '"') return this.doubleQuoted();
    const number = this.take(/^-?(0x[0-9a-f]+|\d+)\b/i);
    if (number) return Number(number[0]);
    if (this.take(/^@?\(/)) {
      const command = this.take(/^\s*(gcm|get-command)\s+(['"]?)([\w.-]+)\2\s*\)/i);
      if (command) return command[3] ?? "";
      const value = this.peek(/^\)/) ? [] : this.expression();
      this.expect(/^\)/);
      return value;
    }
    const variable = this.take(/^\$(\{([^}]+)\}|[\w:]+)/);
    if (variable) return this.variable((variable[2] ?? variable[1] ?? "").toLowerCase());
    const member = this.take(/^\[(system\.)?([\w.]+)\]::([\w.]+)/i);
    if (member) return this.staticCall(`${member[2] ?? ""}::${member[3] ?? ""}`.toLowerCase());
    throw new Unfoldable();
  }

  private variable(name: string): Value {
    if (name === "true") return "True";
    if (name === "false" || name === "null") return "";
    const value = this.session?.variables.get(name);
    if (value === undefined) throw new Unfoldable();
    return value;
  }

  private arguments(): Value[] {
    this.expect(/^\(/);
    if (this.take(/^\)/)) return [];
    const value = this.expression();
    this.expect(/^\)/);
    return toArray(value);
  }

  private staticCall(member: string): Value {
    const args = this.arguments();
    const [first = "", second = ""] = args;
    if (member === "convert::frombase64string") return new Bytes(Buffer.from(toText(first), "base64"));
    const encoding = /^text\.encoding::(unicode|utf8|ascii|default|bigendianunicode)\.getstring$/.exec(
      member,
    );
    if (encoding && first instanceof Bytes) {
      const kind = encoding[1] === "unicode" ? "utf16le" : encoding[1] === "ascii" ? "latin1" : "utf8";
      const text = first.data.toString(kind);
      if (!readable(text)) throw new Unfoldable();
      return text;
    }
    if (member === "string::join")
      return toArray(args.length > 2 ? args.slice(1) : second)
        .map(toText)
        .join(toText(first));
    if (member === "string::concat") return args.map(toText).join("");
    if (member === "char::convertfromutf32" || member === "convert::tochar") return charOf(first);
    throw new Unfoldable();
  }

  private postfix(value: Value): Value {
    let current = value;
    for (;;) {
      if (this.source.charAt(this.position) === "[") {
        this.position++;
        const index = this.expression();
        this.expect(/^\]/);
        current = indexInto(current, index);
        continue;
      }
      const method = /^\.([A-Za-z]+)/.exec(this.source.slice(this.position));
      if (!method) return current;
      this.position += method[0].length;
      const name = (method[1] ?? "").toLowerCase();
      if (name === "length" || name === "count") {
        current = typeof current === "string" ? current.length : toArray(current).length;
        continue;
      }
      current = callMethod(
        toText(current),
        name,
        this.source.charAt(this.position) === "(" ? this.arguments() : [],
      );
    }
  }

  private singleQuoted(): string {
    let text = "";
    for (let index = this.position + 1; index < this.source.length; index++) {
      const character = this.source.charAt(index);
      if (character !== "'") text += character;
      else if (this.source.charAt(index + 1) === "'") {
        text += "'";
        index++;
      } else {
        this.position = index + 1;
        return text;
      }
    }
    throw new Unfoldable();
  }

  private doubleQuoted(): string {
    let text = "";
    for (let index = this.position + 1; index < this.source.length; index++) {
      const character = this.source.charAt(index);
      if (character === "`") {
        const next = this.source.charAt(++index);
        text += ({ n: "\n", t: "\t", r: "\r", "0": "\0" } as Record<string, string>)[next] ?? next;
      } else if (character === '"') {
        if (this.source.charAt(index + 1) !== '"') {
          this.position = index + 1;
          return text;
        }
        text += '"';
        index++;
      } else if (character === "$" && /[\w{(]/.test(this.source.charAt(index + 1))) {
        const match = /^\$(\{([^}]+)\}|\w+(?::\w+)?)/.exec(this.source.slice(index));
        const name = (match?.[2] ?? match?.[1] ?? "").toLowerCase();
        const value = match ? this.session?.variables.get(name) : undefined;
        if (match === null || value === undefined) throw new Unfoldable();
        text += value;
        index += match[0].length - 1;
      } else text += character;
    }
    throw new Unfoldable();
  }
}

function castTo(type: string, array: boolean, value: Value): Value {
  if (type === "char") return array ? charsOf(value) : charOf(value);
  if (type === "string") return array ? toArray(value).map(toText) : toText(value);
  if (type === "int" || type === "byte" || type === "int32" || type === "long") {
    const numbers = toArray(value).map((item) => Number(toText(item)));
    if (numbers.some(Number.isNaN)) throw new Unfoldable();
    return array ? numbers : (numbers[0] ?? 0);
  }
  if (type === "array" || type === "object") return toArray(value);
  throw new Unfoldable();
}

function charsOf(value: Value): string[] {
  if (typeof value === "string") return Array.from(value);
  return toArray(value).map(charOf);
}

function indexInto(value: Value, index: Value): Value {
  const items = typeof value === "string" ? Array.from(value) : toArray(value);
  const pick = (position: Value): Value => {
    if (typeof position !== "number") throw new Unfoldable();
    const item = items[position < 0 ? items.length + position : position];
    return item ?? "";
  };
  return Array.isArray(index) ? index.map(pick) : pick(index);
}

function callMethod(text: string, name: string, args: readonly Value[]): Value {
  const [first, second] = args.map(toText);
  switch (name) {
    case "replace":
      return text.split(first ?? "").join(second ?? "");
    case "tolower":
    case "tolowerinvariant":
      return text.toLowerCase();
    case "toupper":
    case "toupperinvariant":
      return text.toUpperCase();
    case "trim":
      return text.trim();
    case "trimstart":
      return text.trimStart();
    case "trimend":
      return text.trimEnd();
    case "tostring":
      return text;
    case "substring": {
      const start = Number(first ?? 0);
      return second === undefined ? text.slice(start) : text.slice(start, start + Number(second));
    }
    case "split":
      return text.split(first ?? " ");
    case "insert":
      return text.slice(0, Number(first ?? 0)) + (second ?? "") + text.slice(Number(first ?? 0));
    case "tochararray":
      return Array.from(text);
    default:
      throw new Unfoldable();
  }
}

function format(pattern: string, args: readonly Value[]): string {
  return pattern.replace(/\{(\d+)(,[^}:]*)?(:[^}]*)?\}/g, (_match, index: string) => {
    const value = args[Number(index)];
    if (value === undefined) throw new Unfoldable();
    return toText(value);
  });
}

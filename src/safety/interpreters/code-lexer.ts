/**
 * Splits a one-line program of a scripting language into tokens: string literals (with their interpolations kept
 * apart), names, numbers and punctuation. It is not a parser: it knows just enough of each language's quoting and
 * comments that a string is never read as code and code inside a comment is never read at all.
 */

export type CodeLanguage =
  | "python"
  | "perl"
  | "ruby"
  | "javascript"
  | "php"
  | "lua"
  | "awk"
  | "r"
  | "julia"
  | "tcl"
  | "applescript"
  | "elixir"
  | "erlang"
  | "lisp"
  | "groovy";

/** One piece of a string literal: literal text, or the source of an interpolated expression (`#{…}`, `${…}`). */
export type StringPart = string | { code: string };

export interface Token {
  kind: "string" | "command" | "words" | "name" | "number" | "punct";
  /** The source text (names, numbers, punctuation). */
  text: string;
  /** String literals: their pieces. */
  parts?: StringPart[];
}

const NAME_START = /[A-Za-z_$@%]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const PUNCT = ["...", "::", "->", "=>", "..", "|&", "&&", "||", "==", "!=", "<=", ">=", ">>", "**"];
const PERL_QUOTES: Record<string, Token["kind"]> = { q: "string", qq: "string", qw: "words", qx: "command" };
const RUBY_PERCENT: Record<string, Token["kind"]> = {
  q: "string",
  Q: "string",
  w: "words",
  W: "words",
  i: "words",
  x: "command",
};
const CLOSING: Record<string, string> = { "(": ")", "[": "]", "{": "}", "<": ">" };

function lineComment(language: CodeLanguage): string[] {
  switch (language) {
    case "javascript":
    case "groovy":
      return ["//"];
    case "php":
      return ["//", "#"];
    case "lua":
      return ["--"];
    case "erlang":
      return ["%"];
    case "lisp":
      return [";"];
    case "applescript":
      return ["--"];
    default:
      return ["#"];
  }
}

/** Whether a double-quoted string of the language interpolates (and how). */
function interpolation(language: CodeLanguage): "perl" | "ruby" | "js" | "none" {
  if (language === "perl" || language === "php" || language === "tcl") return "perl";
  if (language === "ruby" || language === "elixir") return "ruby";
  if (language === "julia") return "perl";
  return "none";
}

export function tokenise(code: string, language: CodeLanguage): Token[] {
  const tokens: Token[] = [];
  const comments = lineComment(language);
  let index = 0;
  let depth = 0;
  const length = code.length;
  while (index < length) {
    const char = code[index] ?? "";
    if (/\s/.test(char)) {
      // A line break outside brackets ends a statement, as `;` does.
      if (char === "\n" && depth === 0 && tokens[tokens.length - 1]?.text !== ";")
        tokens.push({ kind: "punct", text: ";" });
      index++;
      continue;
    }
    if (
      comments.some((marker) => code.startsWith(marker, index)) &&
      !(language === "perl" && isPerlSigil(code, index))
    ) {
      const end = code.indexOf("\n", index);
      index = end === -1 ? length : end;
      continue;
    }
    if ((language === "javascript" || language === "php") && code.startsWith("/*", index)) {
      const end = code.indexOf("*/", index + 2);
      index = end === -1 ? length : end + 2;
      continue;
    }
    // Python string prefixes (r"", b"", f"", rb"").
    if (language === "python") {
      const prefix = /^(?:[rRbBuUfF]{1,2})(?=['"])/.exec(code.slice(index, index + 3));
      if (prefix) {
        const raw = /[rR]/.test(prefix[0]);
        const formatted = /[fF]/.test(prefix[0]);
        index = readQuoted(code, index + prefix[0].length, tokens, language, { raw, formatted });
        continue;
      }
    }
    if (language === "lua" && /^\[=*\[/.test(code.slice(index, index + 8))) {
      const open = /^\[(=*)\[/.exec(code.slice(index)) ?? ["[[", ""];
      const close = `]${open[1]}]`;
      const end = code.indexOf(close, index + open[0].length);
      const stop = end === -1 ? length : end;
      tokens.push({ kind: "string", text: "", parts: [code.slice(index + open[0].length, stop)] });
      index = end === -1 ? length : end + close.length;
      continue;
    }
    if (char === "'" || char === '"' || char === "`") {
      index = readQuoted(code, index, tokens, language, {});
      continue;
    }
    if (language === "ruby" && char === "%" && /^%[qQwWix]?[([{<|!/]/.test(code.slice(index, index + 3))) {
      const letter = /[qQwWix]/.test(code[index + 1] ?? "") ? (code[index + 1] ?? "") : "Q";
      const start = index + (letter === "Q" && !/[qQwWix]/.test(code[index + 1] ?? "") ? 1 : 2);
      index = readDelimited(
        code,
        start,
        tokens,
        RUBY_PERCENT[letter] ?? "string",
        letter !== "q" && letter !== "w",
      );
      continue;
    }
    if (
      language === "ruby" &&
      char === ":" &&
      /[A-Za-z_`]/.test(code[index + 1] ?? "") &&
      code[index - 1] !== ":"
    ) {
      // A symbol (`:system`, :`): the name it stands for.
      const match = /^:(`|[A-Za-z_]\w*[?!]?)/.exec(code.slice(index)) ?? [":", ""];
      tokens.push({ kind: "string", text: match[0], parts: [match[1]] });
      index += match[0].length;
      continue;
    }
    if (NAME_START.test(char) && (/[A-Za-z_]/.test(char) || NAME_CHAR.test(code[index + 1] ?? ""))) {
      let end = index + 1;
      while (end < length && NAME_CHAR.test(code[end] ?? "")) end++;
      if (
        /[?!]/.test(code[end] ?? "") &&
        (language === "ruby" || language === "elixir") &&
        code[end + 1] !== "="
      )
        end++;
      const word = code.slice(index, end);
      if (
        language === "perl" &&
        Object.hasOwn(PERL_QUOTES, word) &&
        /^\s*[^\s\w,;=)]/.test(code.slice(end))
      ) {
        let start = end;
        while (/\s/.test(code[start] ?? "")) start++;
        index = readDelimited(
          code,
          start,
          tokens,
          PERL_QUOTES[word] ?? "string",
          word !== "q" && word !== "qw",
        );
        continue;
      }
      tokens.push({ kind: "name", text: word });
      index = end;
      continue;
    }
    if (/[0-9]/.test(char)) {
      const match = /^(0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9]+)?([eE][+-]?[0-9]+)?)/.exec(
        code.slice(index),
      );
      const text = match?.[0] ?? char;
      tokens.push({ kind: "number", text });
      index += text.length;
      continue;
    }
    const punct = PUNCT.find((candidate) => code.startsWith(candidate, index)) ?? char;
    if ("([{".includes(punct)) depth++;
    else if (")]}".includes(punct)) depth = Math.max(0, depth - 1);
    tokens.push({ kind: "punct", text: punct });
    index += punct.length;
  }
  return tokens;
}

/** `$#`, `$#array` in perl are not comments. */
function isPerlSigil(code: string, index: number): boolean {
  return code[index - 1] === "$";
}

function readQuoted(
  code: string,
  start: number,
  tokens: Token[],
  language: CodeLanguage,
  options: { raw?: boolean; formatted?: boolean },
): number {
  const quote = code[start] ?? '"';
  const triple = language === "python" && code.startsWith(quote.repeat(3), start);
  const opener = triple ? quote.repeat(3) : quote;
  const style = interpolation(language);
  const interpolates =
    options.formatted === true
      ? "python"
      : quote === "`"
        ? language === "javascript"
          ? "js"
          : style
        : quote === '"'
          ? style
          : "none";
  const kind: Token["kind"] =
    quote === "`" && language !== "javascript" && language !== "python" && language !== "lisp"
      ? "command"
      : "string";
  const parts: StringPart[] = [];
  let text = "";
  let index = start + opener.length;
  while (index < code.length && !code.startsWith(opener, index)) {
    const char = code[index] ?? "";
    if (char === "\\" && options.raw !== true) {
      const next = code[index + 1] ?? "";
      if (quote === "'" && language !== "python" && language !== "javascript" && language !== "lua") {
        text += next === "'" || next === "\\" ? next : `\\${next}`;
      } else text += unescape(next, code, index);
      index += 2;
      continue;
    }
    const embedded = interpolationAt(code, index, interpolates);
    if (embedded !== undefined) {
      if (text !== "") parts.push(text);
      text = "";
      parts.push({ code: embedded.code });
      index = embedded.end;
      continue;
    }
    text += char;
    index++;
  }
  if (text !== "" || parts.length === 0) parts.push(text);
  tokens.push({ kind, text: opener, parts });
  return index + opener.length;
}

function unescape(next: string, code: string, index: number): string {
  switch (next) {
    case "n":
      return "\n";
    case "t":
      return "\t";
    case "0":
      return "\0";
    case "x": {
      const hex = /^[0-9a-fA-F]{2}/.exec(code.slice(index + 2, index + 4));
      return hex ? String.fromCharCode(parseInt(hex[0], 16)) : "x";
    }
    default:
      return next;
  }
}

/** An interpolation starting at `index` (`${…}`, `#{…}`, `$name`, `{…}` in f-strings). */
function interpolationAt(
  code: string,
  index: number,
  style: "perl" | "ruby" | "js" | "python" | "none",
): { code: string; end: number } | undefined {
  const char = code[index];
  if (style === "none") return undefined;
  if (style === "python") {
    if (char !== "{" || code[index + 1] === "{") return undefined;
    return braced(code, index);
  }
  if (style === "ruby") return char === "#" && code[index + 1] === "{" ? braced(code, index + 1) : undefined;
  if (style === "js") return char === "$" && code[index + 1] === "{" ? braced(code, index + 1) : undefined;
  if (char !== "$" && char !== "@") return undefined;
  if (code[index + 1] === "{") {
    const inner = braced(code, index + 1);
    return { code: `$${inner.code}`, end: inner.end };
  }
  const match = /^[$@][A-Za-z_]\w*(?:::\w+)*(?:\{\w+\}|\[\d+\]|->\{\w+\})?/.exec(code.slice(index));
  return match ? { code: match[0], end: index + match[0].length } : undefined;
}

function braced(code: string, open: number): { code: string; end: number } {
  let depth = 0;
  for (let index = open; index < code.length; index++) {
    if (code[index] === "{") depth++;
    else if (code[index] === "}" && --depth === 0)
      return { code: code.slice(open + 1, index), end: index + 1 };
  }
  return { code: code.slice(open + 1), end: code.length };
}

/** `q{…}`, `qx(…)`, `%w[…]`: text up to the matching delimiter. */
function readDelimited(
  code: string,
  start: number,
  tokens: Token[],
  kind: Token["kind"],
  interpolates: boolean,
): number {
  const open = code[start] ?? "";
  const close = CLOSING[open] ?? open;
  let depth = 0;
  let index = start + 1;
  let text = "";
  const parts: StringPart[] = [];
  while (index < code.length) {
    const char = code[index] ?? "";
    if (char === "\\") {
      text += code[index + 1] ?? "";
      index += 2;
      continue;
    }
    if (char === open && close !== open) depth++;
    else if (char === close) {
      if (depth === 0) break;
      depth--;
    }
    const embedded = interpolates
      ? interpolationAt(code, index, kind === "command" ? "perl" : "perl")
      : undefined;
    const rubyEmbedded = interpolates ? interpolationAt(code, index, "ruby") : undefined;
    const found = rubyEmbedded ?? embedded;
    if (found !== undefined) {
      if (text !== "") parts.push(text);
      text = "";
      parts.push({ code: found.code });
      index = found.end;
      continue;
    }
    text += char;
    index++;
  }
  if (text !== "" || parts.length === 0) parts.push(text);
  tokens.push({ kind, text: open, parts });
  return index + 1;
}

/** The index of the bracket closing the one at `open`, or the end. */
export function matchingClose(tokens: readonly Token[], open: number): number {
  const opener = tokens[open]?.text ?? "(";
  const closer = CLOSING[opener] ?? ")";
  let depth = 0;
  for (let index = open; index < tokens.length; index++) {
    const text = tokens[index]?.kind === "punct" ? tokens[index]?.text : undefined;
    if (text === opener) depth++;
    else if (text === closer && --depth === 0) return index;
  }
  return tokens.length;
}

/** The index of the bracket opening the one at `close`, or -1. */
export function matchingOpen(tokens: readonly Token[], close: number): number {
  const closer = tokens[close]?.text ?? ")";
  const opener = closer === ")" ? "(" : closer === "]" ? "[" : "{";
  let depth = 0;
  for (let index = close; index >= 0; index--) {
    const text = tokens[index]?.kind === "punct" ? tokens[index]?.text : undefined;
    if (text === closer) depth++;
    else if (text === opener && --depth === 0) return index;
  }
  return -1;
}

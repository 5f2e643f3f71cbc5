/**
 * The words a shell word becomes, the way bash would expand it: quotes removed, variables from the same script
 * substituted (scalars, arrays, `set --` positional parameters), `${…}` operators evaluated on known values
 * (`${x,,}`, `${x#pat}`, `${x/a/b}`, `${!ref}`), command substitutions whose output is fixed (`$(printf rm)`),
 * field splitting of unquoted results on `IFS`, and brace expansion (`{rm,-rf,~}`, `/{etc,usr}`, `{1..3}`).
 *
 * What cannot be resolved stays in the text as written (`$X`, `$(cat f)`) and marks the word `dynamic`: the
 * engine then judges it by the worst it could be.
 */
import type { Node } from "web-tree-sitter";
import { interpretEscapes } from "./static-text.js";

/** Variables known at a point of the script. `environment` holds scalars (it is what the preview passes in). */
export interface ShellScope {
  environment: ReadonlyMap<string, string>;
  /** Values known only as text with unresolved parts (`D=$HOME/x`): expanding them gives that text, dynamic. */
  symbolic?: ReadonlyMap<string, string>;
  arrays?: ReadonlyMap<string, readonly string[]>;
  /** `$1 … $n`, when `set --` (or a loop) fixed them. */
  positional?: readonly string[] | undefined;
  /** The output of a command substitution when it is fixed, else undefined. */
  evaluate?: (substitution: Node) => string | undefined;
  /** Called with code that an expansion would run (`${x@P}` of a value holding `$(…)`). */
  onCode?: (code: string) => void;
}

/** The result of expanding one word. */
export interface ExpandedWord {
  /** Zero or more words after splitting and brace expansion. */
  values: string[];
  /** Whether any part could not be resolved (its text is kept as written). */
  dynamic: boolean;
}

interface Piece {
  text: string;
  /** Quoted or produced by an expansion: braces and commas in it are not brace syntax. */
  literal: boolean;
  /** Produced by an unquoted expansion: split on IFS. */
  split: boolean;
}

interface Collected {
  pieces: Piece[];
  dynamic: boolean;
  /** Several words from `"$@"` / `"${a[@]}"` inside one word. */
  fields?: string[][] | undefined;
}

const DEFAULT_IFS = " \t\n";
/** Model values for operators applied to variables the script never sets (`${HOME%/*}` is `/home`). */
const MODEL_VALUES: Record<string, string> = { HOME: "/home/user", USER: "user", PWD: "/home/user/project" };

/** Expands one word (a `word`, `string`, `concatenation`, expansion or substitution node). */
export function expandWord(node: Node, scope: ShellScope): ExpandedWord {
  const collected: Collected = { pieces: [], dynamic: false };
  collect(node, scope, false, collected);
  if (collected.fields !== undefined) {
    const values = collected.fields.flat();
    const after = collected.pieces.map((piece) => piece.text).join("");
    if (values.length > 0) values[values.length - 1] = (values.at(-1) ?? "") + after;
    return { values, dynamic: collected.dynamic };
  }
  const ifs = scope.environment.get("IFS") ?? DEFAULT_IFS;
  const words = splitFields(collected.pieces, ifs);
  return { values: words.flatMap((pieces) => expandBraces(pieces)), dynamic: collected.dynamic };
}

/** The single text a word stands for (split words joined by spaces), as the preview and rules read it. */
export function wordValue(node: Node, scope: ShellScope): string {
  return expandWord(node, scope).values.join(" ");
}

function push(collected: Collected, text: string, literal: boolean, split: boolean): void {
  collected.pieces.push({ text, literal, split });
}

function collect(node: Node, scope: ShellScope, quoted: boolean, out: Collected): void {
  switch (node.type) {
    case "word":
    case "number":
      pushUnquotedWord(node.text, quoted, out);
      return;
    case "raw_string":
      push(out, node.text.slice(1, -1), true, false);
      return;
    case "ansi_c_string":
      push(out, interpretEscapes(node.text.slice(2, -1)), true, false);
      return;
    case "string":
    case "translated_string":
      collectString(node, scope, out);
      return;
    case "concatenation":
    case "command_name":
      for (const part of partsOf(node)) {
        if (typeof part === "string") pushUnquotedWord(part, quoted, out);
        else collect(part, scope, quoted, out);
      }
      return;
    case "simple_expansion":
      // A `$` alone (a pasted prompt, `echo $`) is a literal dollar sign.
      if (node.text === "$" || /^\$\s/.test(node.text)) {
        push(out, node.text, true, false);
        return;
      }
      collectVariable(node.text.slice(1), "", scope, quoted, out);
      return;
    case "expansion":
      collectBraced(node.text, scope, quoted, out);
      return;
    case "command_substitution": {
      const value = scope.evaluate?.(node);
      if (value === undefined) {
        out.dynamic = true;
        push(out, node.text, true, false);
      } else {
        push(out, value.replace(/\n+$/, ""), true, !quoted);
      }
      return;
    }
    case "arithmetic_expansion":
    case "process_substitution":
    default:
      out.dynamic = out.dynamic || node.type === "arithmetic_expansion";
      push(out, node.text, true, false);
  }
}

/** The children of a concatenation, with the text between them (tree-sitter leaves `{` `,` unnamed). */
function partsOf(node: Node): (Node | string)[] {
  const parts: (Node | string)[] = [];
  const base = node.startIndex;
  const text = node.text;
  let position = 0;
  for (const child of node.namedChildren) {
    const start = child.startIndex - base;
    if (start > position) parts.push(text.slice(position, start));
    parts.push(child);
    position = child.endIndex - base;
  }
  if (position < text.length) parts.push(text.slice(position));
  return parts;
}

/** An unquoted word: backslashes and any embedded quotes removed; what was quoted is not brace syntax. */
function pushUnquotedWord(text: string, quoted: boolean, out: Collected): void {
  if (quoted) {
    push(out, text, true, false);
    return;
  }
  let plain = "";
  let quote: string | undefined;
  let quotedText = "";
  for (let index = 0; index < text.length; index++) {
    const character = text.charAt(index);
    if (quote !== undefined) {
      if (character === quote) {
        quote = undefined;
        push(out, quotedText, true, false);
        quotedText = "";
      } else if (character === "\\" && quote === '"' && /[$`"\\\n]/.test(text.charAt(index + 1))) {
        quotedText += text.charAt(++index);
      } else {
        quotedText += character;
      }
      continue;
    }
    if (character === "\\") {
      if (plain !== "") push(out, plain, false, false);
      plain = "";
      const next = text.charAt(++index);
      if (next !== "\n") push(out, next, true, false);
    } else if (character === "'" || character === '"') {
      if (plain !== "") push(out, plain, false, false);
      plain = "";
      quote = character;
    } else {
      plain += character;
    }
  }
  if (plain !== "") push(out, plain, false, false);
  if (quotedText !== "") push(out, quotedText, true, false);
}

function collectString(node: Node, scope: ShellScope, out: Collected): void {
  const text = node.text;
  const open = node.type === "translated_string" ? 2 : 1;
  const base = node.startIndex;
  // A quoted word is a word even when empty: `echo ""` has two.
  push(out, "", true, false);
  let position = open;
  for (const child of node.namedChildren) {
    const start = child.startIndex - base;
    if (start > position) push(out, unescapeDoubleQuoted(text.slice(position, start)), true, false);
    if (child.type === "string_content") push(out, unescapeDoubleQuoted(child.text), true, false);
    else collect(child, scope, true, out);
    position = child.endIndex - base;
  }
  if (text.length - 1 > position) push(out, unescapeDoubleQuoted(text.slice(position, -1)), true, false);
}

function unescapeDoubleQuoted(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_match, escaped: string) => (escaped === "\n" ? "" : escaped));
}

function collectVariable(
  name: string,
  subscript: string,
  scope: ShellScope,
  quoted: boolean,
  out: Collected,
): void {
  const list = listValue(name, subscript, scope);
  if (list !== undefined && (subscript === "@" || name === "@")) {
    // `"$@"` and `"${a[@]}"` keep each element a word; unquoted they are split as well.
    const elements = quoted ? [...list] : list.flatMap((element) => element.split(/\s+/).filter(Boolean));
    const before = out.pieces.map((piece) => piece.text).join("");
    out.pieces = [];
    out.fields = [elements.map((element, index) => (index === 0 ? before + element : element))];
    return;
  }
  const value = list === undefined ? scalarValue(name, scope) : list.join(" ");
  if (value === undefined) {
    out.dynamic = true;
    push(out, scope.symbolic?.get(name) ?? `$${name}`, true, false);
    return;
  }
  if (out.fields !== undefined) {
    const last = out.fields.at(-1);
    if (last !== undefined && last.length > 0) last[last.length - 1] = (last.at(-1) ?? "") + value;
    return;
  }
  push(out, value, true, !quoted);
}

function listValue(name: string, subscript: string, scope: ShellScope): readonly string[] | undefined {
  if (name === "@" || name === "*") return scope.positional;
  if (subscript === "@" || subscript === "*") return scope.arrays?.get(name);
  return undefined;
}

function scalarValue(name: string, scope: ShellScope): string | undefined {
  if (/^[1-9]$/.test(name)) return scope.positional?.[Number(name) - 1];
  if (name === "#" && scope.positional !== undefined) return String(scope.positional.length);
  const value = scope.environment.get(name);
  if (value !== undefined) return value;
  return scope.arrays?.get(name)?.[0];
}

const BRACED =
  /^\$\{([=~]?)(#?)(!?)([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])(?:\[([^\]]*)\])?((?::?[-=?+]|[,^~]{1,2}|##?|%%?|\/[/#%]?|:|@)[\s\S]*)?\}$/;

/** `${…}`: evaluated on known values, else kept as written and marked dynamic. */
function collectBraced(text: string, scope: ShellScope, quoted: boolean, out: Collected): void {
  const match = BRACED.exec(text);
  if (!match) {
    out.dynamic = true;
    push(out, text, true, false);
    return;
  }
  const [, zshFlag = "", length = "", indirect = "", name = "", subscript, operation] = match;
  if (operation === undefined && length === "" && indirect === "" && (subscript ?? "") !== "") {
    if (subscript === "@" || subscript === "*") {
      collectVariable(name, subscript, scope, quoted, out);
      return;
    }
    const element = /^\d+$/.test(subscript ?? "") ? scope.arrays?.get(name)?.[Number(subscript)] : undefined;
    if (element === undefined) {
      out.dynamic = true;
      push(out, text, true, false);
    } else push(out, element, true, !quoted);
    return;
  }
  let value = scalarValue(name, scope);
  if (indirect !== "") value = value === undefined ? undefined : scalarValue(value, scope);
  if (operation === undefined && length === "") {
    if (value === undefined) {
      out.dynamic = true;
      push(out, indirect === "" ? (scope.symbolic?.get(name) ?? `$${name}`) : text, true, false);
    } else push(out, value, true, !quoted || zshFlag === "=");
    return;
  }
  // `${HOME:?}`, `${X?msg}`: the value itself, or an error; unknown, it reads as `$HOME`.
  if (value === undefined && indirect === "" && /^:?\?/.test(operation ?? "")) {
    out.dynamic = true;
    push(out, scope.symbolic?.get(name) ?? `$${name}`, true, false);
    return;
  }
  const result =
    length !== ""
      ? value === undefined
        ? undefined
        : String(value.length)
      : operate(name, value, operation ?? "", scope);
  if (result === undefined) {
    out.dynamic = true;
    push(out, text, true, false);
  } else push(out, result, true, !quoted);
}

/** Applies a `${name<operation>}` to a value; undefined when the result cannot be known. */
function operate(
  name: string,
  value: string | undefined,
  operation: string,
  scope: ShellScope,
): string | undefined {
  const defaulting = /^(:?)([-=?+])([\s\S]*)$/.exec(operation);
  if (defaulting) {
    const [, colon = "", operator = "", rawWord = ""] = defaulting;
    const word = literalWord(rawWord, scope);
    const unset = value === undefined || (colon === ":" && value === "");
    if (operator === "+") return value === undefined ? undefined : unset ? "" : word;
    if (value === undefined) return operator === "?" ? undefined : word;
    return unset ? (operator === "?" ? undefined : word) : value;
  }
  const subject = value ?? MODEL_VALUES[name];
  if (subject === undefined) return undefined;
  if (operation.startsWith("@")) {
    const transform = operation.slice(1);
    if (transform === "P" && /\$\(|`/.test(subject)) scope.onCode?.(subject);
    if (transform === "U") return subject.toUpperCase();
    if (transform === "L") return subject.toLowerCase();
    if (transform === "u") return subject.charAt(0).toUpperCase() + subject.slice(1);
    return transform === "P" || transform === "E"
      ? transform === "E"
        ? interpretEscapes(subject)
        : subject
      : undefined;
  }
  if (operation === ",,") return subject.toLowerCase();
  if (operation === "^^") return subject.toUpperCase();
  if (operation === ",") return subject.charAt(0).toLowerCase() + subject.slice(1);
  if (operation === "^") return subject.charAt(0).toUpperCase() + subject.slice(1);
  if (operation === "~~" || operation === "~")
    return Array.from(subject)
      .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
      .join("");
  const slice = /^:\s*(-?\d+)\s*(?::\s*(-?\d+)\s*)?$/.exec(operation);
  if (slice) {
    const start = Number(slice[1]);
    const from = start < 0 ? Math.max(0, subject.length + start) : start;
    if (slice[2] === undefined) return subject.slice(from);
    const count = Number(slice[2]);
    return count < 0 ? subject.slice(from, subject.length + count) : subject.slice(from, from + count);
  }
  const trim = /^(##?|%%?)([\s\S]*)$/.exec(operation);
  if (trim) {
    const [, operator = "", pattern = ""] = trim;
    const glob = globSource(literalWord(pattern, scope));
    const greedy = operator.length === 2;
    const regex = operator.startsWith("#")
      ? new RegExp(`^${greedy ? glob : lazy(glob)}`, "s")
      : new RegExp(`${greedy ? glob : lazy(glob)}$`, "s");
    if (operator.startsWith("%") && !greedy) {
      // Shortest suffix: try every start from the end.
      for (let start = subject.length; start >= 0; start--)
        if (new RegExp(`^${glob}$`, "s").test(subject.slice(start))) return subject.slice(0, start);
      return subject;
    }
    return subject.replace(regex, "");
  }
  const replace = /^\/([/#%]?)((?:\\.|[^/])*)(?:\/([\s\S]*))?$/.exec(operation);
  if (replace) {
    const [, mode = "", pattern = "", replacement = ""] = replace;
    const glob = globSource(literalWord(pattern, scope));
    const source = mode === "#" ? `^${glob}` : mode === "%" ? `${glob}$` : glob;
    const regex = new RegExp(source, mode === "/" ? "gs" : "s");
    const text = literalWord(replacement, scope);
    return subject.replace(regex, () => text);
  }
  return undefined;
}

function lazy(glob: string): string {
  return glob.replace(/\.\*/g, ".*?");
}

/** The text of a word inside `${…}`: quotes removed, known `$NAME`s substituted. */
function literalWord(word: string, scope: ShellScope): string {
  const unquoted = word.replace(/^(["'])([\s\S]*)\1$/, "$2");
  return unquoted.replace(
    /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
    (match, name: string) => scope.environment.get(name) ?? match,
  );
}

/** A shell glob as a regular expression source (`*`, `?`, `[…]`). */
export function globSource(pattern: string): string {
  let source = "";
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern.charAt(index);
    if (character === "*") source += ".*";
    else if (character === "?") source += ".";
    else if (character === "[") {
      const end = pattern.indexOf("]", index + 2);
      if (end === -1) source += "\\[";
      else {
        source += `[${pattern
          .slice(index + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        index = end;
      }
    } else if (character === "\\" && index + 1 < pattern.length) {
      source += escapeRegex(pattern.charAt(++index));
    } else source += escapeRegex(character);
  }
  return source;
}

function escapeRegex(character: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(character) ? `\\${character}` : character;
}

/** Splits pieces into words at IFS characters produced by unquoted expansions. */
function splitFields(pieces: readonly Piece[], ifs: string): Piece[][] {
  const words: Piece[][] = [[]];
  let sawText = false;
  for (const piece of pieces) {
    if (!piece.split || ifs === "") {
      words[words.length - 1]?.push(piece);
      sawText = true;
      continue;
    }
    let current = "";
    for (const character of piece.text) {
      if (ifs.includes(character)) {
        if (current !== "") words[words.length - 1]?.push({ ...piece, text: current });
        current = "";
        if ((words[words.length - 1]?.length ?? 0) > 0) words.push([]);
      } else current += character;
    }
    if (current !== "") {
      words[words.length - 1]?.push({ ...piece, text: current });
      sawText = true;
    }
  }
  const nonEmpty = words.filter((word) => word.length > 0);
  // An unquoted expansion that is empty leaves no word at all; a quoted empty string is one empty word.
  if (nonEmpty.length === 0)
    return sawText || pieces.some((piece) => !piece.split)
      ? [[{ text: "", literal: true, split: false }]]
      : [];
  return nonEmpty;
}

const MAXIMUM_BRACE_WORDS = 64;

/** Brace expansion over the unquoted pieces of one word (`a{b,c}d` → `abd acd`, `{1..3}`). */
function expandBraces(pieces: readonly Piece[]): string[] {
  const text = pieces.map((piece) => piece.text).join("");
  if (!pieces.some((piece) => !piece.literal && piece.text.includes("{"))) return [text];
  const active: boolean[] = [];
  for (const piece of pieces)
    for (let index = 0; index < piece.text.length; index++) active.push(!piece.literal);
  return braceExpand(text, active).slice(0, MAXIMUM_BRACE_WORDS);
}

/** Brace expansion of text written without quotes (fish words, zsh rewrites): every brace is syntax. */
export function expandBraceText(text: string): string[] {
  if (!text.includes("{")) return [text];
  return braceExpand(
    text,
    text.split("").map(() => true),
  ).slice(0, MAXIMUM_BRACE_WORDS);
}

function braceExpand(text: string, active: readonly boolean[]): string[] {
  for (let open = 0; open < text.length; open++) {
    if (text.charAt(open) !== "{" || active[open] !== true || (open > 0 && text.charAt(open - 1) === "$"))
      continue;
    let depth = 0;
    const commas: number[] = [];
    for (let index = open; index < text.length; index++) {
      if (active[index] !== true) continue;
      const character = text.charAt(index);
      if (character === "{") depth++;
      else if (character === "}" && --depth === 0) {
        const inner = text.slice(open + 1, index);
        const prefix = text.slice(0, open);
        const suffix = text.slice(index + 1);
        const suffixActive = active.slice(index + 1);
        let alternatives: string[] | undefined;
        if (commas.length > 0) {
          const bounds = [open, ...commas, index];
          alternatives = bounds.slice(1).map((end, position) => text.slice((bounds[position] ?? 0) + 1, end));
        } else {
          const range = /^(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.(-?\d+))?$/.exec(inner);
          if (range) alternatives = expandRange(range[1] ?? "", range[2] ?? "", Number(range[3] ?? 1));
        }
        if (alternatives === undefined) break;
        const tails = braceExpand(suffix, suffixActive);
        const results: string[] = [];
        for (const alternative of alternatives)
          for (const expanded of braceExpand(
            alternative,
            alternative.split("").map(() => true),
          ))
            for (const tail of tails) {
              results.push(prefix + expanded + tail);
              if (results.length >= MAXIMUM_BRACE_WORDS) return results;
            }
        return results;
      } else if (character === "," && depth === 1) commas.push(index);
    }
  }
  return [text];
}

function expandRange(first: string, last: string, step: number): string[] | undefined {
  const numeric = /^-?\d+$/.test(first) && /^-?\d+$/.test(last);
  const start = numeric ? Number(first) : first.charCodeAt(0);
  const end = numeric ? Number(last) : last.charCodeAt(0);
  const increment = Math.max(1, Math.abs(step || 1)) * (end >= start ? 1 : -1);
  const values: string[] = [];
  for (let value = start; increment > 0 ? value <= end : value >= end; value += increment) {
    values.push(numeric ? String(value) : String.fromCharCode(value));
    if (values.length >= MAXIMUM_BRACE_WORDS) break;
  }
  return values;
}

/**
 * What an argument word really is, read from its syntax node: its value, whether it is a glob (only unquoted
 * `*`, `?` and `[` are), whether it starts with an unquoted `~`, and which variables or substitutions in it have
 * no known value. The normalised `argv` of the safety engine cannot say this: `rm '*.log'` and `rm *.log` both
 * become `*.log` there.
 */
import type { Node } from "web-tree-sitter";
import { wordValue } from "../safety/command-extractor.js";

/** One argument word as the shell would see it before globbing. */
export interface ShellWord {
  /** Quotes removed, known variables substituted (equal to the extractor's `argv` entry). */
  value: string;
  /** A glob pattern (literal characters escaped with `\`) when the word has an unquoted glob character. */
  glob: string | undefined;
  /** Variables and substitutions whose value is unknown (`$TARGET`, `$(ls)`), as written. */
  unresolved: string[];
}

/** A run of characters and how the shell treats them. */
interface Piece {
  text: string;
  /** `quoted` (or escaped): taken as is; `bare`: braces, `~` and globs apply; `expanded` (a variable's value): only globs. */
  kind: "quoted" | "bare" | "expanded";
}

interface Character {
  character: string;
  kind: Piece["kind"];
}

const GLOB_CHARACTER = /[*?[]/;
/** Brace expansions a word may produce before the rest are left unexpanded. */
const MAXIMUM_BRACE_WORDS = 256;

/**
 * Reads `node` with the variables known at that point: one word, or several when it holds a brace expansion
 * (`{a,b}.txt`, `d{1..3}`). `home` expands a leading unquoted `~`.
 */
export function readShellWords(
  node: Node,
  environment: ReadonlyMap<string, string>,
  home: string | undefined,
): ShellWord[] {
  const unresolved: string[] = [];
  const pieces = piecesOf(node, environment, unresolved);
  const characters = pieces.flatMap((piece) =>
    Array.from(piece.text, (character): Character => ({ character, kind: piece.kind })),
  );
  return expandBraces(characters).map((word) => finishWord(word, home, [...unresolved]));
}

/** Tilde expansion, then the value and the glob pattern of one word. */
function finishWord(characters: Character[], home: string | undefined, unresolved: string[]): ShellWord {
  let word = characters;
  const bareStart = word.findIndex((entry) => entry.kind !== "bare");
  const bare = word.slice(0, bareStart === -1 ? word.length : bareStart).map((entry) => entry.character);
  if (bare[0] === "~") {
    const slash = bare.indexOf("/");
    const user = bare.slice(1, slash === -1 ? bare.length : slash).join("");
    if (user !== "") unresolved.push(`~${user}`);
    else if (home === undefined) unresolved.push("~");
    else
      word = [
        ...Array.from(home, (character): Character => ({ character, kind: "quoted" })),
        ...word.slice(1),
      ];
  }
  const value = word.map((entry) => entry.character).join("");
  const globbing = word.some((entry) => entry.kind !== "quoted" && GLOB_CHARACTER.test(entry.character));
  const glob = globbing
    ? word.map((entry) => (entry.kind === "quoted" ? escapeGlob(entry.character) : entry.character)).join("")
    : undefined;
  return { value, glob, unresolved };
}

/** Bash brace expansion over the bare characters of a word: `a{b,c}d` → `abd acd`, `{1..3}`, `{a..c}`. */
function expandBraces(word: Character[]): Character[][] {
  const results: Character[][] = [];
  const pending = [word];
  while (pending.length > 0 && results.length < MAXIMUM_BRACE_WORDS) {
    const current = pending.shift();
    if (current === undefined) break;
    const found = firstBraceExpression(current);
    if (found === undefined) {
      results.push(current);
      continue;
    }
    const prefix = current.slice(0, found.open);
    const suffix = current.slice(found.close + 1);
    for (const alternative of found.alternatives) pending.push([...prefix, ...alternative, ...suffix]);
  }
  return results.length === 0 ? [word] : results;
}

function firstBraceExpression(
  word: readonly Character[],
): { open: number; close: number; alternatives: Character[][] } | undefined {
  const isBare = (index: number, character: string): boolean => {
    const entry = word[index];
    return entry?.kind === "bare" && entry.character === character;
  };
  for (let open = 0; open < word.length; open++) {
    if (!isBare(open, "{")) continue;
    let depth = 0;
    const commas: number[] = [];
    for (let index = open + 1; index < word.length; index++) {
      if (isBare(index, "{")) depth++;
      else if (isBare(index, "}")) {
        if (depth > 0) {
          depth--;
          continue;
        }
        const inner = word.slice(open + 1, index);
        if (commas.length > 0) {
          const alternatives: Character[][] = [];
          let start = open + 1;
          for (const comma of [...commas, index]) {
            alternatives.push(word.slice(start, comma));
            start = comma + 1;
          }
          return { open, close: index, alternatives };
        }
        const sequence = braceSequence(inner);
        if (sequence !== undefined) return { open, close: index, alternatives: sequence };
        break;
      } else if (depth === 0 && isBare(index, ",")) commas.push(index);
    }
  }
  return undefined;
}

/** `{1..5}`, `{05..10..5}`, `{a..e}`: the words of a sequence, or undefined when `inner` is not one. */
function braceSequence(inner: readonly Character[]): Character[][] | undefined {
  if (inner.some((entry) => entry.kind !== "bare")) return undefined;
  const text = inner.map((entry) => entry.character).join("");
  const numbers = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(text);
  const letters = /^([a-zA-Z])\.\.([a-zA-Z])(?:\.\.(-?\d+))?$/.exec(text);
  const match = numbers ?? letters;
  if (!match) return undefined;
  const [, from = "", to = "", stepText] = match;
  const first = numbers ? Number(from) : from.charCodeAt(0);
  const last = numbers ? Number(to) : to.charCodeAt(0);
  const step = Math.max(1, Math.abs(Number(stepText ?? 1)));
  const width = numbers && /^-?0\d/.test(from) ? from.length : 0;
  const words: Character[][] = [];
  for (
    let value = first;
    first <= last ? value <= last : value >= last;
    value += first <= last ? step : -step
  ) {
    const shown = numbers ? String(value).padStart(width, "0") : String.fromCharCode(value);
    words.push(Array.from(shown, (character): Character => ({ character, kind: "bare" })));
    if (words.length >= MAXIMUM_BRACE_WORDS) break;
  }
  return words;
}

/** A word's pieces: runs of quoted and unquoted characters. */
function piecesOf(node: Node, environment: ReadonlyMap<string, string>, unresolved: string[]): Piece[] {
  switch (node.type) {
    case "word":
      return unquotedPieces(node.text);
    case "raw_string":
    case "ansi_c_string":
      return [{ text: wordValue(node, { environment }), kind: "quoted" }];
    case "string":
      collectUnresolved(node, environment, unresolved);
      return [{ text: wordValue(node, { environment }), kind: "quoted" }];
    case "simple_expansion":
    case "expansion": {
      if (isUnresolved(node, environment)) {
        unresolved.push(node.text);
        return [{ text: node.text, kind: "quoted" }];
      }
      // An unquoted expansion is globbed by the shell, like `X='*.log'; rm $X`.
      return [{ text: wordValue(node, { environment }), kind: "expanded" }];
    }
    case "command_substitution":
    case "process_substitution": {
      const value = wordValue(node, { environment });
      if (value === node.text) {
        unresolved.push(node.text);
        return [{ text: node.text, kind: "quoted" }];
      }
      return [{ text: value, kind: "expanded" }];
    }
    case "concatenation": {
      const pieces: Piece[] = [];
      const base = node.startIndex;
      let position = 0;
      for (const child of node.namedChildren) {
        const start = child.startIndex - base;
        if (start > position) pieces.push(...unquotedPieces(node.text.slice(position, start)));
        pieces.push(...piecesOf(child, environment, unresolved));
        position = child.endIndex - base;
      }
      if (position < node.text.length) pieces.push(...unquotedPieces(node.text.slice(position)));
      return pieces;
    }
    default:
      return [{ text: node.text, kind: "bare" }];
  }
}

/** Splits a plain word's text into quoted/escaped and bare runs. */
function unquotedPieces(text: string): Piece[] {
  const pieces: Piece[] = [];
  const push = (character: string, literal: boolean): void => {
    const kind = literal ? "quoted" : "bare";
    const last = pieces.at(-1);
    if (last?.kind === kind) last.text += character;
    else pieces.push({ text: character, kind });
  };
  let quote: string | undefined;
  for (let index = 0; index < text.length; index++) {
    const character = text.charAt(index);
    if (quote !== undefined) {
      if (character === quote) quote = undefined;
      else push(character, true);
    } else if (character === "\\") {
      index++;
      if (index < text.length && text.charAt(index) !== "\n") push(text.charAt(index), true);
    } else if (character === "'" || character === '"') {
      quote = character;
    } else {
      push(character, false);
    }
  }
  return pieces;
}

function collectUnresolved(node: Node, environment: ReadonlyMap<string, string>, unresolved: string[]): void {
  for (const child of node.namedChildren) {
    if (child.type === "simple_expansion" || child.type === "expansion") {
      if (isUnresolved(child, environment)) unresolved.push(child.text);
    } else if (child.type === "command_substitution") {
      if (wordValue(child, { environment }) === child.text) unresolved.push(child.text);
    } else {
      collectUnresolved(child, environment, unresolved);
    }
  }
}

/** `$X` / `${X}` with X unknown; `${X:-default}` and `${X:=default}` always have a value. */
function isUnresolved(node: Node, environment: ReadonlyMap<string, string>): boolean {
  const text = node.text;
  if (node.type === "simple_expansion") return !environment.has(text.slice(1));
  const match = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=?+])(.*))?\}$/s.exec(text);
  if (!match) return true;
  const [, name = "", operator] = match;
  if (operator !== undefined && (operator.endsWith("-") || operator.endsWith("="))) return false;
  return !environment.has(name);
}

/** Escapes the glob characters of literal text. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

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

interface Piece {
  text: string;
  /** Quoted or escaped: never a glob character, never a tilde. */
  literal: boolean;
}

const GLOB_CHARACTER = /[*?[]/;

/** Reads `node` with the variables known at that point. `home` expands a leading unquoted `~`. */
export function readShellWord(
  node: Node,
  environment: ReadonlyMap<string, string>,
  home: string | undefined,
): ShellWord {
  const unresolved: string[] = [];
  const pieces = piecesOf(node, environment, unresolved);
  const first = pieces[0];
  if (first !== undefined && !first.literal && /^~(?:\/|$)/.test(first.text)) {
    if (home === undefined) unresolved.push("~");
    else pieces[0] = { text: home + first.text.slice(1), literal: true };
  } else if (first !== undefined && !first.literal && /^~[^/]/.test(first.text)) {
    unresolved.push(first.text.split("/")[0] ?? first.text);
  }
  const value = pieces.map((piece) => piece.text).join("");
  const globbing = pieces.some((piece) => !piece.literal && GLOB_CHARACTER.test(piece.text));
  const glob = globbing
    ? pieces.map((piece) => (piece.literal ? escapeGlob(piece.text) : piece.text)).join("")
    : undefined;
  return { value, glob, unresolved };
}

/** A word's pieces: runs of quoted and unquoted characters. */
function piecesOf(node: Node, environment: ReadonlyMap<string, string>, unresolved: string[]): Piece[] {
  switch (node.type) {
    case "word":
      return unquotedPieces(node.text);
    case "raw_string":
    case "ansi_c_string":
      return [{ text: wordValue(node, { environment }), literal: true }];
    case "string":
      collectUnresolved(node, environment, unresolved);
      return [{ text: wordValue(node, { environment }), literal: true }];
    case "simple_expansion":
    case "expansion": {
      if (isUnresolved(node, environment)) {
        unresolved.push(node.text);
        return [{ text: node.text, literal: true }];
      }
      // An unquoted expansion is globbed by the shell, like `X='*.log'; rm $X`.
      return [{ text: wordValue(node, { environment }), literal: false }];
    }
    case "command_substitution":
    case "process_substitution": {
      const value = wordValue(node, { environment });
      if (value === node.text) {
        unresolved.push(node.text);
        return [{ text: node.text, literal: true }];
      }
      return [{ text: value, literal: false }];
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
      return [{ text: wordValue(node, { environment }), literal: false }];
  }
}

/** Splits a plain word's text into quoted/escaped and bare runs. */
function unquotedPieces(text: string): Piece[] {
  const pieces: Piece[] = [];
  const push = (character: string, literal: boolean): void => {
    const last = pieces.at(-1);
    if (last?.literal === literal) last.text += character;
    else pieces.push({ text: character, literal });
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

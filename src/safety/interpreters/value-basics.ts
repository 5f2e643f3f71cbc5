/**
 * The values the interpreter-code evaluator works with: text in which run-time pieces are {@link UNKNOWN}, lists,
 * and marks for text that was decoded or downloaded; with the few operations on them (joining, formatting,
 * static decoders) that more than one module needs.
 */
import type { CodeLanguage } from "./code-lexer.js";

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
export const literal = (text: string): Value => ({ text });

export function joinValues(values: readonly Value[]): Value {
  const text = values.map((value) => value.text).join("");
  const result: Value = { text };
  if (values.some((value) => value.decoded === true)) result.decoded = true;
  if (values.some((value) => value.remote === true)) result.remote = true;
  return result;
}

export const PRINTF = /%%|%[-+ 0#]*\d*(?:\.\d+)?[sdifxXor]/g;
export const decoded = (text: string | undefined): Value =>
  text === undefined ? unknown({ decoded: true }) : { text, decoded: true };

/** Replaces `%s`-style (or `{}`-style) placeholders with the arguments' texts. */
export function substituteFormat(format: string, args: readonly Value[], placeholder: RegExp): string {
  let index = 0;
  return format.replace(placeholder, (match) => (match === "%%" ? "%" : (args[index++]?.text ?? UNKNOWN)));
}

export function textJoin(separator: string, args: readonly Value[]): Value {
  const items = args.flatMap((arg) => arg.items ?? [arg]);
  return { ...joinValues(items), text: items.map((item) => item.text).join(separator) };
}

export function pathJoin(args: readonly Value[]): Value {
  let text = "";
  for (const arg of args) {
    if (arg.text.startsWith("/")) text = arg.text;
    else text = text === "" ? arg.text : `${text.replace(/\/$/, "")}/${arg.text}`;
  }
  return { ...joinValues(args), text };
}

export function base64Decode(text: string | undefined): string | undefined {
  if (text === undefined || text.includes(UNKNOWN) || !/^[A-Za-z0-9+/=_-\s]+$/.test(text)) return undefined;
  return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("latin1");
}

export function hexDecode(text: string | undefined): string | undefined {
  if (text === undefined || !/^(?:[0-9a-fA-F]{2}\s*)+$/.test(text)) return undefined;
  return Buffer.from(text.replace(/\s/g, ""), "hex").toString("latin1");
}

export function rot13(text: string | undefined): string | undefined {
  if (text === undefined || text.includes(UNKNOWN)) return undefined;
  return text.replace(/[A-Za-z]/g, (char) => {
    const base = char <= "Z" ? 65 : 97;
    return String.fromCharCode(((char.charCodeAt(0) - base + 13) % 26) + base);
  });
}

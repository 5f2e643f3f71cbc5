/**
 * Fish syntax that the bash grammar rejects (`set x rm; $x -rf /`, `eval (echo rm -rf ~)`, `and`/`or`,
 * `begin … end`): a small tokeniser that splits statements at `;`, `|`, `&&`, `||`, newlines and the
 * `and`/`or`/`not` keywords, runs command substitutions `(…)` and `$(…)` as commands of their own, tracks `set`
 * so later `$x` expand, and keeps what it cannot resolve as written and marked dynamic.
 */
import type { Redirect, SimpleCommand } from "./command-extractor.js";
import { textOutput } from "./static-text.js";

interface FishWord {
  value: string;
  dynamic: boolean;
}

const KEYWORDS = new Set(["and", "or", "not", "begin", "end", "command", "builtin", "else", "if", "while"]);
const MAXIMUM_NESTING = 8;
const REDIRECT = /^(\d*>>|\d*>\|?|&>>?|<|\^\^?|\d*>&)(.*)$/;

/** The simple commands of a fish script, in order; `undefined` when quotes or parentheses do not balance. */
export function fishCommands(text: string): SimpleCommand[] | undefined {
  const variables = new Map<string, string[]>();
  const commands: SimpleCommand[] = [];
  return parseStatements(text, variables, commands, 0) ? commands : undefined;
}

function parseStatements(
  text: string,
  variables: Map<string, string[]>,
  commands: SimpleCommand[],
  depth: number,
): boolean {
  if (depth > MAXIMUM_NESTING) return false;
  let words: FishWord[] = [];
  let previous: SimpleCommand | undefined;
  let pipedIn = false;
  let index = 0;
  const finish = (pipe: boolean): void => {
    while (words.length > 0 && KEYWORDS.has(words[0]?.value ?? "") && !(words[0]?.dynamic ?? false))
      words = words.slice(1);
    if (words[0]?.value === "for" && words[2]?.value === "in") {
      variables.set(
        words[1]?.value ?? "",
        words.slice(3).map((word) => word.value),
      );
      words = [];
    }
    const redirects: Redirect[] = [];
    for (let at = 0; at < words.length; at++) {
      const word = words[at];
      const match = word === undefined || word.dynamic ? null : REDIRECT.exec(word.value);
      if (!match) continue;
      const attached = match[2] ?? "";
      const target = attached !== "" ? attached : (words[at + 1]?.value ?? "");
      redirects.push({ operator: match[1] ?? ">", target });
      words.splice(at, attached !== "" ? 1 : 2);
      at--;
    }
    if (words.length > 0 || redirects.length > 0) {
      const argv = words.map((word) => word.value);
      const command: SimpleCommand = {
        argv,
        redirects,
        stdinFrom: pipedIn && previous ? [previous.argv] : [],
        stdinText: pipedIn && previous ? textOutput(previous.argv, previous.stdinText) : undefined,
      };
      if (words.some((word) => word.dynamic)) command.dynamic = words.map((word) => word.dynamic);
      commands.push(command);
      if (argv[0] === "set") noteSet(argv.slice(1), variables);
      previous = command;
    }
    pipedIn = pipe && words.length > 0;
    words = [];
  };
  while (index < text.length) {
    const character = text.charAt(index);
    if (character === " " || character === "\t") {
      index++;
      continue;
    }
    if (character === "#") {
      while (index < text.length && text.charAt(index) !== "\n") index++;
      continue;
    }
    if (character === ";" || character === "\n" || character === "&") {
      finish(false);
      index += text.startsWith("&&", index) ? 2 : 1;
      continue;
    }
    if (character === "|") {
      finish(!text.startsWith("||", index));
      index += text.startsWith("||", index) ? 2 : 1;
      continue;
    }
    const read = readWord(text, index, variables, commands, depth);
    if (read === undefined) return false;
    index = read.end;
    // A redirection: `> file`, `2>&1`, `>> file` — its target is a word, judged as written.
    words.push(...read.words);
  }
  finish(false);
  return true;
}

function readWord(
  text: string,
  start: number,
  variables: Map<string, string[]>,
  commands: SimpleCommand[],
  depth: number,
): { words: FishWord[]; end: number } | undefined {
  let value = "";
  let dynamic = false;
  let list: string[] | undefined;
  let index = start;
  while (index < text.length) {
    const character = text.charAt(index);
    if (" \t\n;|&#".includes(character)) break;
    if (character === "'" || character === '"') {
      const end = findQuote(text, index + 1, character);
      if (end === -1) return undefined;
      const inner = text.slice(index + 1, end);
      value += character === "'" ? inner.replace(/\\(['\\])/g, "$1") : expandInQuotes(inner, variables);
      if (character === '"' && /\$[A-Za-z_]/.test(inner) && value.includes("$")) dynamic = true;
      index = end + 1;
    } else if (character === "\\") {
      value += text.charAt(index + 1);
      index += 2;
    } else if (character === "(" || (character === "$" && text.charAt(index + 1) === "(")) {
      const open = character === "(" ? index : index + 1;
      const close = matchingParenthesis(text, open);
      if (close === -1) return undefined;
      const inner = text.slice(open + 1, close);
      const before = commands.length;
      if (!parseStatements(inner, variables, commands, depth + 1)) return undefined;
      const last = commands.slice(before).at(-1);
      const output = last === undefined || last.dynamic ? undefined : textOutput(last.argv, last.stdinText);
      if (output === undefined) {
        value += text.slice(index, close + 1);
        dynamic = true;
      } else list = [...(list ?? []), ...output.trim().split(/\s+/)];
      index = close + 1;
    } else if (character === "$" && /[A-Za-z_]/.test(text.charAt(index + 1))) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(index + 1));
      const name = match?.[0] ?? "";
      const known = variables.get(name);
      if (known === undefined) {
        value += `$${name}`;
        dynamic = true;
      } else if (value === "") list = [...(list ?? []), ...known];
      else value += known.join(" ");
      index += 1 + name.length;
    } else {
      value += character;
      index++;
    }
  }
  const words: FishWord[] =
    list === undefined ? [{ value, dynamic }] : list.map((item) => ({ value: item, dynamic }));
  if (list !== undefined && value !== "") words.push({ value, dynamic });
  return { words, end: index };
}

function expandInQuotes(text: string, variables: Map<string, string[]>): string {
  return text
    .replace(/\\(["\\$])/g, "$1")
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, name: string) => variables.get(name)?.join(" ") ?? match);
}

function findQuote(text: string, from: number, quote: string): number {
  for (let index = from; index < text.length; index++) {
    if (text.charAt(index) === "\\") index++;
    else if (text.charAt(index) === quote) return index;
  }
  return -1;
}

function matchingParenthesis(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    const character = text.charAt(index);
    if (character === "'" || character === '"') {
      const end = findQuote(text, index + 1, character);
      if (end === -1) return -1;
      index = end;
    } else if (character === "(") depth++;
    else if (character === ")" && --depth === 0) return index;
  }
  return -1;
}

/** `set [-g|-l|-x|-U…] name values…` (and `set -e name`). */
function noteSet(args: readonly string[], variables: Map<string, string[]>): void {
  let index = 0;
  let erase = false;
  while (index < args.length && (args[index] ?? "").startsWith("-")) {
    if (/^-[a-zA-Z]*e|^--erase$/.test(args[index] ?? "")) erase = true;
    index++;
  }
  const name = args[index];
  if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return;
  if (erase) variables.delete(name);
  else variables.set(name, args.slice(index + 1));
}

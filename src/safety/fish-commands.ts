/**
 * Fish syntax that the bash grammar rejects (`set x rm; $x -rf /`, `eval (echo rm -rf ~)`, `and`/`or`,
 * `begin … end`): a small tokeniser that splits statements at `;`, `|`, `&&`, `||`, newlines and the
 * `and`/`or`/`not` keywords, runs command substitutions `(…)` and `$(…)` as commands of their own, tracks `set`
 * so later `$x` expand, and keeps what it cannot resolve as written and marked dynamic.
 */
import type { Assignment, ProcessInput, Redirect, SimpleCommand } from "./command-extractor.js";
import { textOutput } from "./static-text.js";
import { expandBraceText } from "./word-expansion.js";

interface FishWord {
  value: string;
  dynamic: boolean;
  /** `(… | psub)`: the word is a file holding what the pipeline printed. */
  processInput?: Omit<ProcessInput, "index">;
}

/** Variables fish keeps as lists of words, each known or not. */
type FishVariables = Map<string, FishWord[]>;

/** Lists that fish joins with `:` when it exports them, and the variable each one feeds. */
const PATH_LISTS: Readonly<Record<string, string>> = {
  PATH: "PATH",
  fish_user_paths: "PATH",
  MANPATH: "MANPATH",
  LD_LIBRARY_PATH: "LD_LIBRARY_PATH",
  PYTHONPATH: "PYTHONPATH",
  NODE_PATH: "NODE_PATH",
};

const KEYWORDS = new Set(["and", "or", "not", "begin", "end", "else", "if", "while"]);
const MAXIMUM_NESTING = 8;
const REDIRECT = /^(\d*>>|\d*>\|?|&>>?|<|\^\^?|\d*>&)(.*)$/;

/** The simple commands of a fish script, in order; `undefined` when quotes or parentheses do not balance. */
export function fishCommands(text: string): SimpleCommand[] | undefined {
  const variables: FishVariables = new Map();
  const commands: SimpleCommand[] = [];
  return parseStatements(text, variables, commands, 0) ? commands : undefined;
}

function parseStatements(
  text: string,
  variables: FishVariables,
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
      variables.set(words[1]?.value ?? "", words.slice(3));
      words = [];
    }
    // `function f; …; end` and `function f --on-event …`: the body's statements follow and are judged as they are.
    // `switch (uname)` and `case Linux` only choose a branch; the substitution was taken as a command already.
    if (["function", "switch", "case"].includes(words[0]?.value ?? "")) words = [];
    // `… | source` and `… | .` read the script from standard input, as a shell would.
    if (pipedIn && words.length === 1 && (words[0]?.value === "source" || words[0]?.value === "."))
      words = [{ value: "fish", dynamic: false }];
    const redirects: Redirect[] = [];
    for (let at = 0; at < words.length; at++) {
      const word = words[at];
      const match =
        word === undefined || word.dynamic || word.processInput !== undefined
          ? null
          : REDIRECT.exec(word.value);
      if (!match) continue;
      const attached = match[2] ?? "";
      const target = attached !== "" ? attached : (words[at + 1]?.value ?? "");
      redirects.push({ operator: match[1] ?? ">", target });
      words.splice(at, attached !== "" ? 1 : 2);
      at--;
    }
    if (words.length > 0 || redirects.length > 0) {
      const setWords = words[0]?.value === "set" ? words.slice(1) : undefined;
      const exported = setWords === undefined ? undefined : exportedSet(setWords);
      if (exported !== undefined)
        words = [
          { value: "export", dynamic: false },
          { value: `${exported.name}=${exported.value}`, dynamic: exported.dynamic },
        ];
      const argv = words.map((word) => word.value);
      const command: SimpleCommand = {
        argv,
        redirects,
        stdinFrom: pipedIn && previous ? [previous.argv] : [],
        stdinText: pipedIn && previous ? textOutput(previous.argv, previous.stdinText) : undefined,
      };
      if (words.some((word) => word.dynamic)) command.dynamic = words.map((word) => word.dynamic);
      const inputs = words.flatMap((word, index) =>
        word.processInput === undefined ? [] : [{ index, ...word.processInput }],
      );
      if (inputs.length > 0) command.processInputs = inputs;
      if (exported !== undefined) command.assignments = [exported];
      commands.push(command);
      if (setWords !== undefined) noteSet(setWords, variables);
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
  variables: FishVariables,
  commands: SimpleCommand[],
  depth: number,
): { words: FishWord[]; end: number } | undefined {
  let value = "";
  let dynamic = false;
  let quoted = false;
  let list: FishWord[] | undefined;
  let processInput: FishWord["processInput"];
  let index = start;
  while (index < text.length) {
    const character = text.charAt(index);
    if (" \t\n;|&#".includes(character)) break;
    if (character === "'" || character === '"') {
      const end = findQuote(text, index + 1, character);
      if (end === -1) return undefined;
      const inner = text.slice(index + 1, end);
      quoted = true;
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
      if (last?.argv[0] === "psub" && last.argv.length === 1) {
        // `(echo … | psub)` is a file holding the pipeline's output: what `source` of it would run.
        commands.splice(commands.indexOf(last), 1);
        processInput = { text: last.stdinText, producers: last.stdinFrom };
        value += `<(${inner})`;
        index = close + 1;
        continue;
      }
      const output = last === undefined || last.dynamic ? undefined : textOutput(last.argv, last.stdinText);
      if (output === undefined) {
        // Written as bash would write it, so the rules see a value computed at run time.
        value += `$(${inner})`;
        dynamic = true;
      } else
        list = [
          ...(list ?? []),
          ...output
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => ({ value: line, dynamic: false })),
        ];
      index = close + 1;
    } else if (character === "$" && /[A-Za-z_]/.test(text.charAt(index + 1))) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?/.exec(text.slice(index + 1));
      const name = match?.[1] ?? "";
      const slice = match?.[2];
      const whole = variables.get(name);
      const known = whole === undefined || slice === undefined ? whole : sliceOf(whole, slice.slice(1, -1));
      if (known === undefined) {
        value += slice === undefined ? `$${name}` : `\${${name}${slice}}`;
        dynamic = true;
      } else if (value === "") list = [...(list ?? []), ...known];
      else {
        value += known.map((word) => word.value).join(" ");
        if (known.some((word) => word.dynamic)) dynamic = true;
      }
      index += 1 + (match?.[0].length ?? 0);
    } else {
      value += character;
      index++;
    }
  }
  if (processInput !== undefined) return { words: [{ value, dynamic, processInput }], end: index };
  if (list !== undefined) {
    const words = list.map((item) => ({ value: item.value, dynamic: item.dynamic || dynamic }));
    if (value !== "") words.push({ value, dynamic });
    return { words, end: index };
  }
  // Fish expands braces in words written without quotes: `rm -rf /{usr,etc}`.
  const values = quoted ? [value] : expandBraceText(value);
  return { words: values.map((item) => ({ value: item, dynamic })), end: index };
}

/** `$list[2]`, `$list[-1]`, `$list[2..-1]`: fish indexes lists from 1, negative from the end. */
function sliceOf(list: readonly FishWord[], index: string): FishWord[] | undefined {
  const range = /^(-?\d+)(?:\.\.(-?\d+))?$/.exec(index.trim());
  if (!range) return undefined;
  const position = (written: string): number => {
    const number = Number(written);
    return number < 0 ? list.length + number : number - 1;
  };
  const first = position(range[1] ?? "1");
  const last = range[2] === undefined ? first : position(range[2]);
  return first <= last ? list.slice(first, last + 1) : list.slice(last, first + 1).reverse();
}

/**
 * `set -x NAME values`, `set -gx PATH /x $PATH`, `set -U fish_user_paths /x`: the same as bash's
 * `export NAME=value`, so the checks on variables that change what programs run apply to it.
 */
function exportedSet(args: readonly FishWord[]): Assignment | undefined {
  let index = 0;
  let exported = false;
  while (index < args.length && (args[index]?.value ?? "").startsWith("-")) {
    const flag = args[index]?.value ?? "";
    if (/^-[a-zA-Z]*[eqn]|^--(erase|query|names)$/.test(flag)) return undefined;
    if (/^-[a-zA-Z]*x|^--export$/.test(flag)) exported = true;
    index++;
  }
  const name = args[index]?.value ?? "";
  const target = PATH_LISTS[name];
  if (!exported && target === undefined) return undefined;
  const values = args.slice(index + 1);
  const joined = values.map((word) => word.value).join(target === undefined ? " " : ":");
  const suffix = name === "fish_user_paths" ? ":$PATH" : "";
  return { name: target ?? name, value: `${joined}${suffix}`, dynamic: values.some((word) => word.dynamic) };
}

function expandInQuotes(text: string, variables: FishVariables): string {
  return text.replace(/\\(["\\$])/g, "$1").replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, name: string) => {
    const known = variables.get(name);
    return known === undefined || known.some((word) => word.dynamic)
      ? match
      : known.map((word) => word.value).join(" ");
  });
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
function noteSet(args: readonly FishWord[], variables: FishVariables): void {
  let index = 0;
  let erase = false;
  while (index < args.length && (args[index]?.value ?? "").startsWith("-")) {
    if (/^-[a-zA-Z]*e|^--erase$/.test(args[index]?.value ?? "")) erase = true;
    index++;
  }
  const name = args[index]?.value;
  if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return;
  if (erase) variables.delete(name);
  else variables.set(name, args.slice(index + 1));
}

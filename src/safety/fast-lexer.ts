/**
 * A fast path in front of tree-sitter with a two-answer contract. {@link plainWordList} says either
 *
 * - "certainly a plain word list": simple commands whose words are literal text (bare, `'…'`, `"…"` without
 *   escapes, or a backslash before an ordinary character), joined by `|`, `&&`, `||`, `;` or `&`; it returns
 *   those words, which are exactly the argv tree-sitter's walk (`command-extractor.ts`) would report; or
 * - `undefined`: "ask tree-sitter", for everything else — `$`, backquotes, parentheses, braces, brackets,
 *   redirections, here-docs, comments, history, newlines and other control or non-ASCII characters, reserved
 *   words, assignments, empty command names, a backslash inside double quotes or before a space, and any
 *   malformed joint.
 *
 * It never answers anything in between: when in doubt, it declines. `fast-lexer.test.ts` holds it to this
 * against tree-sitter over every corpus command in the repository (`test/fixtures/safety*`).
 */
import { textOutput, type SimpleCommand } from "./command-extractor.js";

/** Characters that may give a word or a joint more meaning than its text: always asked of tree-sitter. */
const DECLINED = /[^ -~]|[$`(){}[\]#!<>]/;
const RESERVED = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "for",
  "while",
  "until",
  "do",
  "done",
  "case",
  "esac",
  "function",
  "select",
  "time",
  "coproc",
  "[[",
  "]]",
  // Declarations carry assignments, which the parser reports separately.
  "export",
  "declare",
  "typeset",
  "local",
  "readonly",
]);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;
const JOINTS = new Set(["|", "&&", "||", ";", "&"]);

/** A plain word list: pipelines in order, each a list of commands, each command its words. */
export type PlainWordList = string[][][];

type Token = { kind: "word"; raw: string; value: string } | { kind: "joint"; text: string };

/** `text` as a plain word list when it certainly is one (see the module comment), else `undefined`. */
export function plainWordList(text: string): PlainWordList | undefined {
  if (DECLINED.test(text)) return undefined;
  const tokens = tokenise(text);
  if (tokens === undefined || tokens.length === 0) return undefined;
  const pipelines: PlainWordList = [];
  let pipeline: string[][] = [];
  let command: string[] = [];
  for (const token of tokens) {
    if (token.kind === "word") {
      const first = command.length === 0;
      if (first && (RESERVED.has(token.raw) || ASSIGNMENT.test(token.raw) || token.value === "")) {
        return undefined;
      }
      command.push(token.value);
      continue;
    }
    if (command.length === 0) return undefined;
    pipeline.push(command);
    command = [];
    if (token.text !== "|") {
      pipelines.push(pipeline);
      pipeline = [];
    }
  }
  const last = tokens.at(-1);
  if (command.length > 0) pipeline.push(command);
  // `a |`, `a &&`, `a ||` wait for more; `a;` and `a &` are complete.
  else if (last?.kind === "joint" && last.text !== ";" && last.text !== "&") return undefined;
  if (pipeline.length > 0) pipelines.push(pipeline);
  return pipelines;
}

/**
 * The commands of a plain word list as the extractor reports them: each pipeline stage reads what the
 * earlier stages ran and, where it is fixed text (`echo`, `printf`), what the previous stage printed.
 */
export function plainCommands(list: PlainWordList): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  for (const pipeline of list) {
    const earlier: string[][] = [];
    let flowingText: string | undefined;
    for (const argv of pipeline) {
      const stdinText = earlier.length === 0 ? undefined : flowingText;
      commands.push({ argv, redirects: [], stdinFrom: [...earlier], stdinText });
      flowingText = textOutput(argv, stdinText);
      earlier.push(argv);
    }
  }
  return commands;
}

function tokenise(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let index = 0;
  const length = text.length;
  while (index < length) {
    const character = text.charAt(index);
    if (character === " ") {
      index++;
      continue;
    }
    if (character === "|" || character === "&" || character === ";") {
      const pair = text.slice(index, index + 2);
      const joint = JOINTS.has(pair) ? pair : character;
      // `|&`, `;;`, `;&`, `&;`, `||;` …: not a plain joint.
      const after = text.charAt(index + joint.length);
      if (after !== "" && "|&;".includes(after)) return undefined;
      tokens.push({ kind: "joint", text: joint });
      index += joint.length;
      continue;
    }
    // A word: runs until an unquoted space or joint.
    let value = "";
    let quote: string | undefined;
    const start = index;
    while (index < length) {
      const current = text.charAt(index);
      if (quote !== undefined) {
        if (current === quote) quote = undefined;
        else if (current === "\\" && quote === '"') return undefined;
        else value += current;
        index++;
        continue;
      }
      if (current === " " || current === "|" || current === "&" || current === ";") break;
      if (current === "'" || current === '"') {
        quote = current;
      } else if (current === "\\") {
        index++;
        if (index >= length || text.charAt(index) === " ") return undefined;
        value += text.charAt(index);
      } else {
        value += current;
      }
      index++;
    }
    if (quote !== undefined) return undefined;
    tokens.push({ kind: "word", raw: text.slice(start, index), value });
  }
  return tokens;
}

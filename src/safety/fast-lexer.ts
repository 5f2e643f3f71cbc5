/**
 * A fast path for the common shape of command: simple commands with plain or quoted words, joined by `|`, `&&`,
 * `||`, `;` or `&`, with plain redirections at the end of a single command. It produces exactly what the tree-sitter
 * walk in `command-extractor.ts` would (a differential test holds it to that over the whole corpus) at a fraction of
 * the cost, and declines — returns `undefined` — on anything else: `$`, backquotes, parentheses, braces, here-docs,
 * comments, newlines, brackets, reserved words, assignments, backslashes inside quotes or before a space, a
 * redirection in an `&&`/`||` list (the grammar hangs it on the whole list), or anything malformed.
 */
import { textOutput, type Redirect, type SimpleCommand } from "./command-extractor.js";

/** What the fast path never handles: substitutions, grouping, comments, history, and anything but printable ASCII. */
const DECLINED = /[^ -~]|[$`(){}[\]#!]/;
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
const DESCRIPTOR = /^[0-9]+$/;

type Token = { kind: "word"; raw: string; value: string } | { kind: "operator"; text: string };

/** The simple commands of `text` when it has the common simple shape, else `undefined` (use the parser). */
export function lexSimpleScript(text: string): SimpleCommand[] | undefined {
  if (DECLINED.test(text) || text.includes("{}")) return undefined;
  const tokens = tokenise(text);
  if (tokens === undefined) return undefined;
  const redirected = tokens.some((token) => token.kind === "operator" && isRedirect(token.text));
  const listed = tokens.some(
    (token) => token.kind === "operator" && (token.text === "&&" || token.text === "||"),
  );
  if (redirected && listed) return undefined;
  return assemble(tokens);
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
      if (pair === "&&" || pair === "||") {
        tokens.push({ kind: "operator", text: pair });
        index += 2;
      } else if (pair === "&>") {
        const operator = text.startsWith("&>>", index) ? "&>>" : "&>";
        tokens.push({ kind: "operator", text: operator });
        index += operator.length;
      } else if (pair === "|&" || pair === ";;" || pair === ";&") {
        return undefined;
      } else {
        tokens.push({ kind: "operator", text: character });
        index++;
      }
      continue;
    }
    if (character === ">" || character === "<") {
      const operator = redirectOperator(text, index);
      if (operator === undefined) return undefined;
      tokens.push({ kind: "operator", text: operator });
      index += operator.length;
      continue;
    }
    // A word: runs until an unquoted space, operator or redirection.
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
      if (current === ">" || current === "<") break;
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
    const raw = text.slice(start, index);
    // `2>&1`, `2>/dev/null`: digits directly before a redirection are its descriptor.
    const next = text.charAt(index);
    if ((next === ">" || next === "<") && DESCRIPTOR.test(raw)) {
      const operator = redirectOperator(text, index);
      if (operator === undefined) return undefined;
      tokens.push({ kind: "operator", text: operator });
      index += operator.length;
      continue;
    }
    tokens.push({ kind: "word", raw, value });
  }
  return tokens;
}

function redirectOperator(text: string, index: number): string | undefined {
  if (text.charAt(index) === "<") {
    const next = text.charAt(index + 1);
    return next === "<" || next === "&" || next === ">" ? undefined : "<";
  }
  for (const operator of [">>", ">&", ">|", ">"]) if (text.startsWith(operator, index)) return operator;
  return undefined;
}

function isRedirect(text: string): boolean {
  return text.startsWith(">") || text.startsWith("<") || text.startsWith("&>");
}

interface Draft {
  argv: string[];
  redirects: Redirect[];
}

/** Groups tokens into pipelines of commands, the way the extractor's walk would report them. */
function assemble(tokens: readonly Token[]): SimpleCommand[] | undefined {
  const commands: SimpleCommand[] = [];
  let pipeline: Draft[] = [];
  let current: Draft = { argv: [], redirects: [] };
  let expectCommand = true;
  const finishPipeline = (): boolean => {
    if (pipeline.length > 1 && pipeline.some((draft) => draft.redirects.length > 0)) return false;
    let earlier: string[][] = [];
    let flowingText: string | undefined;
    pipeline.forEach((draft, stage) => {
      const command: SimpleCommand = {
        argv: draft.argv,
        redirects: draft.redirects,
        stdinFrom: stage === 0 ? [] : earlier,
        stdinText: stage === 0 ? undefined : flowingText,
      };
      commands.push(command);
      flowingText = textOutput(command.argv, command.stdinText ?? flowingText);
      earlier = [...earlier, command.argv];
    });
    pipeline = [];
    return true;
  };
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token === undefined) break;
    if (token.kind === "word") {
      if (current.redirects.length > 0) return undefined;
      if (current.argv.length === 0 && (RESERVED.has(token.raw) || ASSIGNMENT.test(token.raw)))
        return undefined;
      if (current.argv.length === 0 && (token.raw === "[" || token.value === "")) return undefined;
      current.argv.push(token.value);
      expectCommand = false;
      continue;
    }
    if (isRedirect(token.text)) {
      const target = tokens[index + 1];
      if (current.argv.length === 0 || target?.kind !== "word") return undefined;
      current.redirects.push({ operator: token.text, target: target.value });
      index++;
      continue;
    }
    if (expectCommand || current.argv.length === 0) return undefined;
    pipeline.push(current);
    current = { argv: [], redirects: [] };
    expectCommand = true;
    if (token.text !== "|" && !finishPipeline()) return undefined;
  }
  const last = tokens.at(-1);
  if (current.argv.length > 0) pipeline.push(current);
  else if (last?.kind === "operator" && (last.text === "|" || last.text === "&&" || last.text === "||"))
    return undefined;
  if (pipeline.length > 0 && !finishPipeline()) return undefined;
  return commands;
}

/**
 * Reads an awk program (awk, gawk, mawk, nawk, busybox awk) for what it does beyond printing: `system(cmd)`,
 * `cmd | getline`, `print … | cmd` (a shell fed the printed text runs that text), and `print > file`. Variables set
 * with `-v` and in the program are followed; fields (`$0`, `$1`) and `ENVIRON` are run-time values.
 */
import { tokenise, type Token } from "./code-lexer.js";
import { evaluate, UNKNOWN, type Scope, type Value } from "./code-values.js";
import type { CodeVerdict } from "./analyse-code.js";
import { mayHoldSecret, maySecretVariable, pathWord } from "./code-effects.js";

const SHELLS = /^(?:\/(?:usr\/)?bin\/)?(?:sh|bash|zsh|dash|ksh|ash)(?:\s+-[a-z]*)?\s*$/;

/** What an awk program does; `variables` are the `-v name=value` assignments. */
export function analyseAwk(
  code: string,
  variables: ReadonlyMap<string, string>,
  operands: readonly string[],
): CodeVerdict {
  const verdict: CodeVerdict = { scripts: [], findings: [], acts: false };
  const tokens = tokenise(code, "awk");
  const scope: Scope = {
    language: "awk",
    variables: new Map(),
    aliases: new Map(),
    environmentReads: new Set(),
    depth: 0,
  };
  for (const [name, value] of variables) scope.variables.set(name, { text: value });
  for (let index = 1; index < tokens.length; index++) {
    const target = tokens[index - 1];
    if (tokens[index]?.text === "=" && target?.kind === "name" && !target.text.startsWith("$")) {
      const end = expressionEnd(tokens, index + 1);
      scope.variables.set(target.text, evaluate(tokens, index + 1, end, scope));
    }
  }
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token?.kind === "name" && token.text === "system" && tokens[index + 1]?.text === "(") {
      const close = closeOf(tokens, index + 1);
      run(evaluate(tokens, index + 2, close, scope), "system()", verdict);
    } else if (token?.text === "|" && tokens[index + 1]?.text === "getline") {
      const start = expressionStart(tokens, index);
      run(evaluate(tokens, start, index, scope), "| getline", verdict);
    } else if (token?.kind === "name" && (token.text === "print" || token.text === "printf")) {
      const end = expressionEnd(tokens, index + 1);
      for (let position = index + 1; position < end; position++) {
        const operator = tokens[position];
        if (operator?.kind !== "punct" || depthAt(tokens, index + 1, position) !== 0) continue;
        if (operator.text === "|") {
          if (tokens[position + 1]?.text === "getline") break;
          const command = evaluate(tokens, position + 1, end, scope);
          const printed = evaluate(tokens, index + 1, position, scope);
          if (SHELLS.test(command.text)) run(printed, "print | sh", verdict);
          else run(command, "print |", verdict);
          break;
        }
        if (operator.text === ">" || operator.text === ">>") {
          const file = evaluate(tokens, position + 1, end, scope);
          verdict.acts = true;
          verdict.scripts.push(`: ${operator.text} ${pathWord(file)}`);
          break;
        }
      }
    }
  }
  for (const operand of operands)
    if (!operand.startsWith("-") && !operand.includes("="))
      if (mayHoldSecret(operand)) verdict.scripts.push(`cat ${pathWord({ text: operand })}`);
  for (const name of scope.environmentReads)
    if (maySecretVariable(name)) verdict.scripts.push(`printenv ${name}`);
  return verdict;
}

function run(value: Value, via: string, verdict: CodeVerdict): void {
  verdict.acts = true;
  if (value.text.replace(new RegExp(UNKNOWN, "g"), "").trim() === "") {
    verdict.findings.push({
      rule: "unreadable-code",
      level: "high",
      message: `Passes code to awk that cmdai cannot read: it runs a shell command (through ${via}) built from its input or the environment at run time.`,
    });
    return;
  }
  verdict.scripts.push(value.text.replace(new RegExp(UNKNOWN, "g"), '"$RUNTIME_VALUE"'));
}

function closeOf(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let index = open; index < tokens.length; index++) {
    const text = tokens[index]?.text;
    if (text === "(") depth++;
    else if (text === ")" && --depth === 0) return index;
  }
  return tokens.length;
}

function depthAt(tokens: readonly Token[], start: number, position: number): number {
  let depth = 0;
  for (let index = start; index < position; index++) {
    const text = tokens[index]?.kind === "punct" ? tokens[index]?.text : undefined;
    if (text === "(" || text === "[") depth++;
    else if (text === ")" || text === "]") depth--;
  }
  return depth;
}

/** Where the statement that contains `start` ends (`;`, `}`, a line break or an unmatched `)`). */
function expressionEnd(tokens: readonly Token[], start: number): number {
  let depth = 0;
  for (let index = start; index < tokens.length; index++) {
    const text = tokens[index]?.kind === "punct" ? tokens[index]?.text : undefined;
    if (text === "(" || text === "[") depth++;
    else if (text === ")" || text === "]") {
      if (--depth < 0) return index;
    } else if (depth === 0 && (text === ";" || text === "}" || text === "{")) return index;
  }
  return tokens.length;
}

/** Where the expression before `end` starts (after `(`, `;`, `{`, `}` or `=` at its level). */
function expressionStart(tokens: readonly Token[], end: number): number {
  let depth = 0;
  for (let index = end - 1; index >= 0; index--) {
    const text = tokens[index]?.kind === "punct" ? tokens[index]?.text : undefined;
    if (text === ")" || text === "]") depth++;
    else if (text === "(" || text === "[") {
      if (--depth < 0) return index + 1;
    } else if (depth === 0 && (text === ";" || text === "{" || text === "}" || text === "="))
      return index + 1;
    if (depth === 0 && tokens[index]?.kind === "name" && /^(?:while|if|for)$/.test(tokens[index]?.text ?? ""))
      return index + 1;
  }
  return 0;
}

/** The program, `-v` assignments and input files of an awk command line. */
export function awkCommandLine(args: readonly string[]): {
  code: string | undefined;
  file: string | undefined;
  variables: Map<string, string>;
  operands: string[];
} {
  const variables = new Map<string, string>();
  let code: string | undefined;
  let file: string | undefined;
  const operands: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    if (code === undefined && file === undefined) {
      if (word === "-v" || word === "--assign") {
        const [name = "", ...value] = (args[++index] ?? "").split("=");
        variables.set(name, value.join("="));
        continue;
      }
      if (/^-v\w+=/.test(word)) {
        const [name = "", ...value] = word.slice(2).split("=");
        variables.set(name, value.join("="));
        continue;
      }
      if (word === "-f" || word === "--file") {
        file = args[++index];
        continue;
      }
      if (word === "-F" || word === "--field-separator") {
        index++;
        continue;
      }
      if (word === "--") continue;
      if (word.startsWith("-") && word.length > 1) continue;
      code = word;
      continue;
    }
    operands.push(word);
  }
  return { code, file, variables, operands };
}

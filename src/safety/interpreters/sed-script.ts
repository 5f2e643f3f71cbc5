/**
 * Reads a sed script for what it does beyond editing the text stream: GNU sed's `e command` and `s///e` run shell
 * commands, `w file` (and `s///w file`) write files, `r file` reads one, and `-i` rewrites its input files with the
 * text that `a`, `i` and `c` add. Each becomes shell source the rules judge (`w /etc/passwd` is `: > /etc/passwd`).
 */
import type { CodeVerdict } from "./analyse-code.js";
import { mayHoldSecret, pathWord } from "./code-effects.js";

interface SedCommandLine {
  scripts: { text: string; dynamic: boolean }[];
  files: string[];
  inPlace: boolean;
}

/** Splits `sed` arguments into scripts, input files and the in-place flag. */
function sedCommandLine(args: readonly string[], dynamic: readonly boolean[]): SedCommandLine {
  const line: SedCommandLine = { scripts: [], files: [], inPlace: false };
  const positional: { text: string; dynamic: boolean }[] = [];
  let explicit = false;
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    if (word === "-e" || word === "--expression") {
      explicit = true;
      line.scripts.push({ text: args[index + 1] ?? "", dynamic: dynamic[index + 1] === true });
      index++;
    } else if (word.startsWith("--expression=")) {
      explicit = true;
      line.scripts.push({ text: word.slice(13), dynamic: dynamic[index] === true });
    } else if (word === "-f" || word === "--file" || word === "-l" || word === "--line-length") {
      if (word === "-f" || word === "--file") explicit = true;
      index++;
    } else if (word === "-i" || word.startsWith("-i") || word.startsWith("--in-place")) {
      line.inPlace = true;
    } else if (/^-[nEerszuN]+$/.test(word) || word.startsWith("--")) {
      if (/^-[a-zA-Z]*i/.test(word)) line.inPlace = true;
      if (/^-[a-zA-Z]*e$/.test(word) && word !== "-e") {
        explicit = true;
        line.scripts.push({ text: args[index + 1] ?? "", dynamic: dynamic[index + 1] === true });
        index++;
      }
    } else positional.push({ text: word, dynamic: dynamic[index] === true });
  }
  if (!explicit && positional.length > 0) {
    const [script, ...files] = positional;
    if (script) line.scripts.push(script);
    line.files.push(...files.map((file) => file.text));
  } else line.files.push(...positional.map((file) => file.text));
  return line;
}

const RUNTIME = '"$RUNTIME_VALUE"';

/** What a sed command line does besides printing. */
export function analyseSed(args: readonly string[], dynamic: readonly boolean[]): CodeVerdict {
  const verdict: CodeVerdict = { scripts: [], findings: [], acts: false };
  const line = sedCommandLine(args, dynamic);
  const added: string[] = [];
  for (const script of line.scripts) readScript(script.text, script.dynamic, verdict, added);
  for (const file of line.files) {
    if (file === "-") continue;
    if (line.inPlace && added.length > 0)
      verdict.scripts.push(
        `printf %s ${pathWord({ text: added.join("\n") })} >> ${pathWord({ text: file })}`,
      );
    if (mayHoldSecret(file)) verdict.scripts.push(`cat ${pathWord({ text: file })}`);
  }
  return verdict;
}

function readScript(script: string, dynamic: boolean, verdict: CodeVerdict, added: string[]): void {
  let index = 0;
  const length = script.length;
  const restOfLine = (): string => {
    const end = script.indexOf("\n", index);
    const text = script.slice(index, end === -1 ? length : end);
    index = end === -1 ? length : end + 1;
    return text.trim();
  };
  while (index < length) {
    const char = script[index] ?? "";
    if (/[\s;{}!]/.test(char)) {
      index++;
      continue;
    }
    // Addresses: line numbers, `$`, `/regex/`, `\%regex%`, ranges and steps.
    if (/[0-9$,~+]/.test(char)) {
      index++;
      continue;
    }
    if (char === "/" || char === "\\") {
      const delimiter = char === "\\" ? (script[index + 1] ?? "/") : "/";
      index = skipDelimited(script, index + (char === "\\" ? 2 : 1), delimiter);
      while (/[IM]/.test(script[index] ?? "")) index++;
      continue;
    }
    index++;
    switch (char) {
      case "s": {
        const delimiter = script[index] ?? "/";
        const patternEnd = skipDelimited(script, index + 1, delimiter);
        const pattern = script.slice(index + 1, patternEnd - 1);
        const replacementEnd = skipDelimited(script, patternEnd, delimiter);
        const replacement = script
          .slice(patternEnd, replacementEnd - 1)
          .replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : /\d/.test(c) ? `\\${c}` : c));
        index = replacementEnd;
        let flags = "";
        while (index < length && /[gpeiImM0-9]/.test(script[index] ?? "")) flags += script[index++] ?? "";
        if (flags.includes("e")) runReplacement(replacement, /^\^?\.\*\$?$/.test(pattern), dynamic, verdict);
        if (script[index] === "w" || script[index] === "W") {
          index++;
          writeTo(restOfLine(), verdict);
        }
        break;
      }
      case "y": {
        const delimiter = script[index] ?? "/";
        index = skipDelimited(script, skipDelimited(script, index + 1, delimiter), delimiter);
        break;
      }
      case "a":
      case "i":
      case "c":
        added.push(restOfLine().replace(/^\\\s*/, ""));
        break;
      case "e": {
        const command = restOfLine();
        verdict.acts = true;
        if (command === "") inputAsCommands(verdict);
        else verdict.scripts.push(dynamic ? command.replace(/\$\{?\w+\}?/g, RUNTIME) : command);
        break;
      }
      case "w":
      case "W":
        writeTo(restOfLine(), verdict);
        break;
      case "r":
      case "R": {
        const file = restOfLine();
        if (file !== "") verdict.scripts.push(`cat ${pathWord({ text: file })}`);
        break;
      }
      case "b":
      case "t":
      case "T":
      case ":": {
        while (index < length && !/[;\n}]/.test(script[index] ?? "")) index++;
        break;
      }
      case "q":
      case "Q":
      case "l":
      case "L":
        while (/[0-9]/.test(script[index] ?? "")) index++;
        break;
      default:
        break;
    }
  }
}

function skipDelimited(script: string, start: number, delimiter: string): number {
  let index = start;
  while (index < script.length && script[index] !== delimiter) index += script[index] === "\\" ? 2 : 1;
  return index + 1;
}

/** `s/…/…/e`: the pattern space after the substitution runs as a shell command. */
function runReplacement(
  replacement: string,
  wholeLine: boolean,
  dynamic: boolean,
  verdict: CodeVerdict,
): void {
  verdict.acts = true;
  // `s/^/cmd /e`: what is left of the input line stays part of the command.
  if (!wholeLine) inputAsCommands(verdict);
  const fromInput = /&|\\\d/.test(replacement);
  const withoutInput = replacement.replace(/&|\\\d/g, "").trim();
  const unresolved = dynamic && /\$\{?\w+\}?/.test(replacement);
  if (unresolved && replacement.replace(/\$\{?\w+\}?/g, "").trim() === "") {
    verdict.findings.push({
      rule: "unreadable-code",
      level: "high",
      message: "Passes a command to sed's e flag that cmdai cannot read: it is computed at run time.",
    });
    return;
  }
  if (withoutInput === "") {
    inputAsCommands(verdict);
    return;
  }
  let command = replacement.replace(/&|\\\d/g, fromInput ? RUNTIME : "");
  if (unresolved) command = command.replace(/\$\{?\w+\}?/g, RUNTIME);
  verdict.scripts.push(command);
}

function inputAsCommands(verdict: CodeVerdict): void {
  verdict.findings.push({
    rule: "inline-code",
    level: "moderate",
    message: "sed runs each line of its input as a shell command, as running a script file would.",
  });
}

function writeTo(file: string, verdict: CodeVerdict): void {
  if (file === "" || /^\/dev\/std(out|err)$/.test(file)) return;
  verdict.acts = true;
  verdict.scripts.push(`: > ${pathWord({ text: file })}`);
}

/**
 * Where code for an interpreter sits on a command line (`python -c CODE`, `perl -ne CODE FILE`, `deno eval CODE`,
 * `osascript -e CODE`, `awk PROGRAM FILE`, `sed SCRIPT FILE`, `jq FILTER FILE`) and the one entry point that says
 * what that code does. Languages without a library model (AppleScript, Tcl, Erlang, Lisps, Groovy) are read for
 * the one construct that runs a shell command.
 */
import { analyseProgram, pathWord, type CodeVerdict, type InlineProgram } from "./analyse-code.js";
import { analyseAwk, awkCommandLine } from "./awk-program.js";
import type { CodeLanguage } from "./code-lexer.js";
import { analyseSed } from "./sed-script.js";
import { mayHoldSecret } from "./code-effects.js";

export type { CodeVerdict, InlineProgram } from "./analyse-code.js";
export type { CodeLanguage } from "./code-lexer.js";

/** Interpreter names and their language. */
export const INTERPRETER_LANGUAGES: Readonly<Record<string, CodeLanguage>> = {
  python: "python",
  python2: "python",
  python3: "python",
  pypy: "python",
  pypy3: "python",
  ipython: "python",
  ipython3: "python",
  perl: "perl",
  ruby: "ruby",
  node: "javascript",
  nodejs: "javascript",
  deno: "javascript",
  bun: "javascript",
  jrunscript: "javascript",
  php: "php",
  lua: "lua",
  "lua5.1": "lua",
  "lua5.2": "lua",
  "lua5.3": "lua",
  "lua5.4": "lua",
  luajit: "lua",
  Rscript: "r",
  julia: "julia",
  osascript: "applescript",
  tclsh: "tcl",
  wish: "tcl",
  erl: "erlang",
  elixir: "elixir",
  guile: "lisp",
  racket: "lisp",
  groovy: "groovy",
};

/** The flags that introduce inline code, per language. */
const CODE_FLAGS: Partial<Record<CodeLanguage, RegExp>> = {
  python: /^-c$/,
  php: /^-r$/,
  perl: /^-(?![MmIVx])[a-zA-Z0-9]*[eE]$/,
  ruby: /^-(?![rIC])[a-zA-Z0-9]*e$/,
  javascript: /^(-e|-p|--eval|--print|-pe)$/,
  lua: /^-e$/,
  r: /^(-e|--expr)$/,
  julia: /^(-e|--eval|-E|--print)$/,
  applescript: /^-e$/,
  tcl: /^-c$/,
  erlang: /^-eval$/,
  elixir: /^(-e|--eval)$/,
  lisp: /^(-c|-e|--eval)$/,
  groovy: /^-e$/,
};

/** The language of an interpreter command (`python3.12` → python, `lua5.4` → lua), or undefined. */
export function interpreterLanguageOf(name: string): CodeLanguage | undefined {
  if (Object.hasOwn(INTERPRETER_LANGUAGES, name)) return INTERPRETER_LANGUAGES[name];
  if (/^python[23](\.\d+)?$/.test(name)) return "python";
  if (/^(perl|ruby|php)[0-9.]+$/.test(name)) return INTERPRETER_LANGUAGES[name.replace(/[0-9.]+$/, "")];
  return undefined;
}

/** The inline program of an interpreter command line, or undefined when it runs a file or reads stdin. */
export function inlineProgramOf(
  language: CodeLanguage,
  name: string,
  args: readonly string[],
): InlineProgram | undefined {
  const flag = CODE_FLAGS[language];
  const codeIndex =
    name === "deno" && args[0] === "eval" ? 0 : args.findIndex((word) => flag?.test(word) === true);
  if (codeIndex === -1 || codeIndex + 1 >= args.length) return undefined;
  const code =
    language === "applescript"
      ? args.filter((_, index) => index > 0 && args[index - 1] === "-e").join("\n")
      : (args[codeIndex + 1] ?? "");
  return { language, code, options: args.slice(0, codeIndex + 1), operands: args.slice(codeIndex + 2) };
}

/** What a program does, whatever its language. */
export function judgeProgram(program: InlineProgram): CodeVerdict {
  switch (program.language) {
    case "applescript":
      return appleScript(program.code);
    case "tcl":
      return byPattern(program.code, /\bexec\s+([^;\]\n]+)/g, "words");
    case "erlang":
      return byPattern(program.code, /os:cmd\(\s*"((?:[^"\\]|\\.)*)"/g, "string");
    case "lisp":
      return byPattern(
        program.code,
        /\(system\*?\s+"((?:[^"\\]|\\.)*)"/g,
        "string",
        /\(delete-(?:directory\/files|file)\s+"([^"]*)"/g,
      );
    case "groovy":
      return byPattern(
        program.code,
        /"((?:[^"\\]|\\.)*)"\.execute\(\)|\bexec\(\s*"((?:[^"\\]|\\.)*)"/g,
        "string",
      );
    case "awk":
      return analyseAwk(program.code, new Map(), program.operands);
    default:
      return analyseProgram(program);
  }
}

/** Programs of text tools that are not unwrapped as interpreters: awk, sed, jq and yq command lines. */
export function textToolProgram(
  name: string,
  args: readonly string[],
  dynamic: readonly boolean[] | undefined,
  stdinText: string | undefined,
  processText?: string,
): CodeVerdict | undefined {
  if (/^(?:g|m|n|busybox-)?awk$/.test(name)) {
    const line = awkCommandLine(args);
    const code =
      line.code ??
      (line.file?.startsWith("<(") === true ? processText : undefined) ??
      (line.file !== undefined && /^(?:\/dev\/stdin|-|\/dev\/fd\/0)$/.test(line.file)
        ? stdinText
        : undefined);
    if (code === undefined) return undefined;
    return analyseAwk(code, line.variables, line.operands);
  }
  if (name === "sed" || name === "gsed") return analyseSed(args, dynamic ?? []);
  if (name === "jq" || name === "yq" || name === "gojq" || name === "jaq") return jqProgram(name, args);
  return undefined;
}

const JQ_VALUED =
  /^(?:--arg|--argjson|--slurpfile|--rawfile|--args|--jsonargs|-L|--indent|--tab|-f|--from-file|--output-format|-o|-p|--input-format|--front-matter)$/;

/** jq/yq: files read, `yq -i` edits in place, and environment variables read by name (`env.X`, `$ENV.X`). */
function jqProgram(name: string, args: readonly string[]): CodeVerdict {
  const verdict: CodeVerdict = { scripts: [], findings: [], acts: false };
  let filter: string | undefined;
  let inPlace = false;
  const files: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    if (word === "-i" || word === "--inplace" || (name === "yq" && /^-[a-zA-Z]*i$/.test(word)))
      inPlace = true;
    else if (JQ_VALUED.test(word))
      index +=
        word === "--arg" || word === "--argjson" || word === "--slurpfile" || word === "--rawfile" ? 2 : 1;
    else if (word.startsWith("-") && word !== "-") continue;
    else if (filter === undefined && !(name === "yq" && /^(?:eval|e|eval-all|ea)$/.test(word))) filter = word;
    else files.push(word);
  }
  for (const match of (filter ?? "").matchAll(
    /(?:\benv|\$ENV)\.([A-Za-z_]\w*)|(?:\benv|\$ENV)\[\s*"(\w+)"\s*\]/g,
  ))
    verdict.scripts.push(`printenv ${match[1] ?? match[2] ?? ""}`);
  for (const file of files) {
    if (file === "-") continue;
    if (inPlace) verdict.scripts.push(`: > ${pathWord({ text: file })}`);
    else if (mayHoldSecret(file)) verdict.scripts.push(`cat ${pathWord({ text: file })}`);
    if (inPlace) verdict.acts = true;
  }
  return verdict;
}

function appleScript(code: string): CodeVerdict {
  const verdict: CodeVerdict = { scripts: [], findings: [], acts: false };
  for (const match of code.matchAll(
    /do shell script\s+"((?:[^"\\]|\\.)*)"(\s+(?:user name\s+"[^"]*"\s+)?(?:password\s+"[^"]*"\s+)?with administrator privileges)?/g,
  )) {
    verdict.acts = true;
    const command = (match[1] ?? "").replace(/\\(.)/g, "$1");
    verdict.scripts.push(match[2] === undefined ? command : `sudo ${command}`);
  }
  if (/do shell script\s+[^"\s]/.test(code))
    verdict.findings.push({
      rule: "unreadable-code",
      level: "high",
      message: "Passes a shell command to AppleScript that cmdai cannot read: it is built at run time.",
    });
  if (
    verdict.scripts.length === 0 &&
    /\b(?:delete|move|make|set|quit|restart|shut down|empty|keystroke|display|say|open|launch|activate)\b/.test(
      code,
    )
  )
    verdict.findings.push({
      rule: "inline-code",
      level: "moderate",
      message: "Runs AppleScript that drives other applications.",
    });
  return verdict;
}

function byPattern(code: string, shell: RegExp, form: "string" | "words", deletes?: RegExp): CodeVerdict {
  const verdict: CodeVerdict = { scripts: [], findings: [], acts: false };
  for (const match of code.matchAll(shell)) {
    verdict.acts = true;
    const text = (match[1] ?? match[2] ?? "").replace(/\\(.)/g, "$1");
    verdict.scripts.push(form === "words" ? text.replace(/[{}]/g, "") : text);
  }
  if (deletes)
    for (const match of code.matchAll(deletes))
      verdict.scripts.push(`rm -rf ${pathWord({ text: match[1] ?? "" })}`);
  return verdict;
}

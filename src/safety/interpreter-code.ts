/**
 * Reads one-line programs given to `python -c`, `perl -e`, `ruby -e`, `node -e`, `php -r`: the shell commands they
 * run (`os.system("…")`, `` `…` ``, `execSync("…")`) and the file-system calls that equal a shell command
 * (`shutil.rmtree(p)` is `rm -rf p`) come back as shell source, so the same rules judge them.
 */

export type InterpreterLanguage = "python" | "perl" | "ruby" | "javascript" | "php" | "lua";

/** What inline code would do, as shell source. */
export interface InlineCodeFindings {
  scripts: string[];
  /** Opens a socket and hands it a shell or a process. */
  reverseShell: boolean;
}

const STRING = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')`;

/** Calls that run their first string argument in a shell (or as a program). */
const SHELL_CALLS = [
  String.raw`os\.system`,
  String.raw`os\.popen`,
  String.raw`subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)`,
  String.raw`commands\.getoutput`,
  String.raw`(?<![\w.])system`,
  String.raw`(?<![\w.])exec`,
  String.raw`(?<![\w.])spawn`,
  String.raw`(?<![\w.])shell_exec`,
  String.raw`(?<![\w.])passthru`,
  String.raw`(?<![\w.])popen`,
  String.raw`(?<![\w.])proc_open`,
  String.raw`execSync`,
  String.raw`execFileSync`,
  String.raw`spawnSync`,
  String.raw`child_process\.exec`,
  String.raw`Deno\.run`,
  String.raw`Bun\.spawn`,
  String.raw`IO\.popen`,
  String.raw`Open3\.\w+`,
  String.raw`%x`,
  String.raw`io\.popen`,
  String.raw`os\.execute`,
];

/** File-system calls and the shell command each equals (`$1` is the path). */
const FILE_CALLS: { pattern: string; shell: string }[] = [
  { pattern: String.raw`shutil\.rmtree`, shell: "rm -rf" },
  { pattern: String.raw`FileUtils\.rm_(?:rf|r)`, shell: "rm -rf" },
  { pattern: String.raw`FileUtils\.remove_dir`, shell: "rm -rf" },
  { pattern: String.raw`(?:fs\.)?(?:rmSync|rmdirSync|rm|rmdir)(?=\s*\()`, shell: "rm -rf" },
  { pattern: String.raw`rmtree`, shell: "rm -rf" },
  { pattern: String.raw`os\.(?:remove|unlink|rmdir)`, shell: "rm" },
  { pattern: String.raw`(?:File\.delete|unlink|fs\.unlinkSync)`, shell: "rm" },
  { pattern: String.raw`os\.chmod`, shell: "chmod 777" },
];

const REVERSE_SHELL = [
  /sock/i,
  /(?:subprocess|pty\.spawn|dup2|exec\s*\(|\/bin\/(?:ba)?sh|cmd\.exe|child_process|spawn\s*\()/i,
];

/** Extracts the shell commands that inline code would run. */
// Compiled once: building these per call dominated the cost of judging `python -c`/`awk`-style one-liners.
const SHELL_CALL_PATTERNS = SHELL_CALLS.map((call) => ({
  listForm: new RegExp(String.raw`${call}\s*\(?\s*\[\s*((?:${STRING}\s*,?\s*)+)\]`, "g"),
  plain: new RegExp(String.raw`${call}\s*\(?\s*${STRING}`, "g"),
}));
const FILE_CALL_PATTERNS = FILE_CALLS.map((call) => ({
  pattern: new RegExp(String.raw`${call.pattern}\s*\(?\s*${STRING}`, "g"),
  shell: call.shell,
}));
const STRING_PATTERN = new RegExp(STRING, "g");
const OPEN_FOR_WRITING = new RegExp(String.raw`open\s*\(\s*${STRING}\s*,\s*${STRING}`, "g");

export function shellScriptsInInlineCode(language: InterpreterLanguage, code: string): InlineCodeFindings {
  const scripts: string[] = [];
  const reverseShell =
    REVERSE_SHELL.every((pattern) => pattern.test(code)) &&
    /connect|TCPSocket|Socket\.new|net\.Socket|fsockopen|createConnection/i.test(code);
  for (const { listForm, plain } of SHELL_CALL_PATTERNS) {
    for (const match of code.matchAll(listForm)) {
      const words = [...(match[1] ?? "").matchAll(STRING_PATTERN)].map((word) => word[1] ?? word[2] ?? "");
      scripts.push(words.map(quoteForShell).join(" "));
    }
    for (const match of code.matchAll(plain)) scripts.push(unescapeLiteral(match[1] ?? match[2] ?? ""));
  }
  if (language === "perl" || language === "ruby" || language === "php") {
    for (const match of code.matchAll(/`([^`]*)`/g)) scripts.push(match[1] ?? "");
    for (const match of code.matchAll(/qx\s*[{(/]([^})/]*)[})/]/g)) scripts.push(match[1] ?? "");
  }
  for (const call of FILE_CALL_PATTERNS) {
    for (const match of code.matchAll(call.pattern))
      scripts.push(`${call.shell} ${quoteForShell(unescapeLiteral(match[1] ?? match[2] ?? ""))}`);
  }
  for (const match of code.matchAll(OPEN_FOR_WRITING)) {
    const mode = match[3] ?? match[4] ?? "";
    if (/[wa]/.test(mode))
      scripts.push(`: ${mode.includes("a") ? ">>" : ">"} ${quoteForShell(match[1] ?? match[2] ?? "")}`);
  }
  return { scripts, reverseShell };
}

function unescapeLiteral(text: string): string {
  return text.replace(/\\(["'\\])/g, "$1");
}

function quoteForShell(word: string): string {
  return /^[\w./~*@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

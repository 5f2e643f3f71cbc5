/**
 * Code that runs through a program's input or a shell builtin rather than a `-c` option: macro and text
 * processors that can call the shell (`m4` syscmd, groff `.sy` with `-U`, `dc` `!`, `ed`/`ex` `!`, TeX
 * `\write18` with `-shell-escape`), file-transfer clients' `!` escapes (`ftp`, `sftp`, `lftp`), SQL and Tcl on
 * stdin, and builtins that store code to run later (`mapfile -C`, `compgen -C`,
 * `history -s` for `fc -s`, zsh `bindkey -s`, `sched`).
 */
import { emptyCode, sqlText, tclText, vimCommand, type EmbeddedCode } from "./code-dialects.js";

type Reader = (args: readonly string[], input: string | undefined, found: EmbeddedCode) => void;

/** Lines of a program's input that start with `!` (or a prefix): the rest of the line is a shell command. */
function bangLines(text: string | undefined, found: EmbeddedCode, prefix = /^\s*!/): void {
  if (text === undefined) return;
  for (const line of text.replace(/\\n/g, "\n").split("\n"))
    if (prefix.test(line)) {
      const command = line.replace(prefix, "").trim();
      if (command === "" || /^(\/bin\/)?(ba|z|da)?sh$/.test(command)) found.interactiveShell = true;
      else found.scripts.push(command);
    }
}

function valueOf(args: readonly string[], names: readonly string[]): string[] {
  const values: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    if (names.includes(word) && args[index + 1] !== undefined) values.push(args[++index] ?? "");
    for (const name of names)
      if (name.startsWith("--") && word.startsWith(`${name}=`)) values.push(word.slice(name.length + 1));
  }
  return values;
}

const M4_CALL = /\b(?:e?syscmd)\s*\(\s*`?([^)']*)'?\s*\)/g;

const READERS: Record<string, Reader> = {
  m4: (args, input, found) => {
    const text = [input ?? "", ...args, ...valueOf(args, ["-D", "--define"])].join("\n");
    for (const match of text.matchAll(M4_CALL)) found.scripts.push((match[1] ?? "").replace(/^`/, ""));
  },
  dc: (args, input, found) => {
    for (const program of [...valueOf(args, ["-e", "--expression"]), input ?? ""])
      bangLines(program, found, /^[^!]*!/);
  },
  ed: (args, input, found) => bangLines(input, found, /^\s*(?:\d*,?\d*\s*[rw]\s*)?!/),
  red: (args, input, found) => bangLines(input, found, /^\s*(?:\d*,?\d*\s*[rw]\s*)?!/),
  ex: (args, input, found) => {
    for (const line of (input ?? "").split("\n")) if (line.trim() !== "") vimCommand(line, found);
  },
  ftp: (args, input, found) => bangLines(input, found),
  sftp: (args, input, found) => bangLines(input, found),
  lftp: (args, input, found) => {
    for (const command of valueOf(args, ["-c", "-e"])) bangLines(command.split(";").join("\n"), found);
    bangLines(input, found);
  },
  expect: (args, input, found) => {
    if (input !== undefined) tclText(input, found);
  },
  mapfile: callbackOption,
  readarray: callbackOption,
  compgen: (args, input, found) => {
    for (const command of valueOf(args, ["-C"])) found.scripts.push(command);
  },
  history: (args, input, found) => {
    // `history -s CMD` puts CMD where `fc -s` or `!!` runs it.
    const index = args.indexOf("-s");
    if (index !== -1 && args.length > index + 1) found.scripts.push(args.slice(index + 1).join(" "));
  },
  bindkey: (args, input, found) => {
    const index = args.indexOf("-s");
    if (index !== -1 && args[index + 2] !== undefined)
      found.scripts.push((args[index + 2] ?? "").replace(/\^M|\\n|\\r/g, "\n"));
  },
  sched: (args, input, found) => {
    const words = args.filter((word) => !/^[+-]?\d[\d:]*$/.test(word) && word !== "-o");
    if (words.length > 0) found.scripts.push(words.join(" "));
  },
};

function callbackOption(args: readonly string[], input: string | undefined, found: EmbeddedCode): void {
  for (const command of valueOf(args, ["-C"])) found.scripts.push(command);
}

for (const name of ["groff", "troff", "nroff"])
  READERS[name] = (args, input, found) => {
    if (!args.some((word) => /^-[a-zA-Z]*U/.test(word))) return;
    for (const line of (input ?? "").replace(/\\n/g, "\n").split("\n")) {
      const match = /^\s*\.(?:sy|pi)\s+(.+)$/.exec(line);
      if (match) found.scripts.push(match[1] ?? "");
    }
  };
for (const name of ["pdflatex", "latex", "xelatex", "lualatex", "tex", "pdftex", "luatex", "xetex"])
  READERS[name] = (args, input, found) => {
    if (!args.some((word) => /^--?(shell-escape|enable-write18)$/.test(word))) return;
    for (const match of [...args, input ?? ""].join("\n").matchAll(/\\write18\s*\{([^}]*)\}/g))
      found.scripts.push(match[1] ?? "");
  };
for (const name of ["psql", "mysql", "mariadb", "sqlite3", "duckdb"])
  READERS[name] = (args, input, found) => {
    if (input !== undefined) sqlText(input, found);
  };

/** Code that a program's input or a builtin's arguments would run, or undefined when the program runs none. */
export function codeInInput(
  name: string,
  args: readonly string[],
  input: string | undefined,
): EmbeddedCode | undefined {
  const reader = Object.hasOwn(READERS, name) ? READERS[name] : undefined;
  if (reader === undefined) return undefined;
  const found = emptyCode();
  reader(args, input, found);
  return found.scripts.length > 0 || found.unreadable.length > 0 || found.interactiveShell
    ? found
    : undefined;
}

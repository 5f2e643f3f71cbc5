/**
 * Small languages that can run shell commands, read for the commands they would run: vim Ex commands, gdb
 * commands, SQL client meta-commands, Tcl (expect), and the `system("…")`-style calls shared by R, Julia,
 * emacs lisp, AppleScript and others. Used for code given in options (`embedded-code.ts`) and code read from
 * input (`command-languages.ts`).
 */
import { commandName } from "./command-words.js";

/** What the strings handed to a program would run. */
export interface EmbeddedCode {
  /** Shell source to judge. */
  scripts: string[];
  /** Sentences naming code that cannot be read: at least high. */
  unreadable: string[];
  /** Helpers set to something unusual: `{ option, value }`, at least high. */
  injected: { option: string; value: string }[];
  /** The program gives an interactive shell (`script` without `-c`, `vim -c '!sh'`). */
  interactiveShell: boolean;
}

/** An empty result. */
export const emptyCode = (): EmbeddedCode => ({
  scripts: [],
  unreadable: [],
  injected: [],
  interactiveShell: false,
});

/** Calls that run a string in a shell in many small languages (R, Julia, gdb, vim, emacs lisp, AppleScript…). */
const SHELL_CALL =
  /(?:\bsystem|\bshell-command(?:-to-string)?|\basync-shell-command|\bos\.execute|\bio\.popen|\bdo shell script|\bcallCommand|\bshell_exec|\bexecSync|\bexec)\s*\(?\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|`([^`]*)`)/g;
const COMPUTED_CALL =
  /(?:\bsystem|\bshell-command|\bos\.execute|\bio\.popen|\bdo shell script|\bcallCommand|\bexec|\beval)\s*\(?\s*[A-Za-z_$([]/;

/** Shell commands named by system()-style calls in `code`; a call on a computed string is unreadable. */
export function shellCallsIn(code: string, language: string, found: EmbeddedCode): void {
  let any = false;
  for (const match of code.matchAll(SHELL_CALL)) {
    any = true;
    found.scripts.push((match[1] ?? match[2] ?? match[3] ?? "").replace(/\\(["'\\])/g, "$1"));
  }
  for (const match of code.matchAll(/\brun\s*\(\s*`([^`]*)`/g)) {
    any = true;
    found.scripts.push(match[1] ?? "");
  }
  if (!any && COMPUTED_CALL.test(code))
    found.unreadable.push(`runs ${language} code that builds a command at run time, which cmdai cannot read`);
}

/** A vim Ex command line: `!cmd`, `r !cmd`, `w !cmd`, `call system('…')`, `py3 …`, `terminal cmd`. */
export function vimCommand(text: string, found: EmbeddedCode): void {
  let rest = text.trim().replace(/^:+/, "");
  while (rest !== "") {
    rest = rest.replace(/^(silent!?|sil!?|exe(cute)?|norm(al)?!?|keepalt|noautocmd)\s+/, "");
    const bang = /^(?:\d*,?\d*|%|\.)?(?:(?:r(?:ead)?|w(?:rite)?)\s*)?!(.*)$/s.exec(rest);
    if (bang) {
      const command = (bang[1] ?? "").trim();
      if (command === "" || /^(ba|z|da|k|c|tc|fi)?sh$/.test(commandName(command)))
        found.interactiveShell = true;
      else found.scripts.push(command);
      return;
    }
    const terminal = /^term(?:inal)?\s*(.*)$/s.exec(rest);
    if (terminal) {
      found.interactiveShell = true;
      if ((terminal[1] ?? "").trim() !== "") found.scripts.push(terminal[1] ?? "");
      return;
    }
    if (/^(py3?|python3?|pyx|pythonx|lua|perl|ruby|rub|tcl|mz)\b/.test(rest)) {
      shellCallsIn(rest, "vim script", found);
      if (/\b(pty\.spawn|os\.exec|subprocess)\b/.test(rest)) found.interactiveShell = true;
    } else if (/\bsystem\s*\(|\bsystemlist\s*\(|\bjob_start|\bjobstart/.test(rest)) {
      shellCallsIn(rest.replace(/systemlist|jobstart|job_start/g, "system"), "vim script", found);
    } else if (/^exe(cute)?\b/.test(text.trim().replace(/^:+/, ""))) {
      found.unreadable.push("runs a vim command built at run time");
    }
    const bar = rest.indexOf("|");
    rest = bar === -1 ? "" : rest.slice(bar + 1);
  }
}

/** A gdb command: `shell cmd`, `!cmd`, `pipe … | cmd`, `python …`, `call system("…")`. */
export function gdbCommand(text: string, found: EmbeddedCode): void {
  const command = text.trim();
  const shell = /^(?:shell|!)\s*(.*)$/s.exec(command);
  if (shell) {
    const inner = (shell[1] ?? "").trim();
    if (inner === "" || /^(ba|z|da|k)?sh$/.test(commandName(inner))) found.interactiveShell = true;
    else found.scripts.push(inner);
    return;
  }
  const pipe = /^(?:pipe|\|)[^|]*\|\s*(.+)$/s.exec(command);
  if (pipe) {
    found.scripts.push(pipe[1] ?? "");
    return;
  }
  if (/^(python|py|python-interactive|pi|guile|gu)\b/.test(command) || /\bsystem\s*\(/.test(command))
    shellCallsIn(command, "gdb", found);
}

/** SQL client text: `\! cmd`, `system cmd`, `.shell cmd`, `\o |cmd`, `COPY … PROGRAM 'cmd'`. */
export function sqlText(text: string, found: EmbeddedCode): void {
  for (const match of text.matchAll(/(?:^|[;\n]|\\\\)\s*(?:\\!|system|\.shell|\.system)\s*([^;\n]*)/gi)) {
    const inner = (match[1] ?? "").trim();
    if (inner === "" || /^(ba|z|da)?sh$/.test(commandName(inner))) found.interactiveShell = true;
    else found.scripts.push(inner);
  }
  for (const match of text.matchAll(/\\[og]\s*\|\s*([^\n;]+)|\.(?:once|output)\s+['"]?\|\s*([^'"\n;]+)/g))
    found.scripts.push((match[1] ?? match[2] ?? "").trim());
  for (const match of text.matchAll(/\bPROGRAM\s+'((?:[^']|'')*)'/gi))
    found.scripts.push((match[1] ?? "").replace(/''/g, "'"));
}

/** Tcl (expect): `spawn cmd args`, `exec cmd args`, `system cmd`. */
export function tclText(text: string, found: EmbeddedCode): void {
  for (const match of text.matchAll(/(?:^|[;\n[{])\s*(spawn|exec|system)\s+([^;\n\]}]+)/g)) {
    const inner = (match[2] ?? "").replace(/^(-\w+\s+)+/, "").trim();
    if (/\$/.test(inner)) found.unreadable.push("runs a command that expect builds at run time");
    else if (/^(\/bin\/)?(ba|z|da|k)?sh$/.test(inner)) found.interactiveShell = true;
    else found.scripts.push(inner.replace(/[{}"]/g, ""));
  }
}

/**
 * Programs that, run with root rights and no script, give an interactive prompt from which a root shell is one
 * command away (the "shell" escapes catalogued by GTFOBins): a Python or Node REPL, the Perl debugger, gdb,
 * sqlite3's `.shell`, ftp's `!`, a new tmux or screen session, `machinectl shell`, `systemd-run --shell`, a
 * `chroot` or `unshare` without a command. What each returns is the words "opens …" for the reason.
 */

type SessionTest = (args: readonly string[], hasInput: boolean) => boolean;

const operandsOf = (args: readonly string[]): string[] => args.filter((word) => !word.startsWith("-"));
const noScript: SessionTest = (args, hasInput) =>
  !hasInput &&
  operandsOf(args).length === 0 &&
  !args.some((word) => /^-[a-zA-Z]*[cemrEp]$|^--(eval|print|command)$/.test(word));
const always: SessionTest = (_args, hasInput) => !hasInput;

/** `python` with no script, or `-i` (interactive after the script). */
const PYTHON_PROMPT = {
  what: "an interactive Python prompt",
  test: (args, input) => noScript(args, input) || args.includes("-i"),
} satisfies { what: string; test: SessionTest };

const SESSIONS: Readonly<Record<string, { what: string; test: SessionTest }>> = {
  python: PYTHON_PROMPT,
  python2: PYTHON_PROMPT,
  python3: PYTHON_PROMPT,
  ipython: { what: "an interactive Python prompt", test: always },
  perl: {
    what: "the interactive Perl debugger",
    test: (args, input) => noScript(args, input) || args.some((word) => /^-[a-zA-Z]*d/.test(word)),
  },
  ruby: { what: "an interactive Ruby prompt", test: noScript },
  irb: { what: "an interactive Ruby prompt", test: always },
  pry: { what: "an interactive Ruby prompt", test: always },
  node: {
    what: "an interactive Node.js prompt",
    test: (args, input) => noScript(args, input) || args.includes("-i"),
  },
  nodejs: { what: "an interactive Node.js prompt", test: noScript },
  deno: {
    what: "an interactive Deno prompt",
    test: (args, input) => noScript(args, input) || args[0] === "repl",
  },
  lua: {
    what: "an interactive Lua prompt",
    test: (args, input) => noScript(args, input) || args.includes("-i"),
  },
  luajit: { what: "an interactive Lua prompt", test: noScript },
  tclsh: { what: "an interactive Tcl prompt", test: noScript },
  wish: { what: "an interactive Tcl prompt", test: noScript },
  php: { what: "an interactive PHP prompt", test: (args, input) => !input && args.includes("-a") },
  ghci: { what: "an interactive Haskell prompt", test: always },
  julia: { what: "an interactive Julia prompt", test: noScript },
  gdb: {
    what: "gdb, whose prompt runs shell commands",
    test: (args, input) => !input && !args.includes("-batch"),
  },
  sqlite3: {
    what: "an sqlite3 prompt, whose .shell runs commands",
    test: (args, input) => !input && operandsOf(args).length <= 1,
  },
  ftp: { what: "an ftp prompt, whose ! runs commands", test: always },
  expect: { what: "an interactive expect prompt", test: noScript },
  tmux: {
    what: "a tmux session",
    test: (args) =>
      args.length === 0 || /^(new|new-session|attach|attach-session|a)$/.test(operandsOf(args)[0] ?? ""),
  },
  screen: {
    what: "a screen session",
    test: (args) => !args.some((word) => /^-(ls|list|wipe|Q|v|version)$/.test(word)) && !args.includes("-X"),
  },
  run0: { what: "a root shell through run0", test: (args) => operandsOf(args).length === 0 },
  machinectl: {
    what: "a shell in a machine",
    test: (args) => /^(shell|login)$/.test(operandsOf(args)[0] ?? ""),
  },
  "systemd-run": {
    what: "an interactive shell through systemd-run",
    test: (args) => args.some((word) => word === "--shell" || word === "-S"),
  },
  chroot: { what: "a shell inside the chroot", test: (args) => operandsOf(args).length <= 1 },
  unshare: { what: "a shell in new namespaces", test: (args) => operandsOf(args).length === 0 },
  nsenter: {
    what: "a shell inside another process's namespaces",
    test: (args) => operandsOf(args).length === 0,
  },
  script: {
    what: "a recorded shell session",
    test: (args) => !args.some((word) => /^-[a-zA-Z]*c$|^--command/.test(word)),
  },
};

/** `machinectl shell` and `machinectl login` give root's shell on the host (`root@`, `.host`) through polkit. */
export function machineRootShell(name: string, args: readonly string[]): string | undefined {
  if (name !== "machinectl") return undefined;
  const [verb, target = ""] = operandsOf(args);
  if (verb !== "shell" && verb !== "login") return undefined;
  return target === "" || /^(root)?@/.test(target) || target === ".host"
    ? "opens a shell on the host"
    : undefined;
}

/** "opens …" when `name args` run with root rights would give an interactive prompt that can run commands. */
export function interactiveRootSession(
  name: string,
  args: readonly string[],
  hasInput: boolean,
): string | undefined {
  const session = Object.hasOwn(SESSIONS, name) ? SESSIONS[name] : undefined;
  return session !== undefined && session.test(args, hasInput) ? `opens ${session.what}` : undefined;
}

/**
 * Peels wrappers off a command before it is judged: `sudo -u root env X=1 nice -n 5 timeout 10 rm -rf /` is judged
 * as `rm -rf /` run as root. Wrappers that carry a script (`bash -c`, `eval`, `ssh host 'cmd'`, `watch`, `su -c`,
 * `python -c`) hand that script back to be parsed and judged in full.
 */
import { commandName, quoteWords } from "./command-words.js";
import { peelSpecial, SPECIAL_WRAPPERS } from "./special-wrappers.js";
import {
  INTERPRETER_LANGUAGES,
  inlineProgramOf,
  interpreterLanguageOf,
  type CodeLanguage,
  type InlineProgram,
} from "./interpreters/program-commands.js";

/** The language of an interpreter's code. */
export type InterpreterLanguage = CodeLanguage;

/** A command with its wrappers removed. */
export interface UnwrappedCommand {
  /** The command that really runs; empty when the wrapper only carries scripts. */
  argv: string[];
  /** Parallel to `argv`: the word could not be resolved (see `SimpleCommand.dynamic`). */
  dynamic: boolean[];
  /** Sentences naming code that runs but cannot be read (`bash -c "$CMD"`, `python -c "$CODE"`). */
  unreadable: string[];
  /** The user the command runs as, when a wrapper names one (`sudo -u postgres`, `su - app`). */
  runAs: string | undefined;
  /** Runs with root rights (sudo, doas, su, pkexec). */
  elevated: boolean;
  /** Runs on another machine (ssh). */
  remote: boolean;
  /** The wrappers removed, outermost first. */
  wrappers: string[];
  /** Shell source the wrapper would run, to be judged in full. */
  scripts: string[];
  /** PowerShell or cmd source run from a POSIX shell (`pwsh -c "…"`, `cmd.exe /c …`). */
  windowsScripts: { dialect: "powershell" | "cmd"; text: string }[];
  /** Inline interpreter programs (`python -c CODE`, `perl -ne CODE FILE`), judged by what their code does. */
  programs: InlineProgram[];
  /** `NAME=value` words a wrapper sets for the command (`sudo LD_PRELOAD=x ls`, `env PAGER=… git log`). */
  assignments: { name: string; value: string; dynamic: boolean }[];
}

const SHELLS = new Set([
  "sh",
  "bash",
  "zsh",
  "dash",
  "ksh",
  "fish",
  "ash",
  "mksh",
  "csh",
  "tcsh",
  "busybox-sh",
]);
const INTERPRETERS: Readonly<Record<string, InterpreterLanguage>> = INTERPRETER_LANGUAGES;

/** The language of an interpreter command (`python3.12` → python), or undefined. */
export function interpreterLanguage(name: string): InterpreterLanguage | undefined {
  return interpreterLanguageOf(name);
}

interface WrapperSpec {
  /** Options that take a separate value. */
  valued: readonly string[];
  /** Leading positional arguments before the wrapped command (timeout's duration, chroot's folder). */
  positional?: number;
  /** Options after which there is no wrapped command (e.g. `command -v`). */
  terminal?: readonly string[];
  elevates?: boolean;
}

const WRAPPERS: Record<string, WrapperSpec> = {
  sudo: {
    valued: ["-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "-R", "--user", "--group", "--host"],
    // `-k` alone only forgets the cached password, but `sudo -k CMD` still runs CMD.
    terminal: ["-l", "-v", "-K", "-V", "-e", "--list", "--validate", "--edit"],
    elevates: true,
  },
  doas: { valued: ["-u", "-C"], elevates: true },
  pkexec: { valued: ["--user"], elevates: true },
  run0: { valued: ["-u", "--user"], elevates: true },
  env: { valued: ["-u", "-C", "--unset", "--chdir", "-S", "--split-string"] },
  nice: { valued: ["-n", "--adjustment"] },
  nohup: { valued: [] },
  timeout: { valued: ["-s", "-k", "--signal", "--kill-after"], positional: 1 },
  time: { valued: ["-f", "-o", "--format", "--output"] },
  stdbuf: { valued: ["-i", "-o", "-e"] },
  ionice: { valued: ["-c", "-n", "-t", "--class", "--classdata"], terminal: ["-p", "-P", "-u"] },
  command: { valued: [], terminal: ["-v", "-V"] },
  builtin: { valued: [] },
  exec: { valued: ["-a"] },
  nocorrect: { valued: [] },
  noglob: { valued: [] },
  setsid: { valued: [] },
  chrt: { valued: [], positional: 1 },
  taskset: { valued: [], positional: 1 },
  flock: { valued: ["-w", "-E", "--timeout", "--conflict-exit-code"], positional: 1 },
  chroot: { valued: ["--userspec", "--groups"], positional: 1 },
  unbuffer: { valued: [] },
  caffeinate: { valued: ["-t", "-w"] },
  torsocks: { valued: [] },
  proxychains: { valued: ["-f"] },
  proxychains4: { valued: ["-f"] },
  firejail: { valued: [] },
  strace: { valued: ["-e", "-o", "-p", "-s", "-u"] },
  ltrace: { valued: ["-e", "-o", "-p", "-s", "-u"] },
  valgrind: { valued: [] },
  runuser: { valued: ["-u", "-g", "-G", "--user", "--group"] },
  "systemd-run": { valued: ["-u", "-p", "--unit", "--property", "--uid", "--gid"] },
  catchsegv: { valued: [] },
  "dbus-launch": { valued: [] },
  "xvfb-run": { valued: ["-n", "-s"] },
  setpriv: { valued: ["--reuid", "--regid", "--groups", "--inh-caps", "--ambient-caps", "--bounding-set"] },
  unshare: {
    valued: ["-S", "-G", "--setuid", "--setgid", "--map-user", "--map-group", "-w", "--wd", "-R", "--root"],
  },
  nsenter: { valued: ["-t", "--target", "-S", "-G", "--setuid", "--setgid", "-w", "--wd", "-r", "--root"] },
  prlimit: { valued: ["-p", "--pid"] },
  numactl: {
    valued: [
      "-C",
      "-N",
      "-m",
      "-i",
      "-p",
      "--cpunodebind",
      "--membind",
      "--interleave",
      "--preferred",
      "--physcpubind",
    ],
  },
  cpulimit: { valued: ["-l", "--limit", "-p", "--pid"] },
  chronic: { valued: [] },
  setarch: { valued: [], positional: 1 },
  linux32: { valued: [] },
  linux64: { valued: [] },
  fakeroot: { valued: ["-l", "-s", "-i", "--lib", "--faked"] },
  proot: { valued: ["-r", "-b", "-w", "--rootfs", "--bind", "--cwd"] },
  eatmydata: { valued: [] },
  nocache: { valued: [] },
  faketime: { valued: [], positional: 1 },
  rlwrap: { valued: ["-f", "-H", "-l", "-p", "-P", "-S"] },
  "ssh-agent": { valued: ["-a", "-E", "-t", "-P"] },
  "dbus-run-session": { valued: ["--config-file"] },
  sshpass: { valued: ["-p", "-f", "-d", "-e", "-P"] },
  "run-one": { valued: [] },
  "flatpak-spawn": { valued: ["--env", "--directory"] },
  tsp: { valued: ["-L", "-D", "-N"] },
  entr: { valued: [] },
  ddtrace: { valued: [] },
  "start-stop-daemon": {
    valued: ["-n", "--name", "-p", "--pidfile", "-u", "--user", "-c", "--chuid", "-d", "--chdir"],
  },
  torify: { valued: [] },
  // zsh: `repeat 3 cmd`.
  repeat: { valued: [], positional: 1 },
};

const MAXIMUM_LAYERS = 16;

/** Removes wrappers from `argv` (already normalised). */
export function unwrapCommand(argv: readonly string[], dynamic: readonly boolean[] = []): UnwrappedCommand {
  const result: UnwrappedCommand = {
    argv: [...argv],
    dynamic: argv.map((_, index) => dynamic[index] === true),
    unreadable: [],
    runAs: undefined,
    elevated: false,
    remote: false,
    wrappers: [],
    scripts: [],
    windowsScripts: [],
    programs: [],
    assignments: [],
  };
  for (let layer = 0; layer < MAXIMUM_LAYERS; layer++) {
    const words = result.argv;
    const first = words[0];
    if (first === undefined) return result;
    const name = commandName(first);
    if (words.length > 0) words[0] = name;
    // Most commands wrap nothing: skip the copy and the checks below for them.
    if (!mightWrap(name)) return result;
    const args = words.slice(1);
    const flags = result.dynamic.slice(1);
    const unreadable = dynamicCode(name, args, flags);
    if (unreadable !== undefined) result.unreadable.push(unreadable);
    const peeled = peel(name, args, result);
    if (peeled === undefined) return result;
    result.wrappers.push(name);
    result.argv = peeled;
    result.dynamic = alignFlags(args, flags, peeled);
  }
  return result;
}

const WHOLLY_UNRESOLVED = /^(\$[A-Za-z_@*0-9][A-Za-z0-9_]*|\$\{[^}]*\}|\$\([\s\S]*\)|`[^`]*`)+$/;

/** Code flags whose value is the program text (`bash -c CODE`, `python -c CODE`, `perl -e CODE`). */
const CODE_FLAGS = /^(-[a-zA-Z]*[ceEr]|--(command|eval|exec|print)|-p)$/;

const WINDOWS_SHELL = /^(powershell|pwsh|cmd)(\.exe)?$/i;
const WINDOWS_CODE_FLAG = /^[-/](c|k|command|e|ec|enc|encodedcommand)$/i;

/** A sentence when the code a shell or interpreter would run is computed at run time (`bash -c "$CMD"`). */
function dynamicCode(name: string, args: readonly string[], flags: readonly boolean[]): string | undefined {
  const windows = WINDOWS_SHELL.test(name);
  const shell = SHELLS.has(name) || name === "eval" || name === "su" || windows;
  const language = Object.hasOwn(INTERPRETERS, name) ? INTERPRETERS[name] : undefined;
  if (!shell && language === undefined) return undefined;
  for (let index = 0; index < args.length; index++) {
    // Only code that is wholly unknown (`bash -c "$CMD"`): `sh -c "cd $DIR && make"` still shows what it does.
    if (flags[index] !== true || !WHOLLY_UNRESOLVED.test((args[index] ?? "").trim())) continue;
    const previous = args[index - 1] ?? "";
    if (name === "eval" || CODE_FLAGS.test(previous) || (windows && WINDOWS_CODE_FLAG.test(previous)))
      return shell
        ? `runs a shell script that is computed at run time (${args[index] ?? ""}), so cmdai cannot read it`
        : `passes code to ${name} that is computed at run time (${args[index] ?? ""}), so cmdai cannot read it`;
  }
  return undefined;
}

/** The flags of the words a wrapper hands on: they are a run of its arguments (plus words it adds, like `{}`). */
function alignFlags(
  args: readonly string[],
  flags: readonly boolean[],
  peeled: readonly string[],
): boolean[] {
  if (peeled.length === 0 || !flags.includes(true)) return peeled.map(() => false);
  for (let start = 0; start < args.length; start++) {
    let matches = true;
    for (let index = 0; index < peeled.length && start + index < args.length; index++) {
      const word = args[start + index] ?? "";
      const wanted = peeled[index] ?? "";
      if (word !== wanted && !(index === 0 && commandName(word) === wanted)) {
        matches = false;
        break;
      }
    }
    if (matches) return peeled.map((_, index) => flags[start + index] === true);
  }
  return peeled.map(() => false);
}

/** Names {@link peel} may unwrap; anything else is returned as it is without further checks. */
let peelableNames: Set<string> | undefined;

function mightWrap(name: string): boolean {
  peelableNames ??= new Set([
    ...Object.keys(WRAPPERS),
    ...SPECIAL_WRAPPERS,
    ...Object.keys(INTERPRETERS),
    ...SHELLS,
    "busybox",
    "toybox",
    "xargs",
    "watch",
    "eval",
    "emulate",
    "su",
    "sg",
    "ssh",
  ]);
  return (
    peelableNames.has(name) ||
    name.includes("=") ||
    name.startsWith("python3.") ||
    name.startsWith("ld-linux") ||
    name.startsWith("ld.so") ||
    /^(powershell|pwsh|cmd)(\.exe)?$/i.test(name)
  );
}

/** Returns the wrapped argv, or undefined when `name` is not a wrapper (or wraps nothing). */
function peel(name: string, args: string[], result: UnwrappedCommand): string[] | undefined {
  const special = peelSpecial(name, args);
  if (special !== undefined) {
    if (special.elevated === true) result.elevated = true;
    if (special.runAs !== undefined) result.runAs = special.runAs;
    if (special.remote === true) result.remote = true;
    result.scripts.push(...(special.scripts ?? []));
    return special.argv;
  }
  const spec = Object.hasOwn(WRAPPERS, name) ? WRAPPERS[name] : undefined;
  if (spec) return peelGeneric(name, spec, args, result);
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(name))
    return [commandName(args[0] ?? ""), ...args.slice(1)].filter(Boolean);
  if (name === "busybox" || name === "toybox") return args.length > 0 ? args : undefined;
  if (name === "xargs") return peelXargs(args);
  if (name === "find") return undefined;
  if (name === "watch") return peelWatch(args, result);
  if (name === "eval") return carryScript(args.join(" "), result);
  if (name === "emulate") {
    const code = args.indexOf("-c");
    return code === -1 ? undefined : carryScript(args[code + 1] ?? "", result);
  }
  if (/^(powershell|pwsh|cmd)(\.exe)?$/i.test(name)) return peelWindowsShell(name, args, result);
  if (name === "ssh") return peelSsh(args, result);
  if (SHELLS.has(name)) return peelShell(args, result);
  const language = interpreterLanguageOf(name);
  if (language) return peelInterpreter(language, name, args, result);
  return undefined;
}

function peelGeneric(
  name: string,
  spec: WrapperSpec,
  args: string[],
  result: UnwrappedCommand,
): string[] | undefined {
  let index = 0;
  let positional = spec.positional ?? 0;
  while (index < args.length) {
    const argument = args[index] ?? "";
    if (argument === "--") {
      index++;
      break;
    }
    if (spec.terminal?.includes(argument)) return undefined;
    // `env X=1 cmd`, `sudo LD_PRELOAD=/tmp/x.so ls`: the variables are set for the command and judged with it.
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(argument);
    if (assignment && (name === "env" || spec.elevates === true)) {
      result.assignments.push({
        name: assignment[1] ?? "",
        value: assignment[2] ?? "",
        dynamic: result.dynamic[index + 1] === true,
      });
      index++;
      continue;
    }
    if (
      (name === "env" && (argument === "-S" || argument === "--split-string")) ||
      argument.startsWith("--split-string=")
    ) {
      const value = argument.includes("=")
        ? argument.slice(argument.indexOf("=") + 1)
        : (args[index + 1] ?? "");
      return carryScript([value, ...args.slice(index + (argument.includes("=") ? 1 : 2))].join(" "), result);
    }
    if (name === "nice" && /^-\d+$/.test(argument)) {
      index++;
      continue;
    }
    if (argument.startsWith("-") && argument.length > 1) {
      index += spec.valued.includes(argument) ? 2 : 1;
      continue;
    }
    if (positional > 0) {
      positional--;
      index++;
      continue;
    }
    break;
  }
  if (spec.elevates) {
    result.elevated = true;
    const user = userOption(args);
    if (user !== undefined) result.runAs = user;
  }
  const rest = args.slice(index);
  // `sudo -s CMD`, `sudo -i CMD`: the command runs through a (login) shell as a script.
  if (
    spec.elevates &&
    rest.length > 0 &&
    args.slice(0, index).some((word) => /^(-[a-zA-Z]*[si]|--shell|--login)$/.test(word))
  )
    return carryScript(quoteWords(rest), result);
  // `sudo -s` / `sudo -i` with no command opens a root shell that reads stdin.
  if (
    spec.elevates &&
    rest.length === 0 &&
    args.some((word) => /^(-[a-zA-Z]*[si]|--shell|--login)$/.test(word))
  )
    return ["sh"];
  if (rest.length === 0) return undefined;
  return rest;
}

const XARGS_VALUED = ["-I", "-n", "-P", "-L", "-d", "-E", "-s", "-a", "-e", "-l"];

function peelXargs(args: string[]): string[] {
  let index = 0;
  while (index < args.length) {
    const argument = args[index] ?? "";
    if (argument === "--") {
      index++;
      break;
    }
    if (!argument.startsWith("-")) break;
    index += XARGS_VALUED.includes(argument) ? 2 : 1;
  }
  const rest = args.slice(index);
  return rest.length === 0 ? ["echo", "{}"] : [...rest, "{}"];
}

function peelWatch(args: string[], result: UnwrappedCommand): string[] | undefined {
  const valued = ["-n", "--interval", "-d", "-q", "--equexit"];
  let index = 0;
  while (index < args.length && (args[index] ?? "").startsWith("-"))
    index += valued.includes(args[index] ?? "") ? 2 : 1;
  const rest = args.slice(index);
  if (rest.length === 0) return undefined;
  return rest.length === 1 ? carryScript(rest[0] ?? "", result) : rest;
}

/** `-u USER`, `--user=USER` of sudo-like wrappers. */
function userOption(args: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    if (word === "-u" || word === "--user") return args[index + 1];
    if (word.startsWith("--user=")) return word.slice(7);
    if (/^-u\S+$/.test(word)) return word.slice(2);
    if (!word.startsWith("-")) return undefined;
  }
  return undefined;
}

const SSH_VALUED = [
  "-p",
  "-i",
  "-l",
  "-o",
  "-F",
  "-J",
  "-L",
  "-R",
  "-D",
  "-W",
  "-b",
  "-c",
  "-E",
  "-e",
  "-m",
  "-O",
  "-Q",
  "-S",
  "-w",
  "-B",
  "-I",
];

function peelSsh(args: string[], result: UnwrappedCommand): string[] | undefined {
  let index = 0;
  while (index < args.length && (args[index] ?? "").startsWith("-"))
    index += SSH_VALUED.includes(args[index] ?? "") ? 2 : 1;
  const remote = args.slice(index + 1);
  if (remote[0] === "--") remote.shift();
  if (remote.length === 0) return undefined;
  result.remote = true;
  return carryScript(remote.join(" "), result);
}

function peelShell(args: string[], result: UnwrappedCommand): string[] | undefined {
  let index = 0;
  while (index < args.length) {
    const argument = args[index] ?? "";
    if (argument === "-c" || (/^-[a-z]*c[a-z]*$/.test(argument) && !argument.startsWith("--"))) {
      return carryScript(args[index + 1] ?? "", result);
    }
    // fish: `--command='…'`, `--init-command …` (run before the interactive session).
    const long = /^--(?:init-)?command(?:=(.*))?$/s.exec(argument);
    if (long) return carryScript(long[1] ?? args[index + 1] ?? "", result);
    if (!argument.startsWith("-") && !argument.startsWith("+")) return undefined;
    index +=
      argument === "-o" || argument === "+o" || argument === "--rcfile" || argument === "--init-file" ? 2 : 1;
  }
  return undefined;
}

function peelInterpreter(
  language: InterpreterLanguage,
  name: string,
  args: string[],
  result: UnwrappedCommand,
): string[] | undefined {
  const program = inlineProgramOf(language, name, args);
  if (program === undefined) return undefined;
  // `python -c "$(curl …)"`: the code is itself produced by shell substitutions, which run first.
  if (result.dynamic[program.options.length + 1] === true && /\$\(|`/.test(program.code))
    result.scripts.push(program.code);
  result.programs.push(program);
  return [];
}

/** The whole invocation goes to the Windows judge, which reads the shell's flags (`-c`, `-EncodedCommand`, `/c`). */
function peelWindowsShell(name: string, args: string[], result: UnwrappedCommand): string[] {
  const quoted = args.map((word) => `'${word.replace(/'/g, "''")}'`);
  result.windowsScripts.push({
    dialect: "powershell",
    text: [name.replace(/\.exe$/i, ""), ...quoted].join(" "),
  });
  return [];
}

function carryScript(script: string, result: UnwrappedCommand): string[] {
  result.scripts.push(script);
  return [];
}

/**
 * Peels wrappers off a command before it is judged: `sudo -u root env X=1 nice -n 5 timeout 10 rm -rf /` is judged
 * as `rm -rf /` run as root. Wrappers that carry a script (`bash -c`, `eval`, `ssh host 'cmd'`, `watch`, `su -c`,
 * `python -c`) hand that script back to be parsed and judged in full.
 */
import { commandName } from "./command-words.js";
import { shellScriptsInInlineCode, type InterpreterLanguage } from "./interpreter-code.js";

/** A command with its wrappers removed. */
export interface UnwrappedCommand {
  /** The command that really runs; empty when the wrapper only carries scripts. */
  argv: string[];
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
  /** Inline interpreter code that neither shells out nor calls a known API, named by language. */
  opaqueCode: InterpreterLanguage | undefined;
  /** An inline interpreter program that opens a shell over the network. */
  reverseShell: boolean;
  /** An inline interpreter program that forks without end. */
  forkBomb: boolean;
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
const INTERPRETERS: Record<string, InterpreterLanguage> = {
  python: "python",
  python2: "python",
  python3: "python",
  pypy: "python",
  pypy3: "python",
  perl: "perl",
  ruby: "ruby",
  node: "javascript",
  nodejs: "javascript",
  deno: "javascript",
  bun: "javascript",
  php: "php",
  lua: "lua",
};

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
    terminal: ["-l", "-v", "-k", "-K", "-V", "-e", "--list", "--validate", "--edit"],
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
  flock: { valued: ["-w", "-E", "--timeout", "-c"], positional: 1 },
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
  parallel: { valued: ["-j", "--jobs", "-S"] },
};

const MAXIMUM_LAYERS = 16;
/** A loop that never ends on its own: `while 1`, `while(true)`, `until 0`, `for(;;)`, `loop {`, `1 while`. */
const ENDLESS_LOOP =
  /\bwhile\s*\(?\s*(1|true|True)\b|\buntil\s*\(?\s*(0|false)\b|\bfor\s*\(\s*;\s*;\s*\)|\bloop\s*(do|\{)|\b1\s+while\b|\bwhile\s*\(\s*\)/;

/** Removes wrappers from `argv` (already normalised). */
export function unwrapCommand(argv: readonly string[]): UnwrappedCommand {
  const result: UnwrappedCommand = {
    argv: [...argv],
    elevated: false,
    remote: false,
    wrappers: [],
    scripts: [],
    windowsScripts: [],
    opaqueCode: undefined,
    reverseShell: false,
    forkBomb: false,
  };
  for (let layer = 0; layer < MAXIMUM_LAYERS; layer++) {
    const words = result.argv;
    const first = words[0];
    if (first === undefined) return result;
    const name = commandName(first);
    if (words.length > 0) words[0] = name;
    // Most commands wrap nothing: skip the copy and the checks below for them.
    if (!mightWrap(name)) return result;
    const peeled = peel(name, words.slice(1), result);
    if (peeled === undefined) return result;
    result.wrappers.push(name);
    result.argv = peeled;
  }
  return result;
}

/** Names {@link peel} may unwrap; anything else is returned as it is without further checks. */
let peelableNames: Set<string> | undefined;

function mightWrap(name: string): boolean {
  peelableNames ??= new Set([
    ...Object.keys(WRAPPERS),
    ...Object.keys(INTERPRETERS),
    ...SHELLS,
    "busybox",
    "toybox",
    "xargs",
    "watch",
    "eval",
    "su",
    "ssh",
  ]);
  return (
    peelableNames.has(name) ||
    name.includes("=") ||
    name.startsWith("python3.") ||
    /^(powershell|pwsh|cmd)(\.exe)?$/i.test(name)
  );
}

/** Returns the wrapped argv, or undefined when `name` is not a wrapper (or wraps nothing). */
function peel(name: string, args: string[], result: UnwrappedCommand): string[] | undefined {
  const spec = Object.hasOwn(WRAPPERS, name) ? WRAPPERS[name] : undefined;
  if (spec) return peelGeneric(name, spec, args, result);
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(name))
    return [commandName(args[0] ?? ""), ...args.slice(1)].filter(Boolean);
  if (name === "busybox" || name === "toybox") return args.length > 0 ? args : undefined;
  if (name === "xargs") return peelXargs(args);
  if (name === "find") return undefined;
  if (name === "watch") return peelWatch(args, result);
  if (name === "eval") return carryScript(args.join(" "), result);
  if (name === "su") return peelSu(args, result);
  if (/^(powershell|pwsh|cmd)(\.exe)?$/i.test(name)) return peelWindowsShell(name, args, result);
  if (name === "ssh") return peelSsh(args, result);
  if (SHELLS.has(name)) return peelShell(args, result);
  const language =
    (Object.hasOwn(INTERPRETERS, name) ? INTERPRETERS[name] : undefined) ??
    (/^python3\.\d+$/.test(name) ? "python" : undefined);
  if (language) return peelInterpreter(language, args, result);
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
    if (name === "env" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argument)) {
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
  if (spec.elevates) result.elevated = true;
  const rest = args.slice(index);
  // `sudo -s` / `sudo -i` with no command opens a root shell that reads stdin.
  if (
    spec.elevates &&
    rest.length === 0 &&
    args.some((word) => /^(-[a-zA-Z]*[si]|--shell|--login)$/.test(word))
  )
    return ["sh"];
  if (name === "parallel") {
    const separator = rest.indexOf(":::");
    return separator === -1 ? rest : [...rest.slice(0, separator), "{}"];
  }
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

function peelSu(args: string[], result: UnwrappedCommand): string[] | undefined {
  result.elevated = true;
  const commandIndex = args.findIndex((argument) => argument === "-c" || argument === "--command");
  if (commandIndex === -1) return undefined;
  return carryScript(args[commandIndex + 1] ?? "", result);
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
    if (!argument.startsWith("-") && !argument.startsWith("+")) return undefined;
    index +=
      argument === "-o" || argument === "+o" || argument === "--rcfile" || argument === "--init-file" ? 2 : 1;
  }
  return undefined;
}

function peelInterpreter(
  language: InterpreterLanguage,
  args: string[],
  result: UnwrappedCommand,
): string[] | undefined {
  const flags =
    language === "python" ? ["-c"] : language === "php" ? ["-r"] : ["-e", "-E", "--eval", "-p", "--print"];
  const codeIndex = args.findIndex(
    (argument) => flags.includes(argument) || (language === "perl" && /^-[a-zA-Z]*[eE]$/.test(argument)),
  );
  if (codeIndex === -1) return undefined;
  const code = args.slice(codeIndex + 1).join(" ");
  // `python -c "$(curl …)"`: the code is itself produced by shell substitutions, which run first.
  if (/\$\(|`/.test(code)) result.scripts.push(code);
  const found = shellScriptsInInlineCode(language, code);
  if (
    /fork\s*(while|until)\s*fork|while\s*\(?\s*(1|true|True)\s*\)?\s*:?\s*\{?\s*(os\.)?fork\(\)|(os\.)?fork\(\)\s*while/.test(
      code,
    ) ||
    (/\bfork\b|\bspawn\s*\(|\bPopen\s*\(/.test(code) && ENDLESS_LOOP.test(code))
  )
    result.forkBomb = true;
  if (found.reverseShell) result.reverseShell = true;
  if (found.scripts.length === 0 && !found.reverseShell) result.opaqueCode = language;
  result.scripts.push(...found.scripts);
  return [];
}

function peelWindowsShell(name: string, args: string[], result: UnwrappedCommand): string[] | undefined {
  const dialect = /^cmd/i.test(name) ? "cmd" : "powershell";
  const index = args.findIndex((word) =>
    dialect === "cmd" ? /^\/[ck]$/i.test(word) : /^-(c|command|commandwithargs)$/i.test(word),
  );
  if (index === -1) return undefined;
  result.windowsScripts.push({ dialect, text: args.slice(index + 1).join(" ") });
  return [];
}

function carryScript(script: string, result: UnwrappedCommand): string[] {
  result.scripts.push(script);
  return [];
}

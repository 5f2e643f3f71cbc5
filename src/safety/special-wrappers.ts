/**
 * Wrappers whose command is not simply "the words after the options": `su -c`, `runuser`, `sg`, `flock -c`,
 * `bwrap` (options with two values), `ip netns exec`, `start-stop-daemon --exec X -- args`, package runners
 * (`npx -c`, `npm exec --`, `yarn/pnpm exec`, `pnpm dlx`, `bunx`), `cmake -E rm`, `entr`, `nodemon --exec`,
 * `perf record --`, `parallel … ::: args`, `xargs -I% …`, and commands run on other machines or in containers
 * (`docker exec`, `kubectl exec`, `lxc exec`, `ansible -a`, `salt cmd.run`, `pdsh`, `vagrant ssh -c`,
 * `gcloud compute ssh --command`, `aws ssm send-command`). Each returns what unwrapping should do; `unwrap.ts`
 * applies it.
 */
import { operands, quoteWords } from "./command-words.js";

/** What peeling one special wrapper gives. */
export interface Peeled {
  /** The wrapped command's words (empty when only a script runs). */
  argv: string[];
  /** Shell source it runs. */
  scripts?: string[];
  elevated?: boolean;
  runAs?: string;
  remote?: boolean;
}

type Peeler = (args: readonly string[]) => Peeled | undefined;

function after(args: readonly string[], marker: string): string[] | undefined {
  const index = args.indexOf(marker);
  return index === -1 ? undefined : args.slice(index + 1);
}

function valueOf(args: readonly string[], ...names: string[]): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    if (names.includes(word)) return args[index + 1];
    for (const name of names)
      if (name.startsWith("--") && word.startsWith(`${name}=`)) return word.slice(name.length + 1);
    // Clustered short flags ending in the option: `script -qc CMD`, `su -lc CMD`.
    for (const name of names)
      if (/^-[a-zA-Z]$/.test(name) && new RegExp(`^-[a-zA-Z]+${name.charAt(1)}$`).test(word))
        return args[index + 1];
  }
  return undefined;
}

/** Skips options (those in `valued` take one value, in `twoValued` two) and returns the rest. */
function skipOptions(
  args: readonly string[],
  valued: readonly string[],
  twoValued: readonly string[] = [],
): string[] {
  let index = 0;
  while (index < args.length) {
    const word = args[index] ?? "";
    if (word === "--") return args.slice(index + 1);
    if (!word.startsWith("-") || word === "-") break;
    index += twoValued.includes(word) ? 3 : valued.includes(word) ? 2 : 1;
  }
  return args.slice(index);
}

const script = (text: string | undefined, extra: Partial<Peeled> = {}): Peeled | undefined =>
  text === undefined ? undefined : { argv: [], scripts: [text], ...extra };

/** `su [-] [user] [-c CMD]`, `runuser -l user -c CMD`, `sg group -c CMD`: a script, else an interactive shell. */
function su(name: string, args: readonly string[]): Peeled {
  const code = valueOf(args, "-c", "--command");
  const codeIndex = code === undefined ? -1 : args.indexOf(code);
  const valued = [
    "-s",
    "--shell",
    "-g",
    "--group",
    "-G",
    "--supp-group",
    "-w",
    "--whitelist-environment",
    "-c",
    "--command",
  ];
  const words = operands(
    args.filter((_, index) => index !== codeIndex),
    valued,
  ).filter((word) => word !== "-");
  const user = words[0];
  const runAs = name === "sg" ? undefined : user === undefined ? "root" : user;
  const elevated = runAs === "root" || runAs === "0";
  const identity: Partial<Peeled> = { elevated, ...(runAs === undefined ? {} : { runAs }) };
  if (code !== undefined) return { argv: [], scripts: [code], ...identity };
  if (name === "runuser") {
    const rest = after(args, "--");
    if (rest !== undefined && rest.length > 0) return { argv: rest, ...identity };
  }
  if (name === "sg") {
    const rest = user === undefined ? [] : args.slice(args.indexOf(user) + 1);
    return rest.length > 0 ? { argv: [], scripts: [rest.join(" ")] } : { argv: ["sh"] };
  }
  // `su - app ./run.sh`: the words after the user are the shell's arguments.
  return { argv: ["sh", ...words.slice(1)], ...identity };
}

/** `… exec` of a container or pod, `ssh`-like remote runners: the inner command runs there, as root there. */
function remoteArgv(argv: readonly string[]): Peeled | undefined {
  return argv.length === 0 ? undefined : { argv: [...argv], remote: true };
}

const CONTAINER_EXEC_VALUED = [
  "-u",
  "--user",
  "-w",
  "--workdir",
  "-e",
  "--env",
  "--env-file",
  "--detach-keys",
  "-c",
  "--container",
  "-n",
  "--namespace",
  "--context",
  "--project",
  "--env-file",
];

const BWRAP_VALUED = [
  "--dev",
  "--proc",
  "--tmpfs",
  "--dir",
  "--chdir",
  "--unsetenv",
  "--uid",
  "--gid",
  "--hostname",
  "--seccomp",
  "--lock-file",
  "--mqueue",
  "--remount-ro",
  "--info-fd",
  "--block-fd",
  "--userns",
  "--cap-add",
  "--cap-drop",
  "--perms",
  "--size",
  "--args",
  "--exec-label",
  "--file-label",
  "--argv0",
];
const BWRAP_TWO_VALUED = [
  "--bind",
  "--ro-bind",
  "--dev-bind",
  "--bind-try",
  "--ro-bind-try",
  "--dev-bind-try",
  "--symlink",
  "--setenv",
  "--file",
  "--bind-data",
  "--ro-bind-data",
  "--chmod",
];

const PEELERS: Record<string, Peeler> = {
  su: (args) => su("su", args),
  sg: (args) => su("sg", args),
  runuser: (args) => (args.includes("-u") || args.includes("--user") ? undefined : su("runuser", args)),
  flock: (args) => script(valueOf(args, "-c", "--command")),
  bwrap: (args) => {
    const rest = skipOptions(args, BWRAP_VALUED, BWRAP_TWO_VALUED);
    return rest.length === 0 ? undefined : { argv: rest };
  },
  ip: (args) =>
    (args[0] === "netns" || args[0] === "vrf") && args[1] === "exec" && args.length > 3
      ? { argv: args.slice(3) }
      : undefined,
  "start-stop-daemon": (args) => {
    const program = valueOf(args, "--exec", "-x", "--startas", "-a");
    if (program === undefined) return undefined;
    return { argv: [program, ...(after(args, "--") ?? [])] };
  },
  chpst: (args) => {
    const user = valueOf(args, "-u");
    const rest = skipOptions(args, [
      "-u",
      "-U",
      "-e",
      "-n",
      "-l",
      "-L",
      "-m",
      "-d",
      "-o",
      "-p",
      "-f",
      "-c",
      "-r",
      "-t",
      "-/",
    ]);
    return rest.length === 0
      ? undefined
      : { argv: rest, ...(user?.startsWith("root") ? { elevated: true } : {}) };
  },
  "s6-setuidgid": (args) =>
    args.length < 2 ? undefined : { argv: args.slice(1), ...(args[0] === "root" ? { elevated: true } : {}) },
  daemonize: (args) => {
    const rest = skipOptions(args, ["-a", "-c", "-e", "-E", "-l", "-o", "-p", "-u"]);
    return rest.length === 0 ? undefined : { argv: rest };
  },
  entr: (args) => {
    if (args.includes("-s")) return script(args.filter((word) => !word.startsWith("-")).join(" "));
    const rest = skipOptions(args, []);
    return rest.length === 0 ? undefined : { argv: rest };
  },
  nodemon: (args) => script(valueOf(args, "--exec", "-x")),
  npx: (args) => {
    const code = valueOf(args, "-c", "--call");
    if (code !== undefined) return script(code);
    const rest = after(args, "--");
    return rest === undefined || rest.length === 0 ? undefined : { argv: rest };
  },
  npm: (args) => {
    if (args[0] !== "exec" && args[0] !== "x") return undefined;
    const code = valueOf(args, "-c", "--call");
    if (code !== undefined) return script(code);
    const rest = after(args, "--");
    return rest === undefined || rest.length === 0 ? undefined : { argv: rest };
  },
  yarn: (args) =>
    args[0] === "exec" && args.length > 1 ? { argv: skipOptions(args.slice(1), []) } : undefined,
  pnpm: (args) =>
    /^(exec|dlx)$/.test(args[0] ?? "") && args.length > 1
      ? { argv: skipOptions(args.slice(1), ["--package", "-C", "--dir"]) }
      : undefined,
  bunx: (args) => (args.length > 0 ? { argv: skipOptions(args, ["-p", "--package"]) } : undefined),
  cmake: (args) => {
    if (args[0] !== "-E") return undefined;
    const [command, ...rest] = args.slice(1);
    if (command === "rm") return { argv: ["rm", ...rest] };
    if (command === "remove_directory") return { argv: ["rm", "-rf", ...rest] };
    if (command === "remove") return { argv: ["rm", ...rest] };
    return undefined;
  },
  perf: (args) =>
    /^(stat|record|trace|mem|sched|lock|kvm)$/.test(args[0] ?? "")
      ? (() => {
          const rest = skipOptions(args.slice(1), [
            "-o",
            "-e",
            "-p",
            "-t",
            "-C",
            "-c",
            "-F",
            "-g",
            "-G",
            "-r",
            "-I",
            "-m",
            "--output",
            "--event",
            "--pid",
          ]);
          return rest.length === 0 ? undefined : { argv: rest };
        })()
      : undefined,
  parallel: (args) => {
    const separator = args.findIndex((word) => word === ":::" || word === "::::" || word === ":::+");
    const command = skipOptions(separator === -1 ? args : args.slice(0, separator), [
      "-j",
      "--jobs",
      "-S",
      "--sshlogin",
      "-a",
      "--arg-file",
      "-I",
      "--colsep",
      "-d",
      "--delimiter",
      "--joblog",
      "--results",
    ]);
    const values =
      separator === -1 ? [] : args.slice(separator + 1).filter((word) => !/^:::+\+?$/.test(word));
    if (command.length === 0) return values.length === 0 ? undefined : { argv: [], scripts: values };
    if (values.length === 0) return { argv: [...command, "{}"] };
    return command.some((word) => word.includes("{}"))
      ? {
          argv: [],
          scripts: values.map((value) => quoteWords(command.map((word) => word.replaceAll("{}", value)))),
        }
      : { argv: [...command, ...values] };
  },
  docker: (args) =>
    args[0] === "exec" ? remoteArgv(skipOptions(args.slice(1), CONTAINER_EXEC_VALUED).slice(1)) : undefined,
  podman: (args) =>
    args[0] === "exec" ? remoteArgv(skipOptions(args.slice(1), CONTAINER_EXEC_VALUED).slice(1)) : undefined,
  kubectl: (args) => (args[0] === "exec" ? remoteArgv(after(args, "--") ?? []) : undefined),
  oc: (args) => (args[0] === "exec" || args[0] === "rsh" ? remoteArgv(after(args, "--") ?? []) : undefined),
  lxc: (args) => (args[0] === "exec" ? remoteArgv(after(args, "--") ?? args.slice(2)) : undefined),
  incus: (args) => (args[0] === "exec" ? remoteArgv(after(args, "--") ?? args.slice(2)) : undefined),
  mosh: (args) => remoteArgv(after(args, "--") ?? []),
  vagrant: (args) =>
    args[0] === "ssh" ? script(valueOf(args, "-c", "--command"), { remote: true }) : undefined,
  gcloud: (args) =>
    args[0] === "compute" && args[1] === "ssh"
      ? script(valueOf(args, "--command"), { remote: true })
      : undefined,
  ansible: (args) => {
    const module = valueOf(args, "-m", "--module-name") ?? "command";
    const code = valueOf(args, "-a", "--args");
    if (code === undefined || !/^(shell|command|raw|ansible\.builtin\.(shell|command|raw))$/.test(module))
      return undefined;
    return script(code, {
      remote: true,
      ...(args.some((word) => /^(-b|--become)$/.test(word)) ? { elevated: true } : {}),
    });
  },
  salt: (args) => {
    const index = args.findIndex(
      (word) => word === "cmd.run" || word === "cmd.shell" || word === "cmd.script",
    );
    return index === -1
      ? undefined
      : script(args.slice(index + 1).join(" "), { remote: true, elevated: true });
  },
  pdsh: (args) =>
    script(skipOptions(args, ["-w", "-x", "-g", "-X", "-l", "-t", "-u", "-f", "-R"]).join(" "), {
      remote: true,
    }),
  clush: (args) =>
    script(skipOptions(args, ["-w", "-x", "-g", "-X", "-l", "-t", "-u", "-f", "-o"]).join(" "), {
      remote: true,
    }),
  pssh: (args) =>
    script(skipOptions(args, ["-h", "-H", "-l", "-p", "-t", "-o", "-e", "-x", "-X", "-O"]).join(" "), {
      remote: true,
    }),
  // zsh's zmv/zcp/zln: a pattern with `(…)` groups and a replacement; as broad as mv/cp/ln of the pattern.
  zmv: (args) => zmvAs("mv", args),
  zcp: (args) => zmvAs("cp", args),
  zln: (args) => zmvAs("ln", args),
  aws: (args) => {
    if (args[0] !== "ssm" || args[1] !== "send-command") return undefined;
    const parameters = valueOf(args, "--parameters") ?? "";
    const commands = [...parameters.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) =>
      (match[1] ?? "").replace(/\\"/g, '"'),
    );
    return commands.length === 0 ? undefined : { argv: [], scripts: commands, remote: true, elevated: true };
  },
};

/** What a special wrapper runs, or undefined when `name` is not one (or wraps nothing here). */
function zmvAs(program: string, args: readonly string[]): Peeled | undefined {
  const operands = args.filter((word) => !word.startsWith("-"));
  if (operands.length < 2 || args.includes("-n")) return undefined;
  return { argv: [program, ...operands.slice(0, 2).map((word) => word.replace(/[()]/g, ""))] };
}

export function peelSpecial(name: string, args: readonly string[]): Peeled | undefined {
  if (/^ld(-linux[\w.-]*)?\.so(\.\d+)?$/.test(name)) return args.length > 0 ? { argv: [...args] } : undefined;
  const peeler = Object.hasOwn(PEELERS, name) ? PEELERS[name] : undefined;
  return peeler?.(args);
}

/** Names {@link peelSpecial} may unwrap. */
export const SPECIAL_WRAPPERS: readonly string[] = Object.keys(PEELERS);

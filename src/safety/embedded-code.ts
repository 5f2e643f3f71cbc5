/**
 * Programs that run a string as shell code while remaining themselves: `trap 'CODE' EXIT`, `git -c
 * core.fsmonitor=CODE status`, `tar --checkpoint-action=exec=CODE`, `ssh -o ProxyCommand=CODE`, `vim -c '!CODE'`,
 * `gdb -ex 'shell CODE'`, `psql -c '\! CODE'`, `tmux new 'CODE'`, `screen -X stuff`, `script -c CODE`,
 * `expect -c 'spawn CODE'`, `zip -TT CODE`, `emacs --eval '(shell-command "CODE")'`, `Rscript -e 'system("…")'`…
 *
 * Each finder returns the shell source the program would run (judged in full by the engine), sentences for code it
 * cannot read (rated high), and whether the program hands the user an interactive shell (a root shell under sudo).
 * Where a program is told to run a helper (`core.pager`, `rsync -e`, `ProxyCommand`) and the helper is not one of
 * the programs such an option normally names, the option itself is the finding: it is how code is smuggled in.
 */
import { commandName } from "./command-words.js";
import {
  emptyCode,
  gdbCommand,
  shellCallsIn,
  sqlText,
  tclText,
  vimCommand,
  type EmbeddedCode,
} from "./code-dialects.js";

export type { EmbeddedCode } from "./code-dialects.js";

type Finder = (args: readonly string[], found: EmbeddedCode) => void;

/** Programs each option's value normally names; anything else there is code injection. */
const USUAL_HELPERS: Record<string, RegExp> = {
  ssh: /^(ssh|\/usr\/bin\/ssh|rsh|sshpass|autossh|mosh)$/,
  proxy:
    /^(ssh|nc|ncat|netcat|connect|connect-proxy|corkscrew|socat|cloudflared|gcloud|aws|proxytunnel|openssl|tsh|teleport)$/,
  pager:
    /^(less|more|most|cat|bat|batcat|delta|diff-so-fancy|diff-highlight|ydiff|riff|moar|lv|pg|w3m|vim|nvim|view|code|true)$/,
  editor:
    /^(vi|vim|nvim|nano|pico|emacs|emacsclient|code|subl|mate|gedit|kate|micro|hx|helix|ed|ex|joe|jed|mcedit|atom|idea|true|cat)$/,
  compressor:
    /^(gzip|gunzip|pigz|bzip2|pbzip2|lbzip2|xz|pixz|zstd|unzstd|pzstd|lz4|lzip|plzip|lzma|lzop|brotli|compress|uncompress)$/,
  unzip: /^(unzip|7z|bsdtar)$/,
  diff: /^(diff|vimdiff|meld|kdiff3|opendiff|difft|difftastic|delta|code|bcompare|p4merge|tkdiff|xxdiff)$/,
};

/** Whether `value` (a shell command line) starts with a program of `kind`. */
function isUsual(value: string, kind: string): boolean {
  const first = value.trim().split(/\s+/)[0] ?? "";
  return USUAL_HELPERS[kind]?.test(commandName(first)) === true && !/[;&|`<>]|\$\(/.test(value);
}

/** Adds a helper's command line: judged as a script, and flagged when it is not the usual kind of program. */
function helper(found: EmbeddedCode, option: string, value: string, kind: string): void {
  if (value.trim() === "") return;
  found.scripts.push(value);
  if (!isUsual(value, kind)) found.injected.push({ option, value });
}

/** `--name=value`, `--name value` or `-x value` at `index`; returns [value, next index]. */
function optionValue(args: readonly string[], index: number, names: readonly string[]): string | undefined {
  const word = args[index] ?? "";
  for (const name of names) {
    if (word === name) return args[index + 1];
    if (name.startsWith("--") && word.startsWith(`${name}=`)) return word.slice(name.length + 1);
    if (!name.startsWith("--") && word.startsWith(name) && word.length > name.length && name.length === 2)
      return word.slice(2);
  }
  return undefined;
}
/** tmux commands: `new-session CMD`, `send-keys 'CMD' Enter`, `run-shell CMD`, `if-shell CMD`, `pipe-pane CMD`. */
function tmux(args: readonly string[], found: EmbeddedCode): void {
  let index = 0;
  while (index < args.length && (args[index] ?? "").startsWith("-")) {
    const flag = args[index] ?? "";
    if (flag === "-c") {
      found.scripts.push(args[index + 1] ?? "");
      return;
    }
    index += ["-L", "-S", "-f", "-T"].includes(flag) ? 2 : 1;
  }
  const commands: string[][] = [[]];
  for (const word of args.slice(index)) {
    if (word === ";" || word === "\\;") commands.push([]);
    else commands[commands.length - 1]?.push(word.endsWith("\\;") ? word.slice(0, -2) : word);
  }
  const valued = [
    "-c",
    "-e",
    "-F",
    "-n",
    "-s",
    "-t",
    "-x",
    "-y",
    "-l",
    "-p",
    "-f",
    "-w",
    "-h",
    "-d",
    "-T",
    "-b",
    "-B",
  ];
  for (const [name, ...rest] of commands) {
    if (name === undefined) continue;
    const operands: string[] = [];
    for (let position = 0; position < rest.length; position++) {
      const word = rest[position] ?? "";
      if (operands.length === 0 && word.startsWith("-") && word.length > 1) {
        if (valued.includes(word) && !/^(send-keys|send)$/.test(name)) position++;
        else if (word === "-t" || word === "-N") position++;
        continue;
      }
      operands.push(word);
    }
    if (
      /^(new-session|new|new-window|neww|split-window|splitw|respawn-pane|respawnp|respawn-window|respawnw|display-popup|popup)$/.test(
        name,
      )
    ) {
      if (operands.length > 0) found.scripts.push(operands.join(" "));
    } else if (/^(run-shell|run|pipe-pane|pipep)$/.test(name)) {
      if (operands[0] !== undefined) found.scripts.push(operands.join(" "));
    } else if (/^(if-shell|if)$/.test(name)) {
      if (operands[0] !== undefined) found.scripts.push(operands[0]);
    } else if (/^(send-keys|send)$/.test(name)) {
      const typed = operands
        .filter((word) => !/^(Enter|C-m|KPEnter|C-j|Space|Tab|Escape|C-c|C-d)$/.test(word))
        .join(" ");
      if (typed.trim() !== "") found.scripts.push(typed.replace(/\\n|\\r|\^M/g, "\n"));
    }
  }
}

/** `screen [opts] CMD…`, `screen -X stuff 'TEXT'`, `screen -X exec CMD`. */
function screen(args: readonly string[], found: EmbeddedCode): void {
  // `screen -ls`, `-list`, `-wipe`, `-v`: only list or report, no session starts.
  if (args.some((word) => /^-(ls|list|wipe|v|version|Q)$/.test(word))) return;
  const valued = ["-S", "-c", "-e", "-h", "-p", "-r", "-x", "-T", "-t", "-s", "-L", "-Logfile", "-R"];
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    if (word === "-X") {
      const [command, ...rest] = args.slice(index + 1);
      if (command === "stuff") found.scripts.push(rest.join(" ").replace(/\\n|\\r|\^M|\\015/g, "\n"));
      else if (command === "exec" || command === "screen") found.scripts.push(rest.join(" "));
      return;
    }
    if (word.startsWith("-")) {
      if (valued.includes(word) || /^-[a-zA-Z]*[dD]m?S$/.test(word)) index++;
      continue;
    }
    found.scripts.push(args.slice(index).join(" "));
    return;
  }
  found.interactiveShell = true;
}

/** Terminal emulators: `xterm -e CMD…`, `gnome-terminal -- CMD…`, `xfce4-terminal -e 'CMD'`. */
function terminal(args: readonly string[], found: EmbeddedCode): void {
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    if (word === "--" || word === "-x" || word === "--execute") {
      found.scripts.push(args.slice(index + 1).join(" "));
      return;
    }
    if (word === "-e" || word === "--command" || word.startsWith("--command=") || word.startsWith("-e=")) {
      const value = word.includes("=") ? word.slice(word.indexOf("=") + 1) : args.slice(index + 1).join(" ");
      found.scripts.push(value);
      return;
    }
  }
}

const GIT_CODE_KEYS =
  /^(core\.(fsmonitor|pager|sshcommand|editor|askpass|gitproxy|hookspath)|pager\.[\w.-]+|sequence\.editor|diff\.external|diff\.[\w.-]+\.(textconv|command)|filter\.[\w.-]+\.(clean|smudge|process)|merge\.[\w.-]+\.driver|(diff|merge)tool\.[\w.-]+\.cmd|credential(\.[\w.:/-]+)?\.helper|gpg(\.\w+)?\.program|uploadpack\.packobjectshook|remote\.[\w.-]+\.(uploadpack|receivepack)|alias\.[\w.-]+|web\.browser|browser\.[\w.-]+\.cmd|man\.[\w.-]+\.cmd|include\.path|includeif\..+|init\.templatedir|core\.worktree|ssh\.variant|protocol\.ext\.allow|safe\.directory)$/i;

function gitKey(found: EmbeddedCode, key: string, value: string, option: string): void {
  const lower = key.toLowerCase();
  if (!GIT_CODE_KEYS.test(lower)) return;
  if (lower.startsWith("alias.")) {
    if (value.startsWith("!")) helper(found, option, value.slice(1), "none");
    return;
  }
  if (
    lower === "core.hookspath" ||
    lower === "include.path" ||
    lower.startsWith("includeif") ||
    lower === "init.templatedir"
  ) {
    found.injected.push({ option, value });
    return;
  }
  if (lower === "protocol.ext.allow") {
    if (value === "always") found.injected.push({ option, value });
    return;
  }
  if (lower === "safe.directory" || lower === "core.worktree" || lower === "ssh.variant") return;
  if (lower.startsWith("credential")) {
    if (value.startsWith("!")) helper(found, option, value.slice(1), "none");
    return;
  }
  const kind = lower.includes("sshcommand")
    ? "ssh"
    : lower.includes("pager")
      ? "pager"
      : lower.includes("editor")
        ? "editor"
        : lower.includes("diff") || lower.includes("merge")
          ? "diff"
          : "none";
  helper(found, option, value, kind);
}

/** Options of git subcommands whose value is a command git runs. */
const GIT_EXEC_OPTIONS: Record<string, readonly string[]> = {
  rebase: ["--exec", "-x"],
  difftool: ["--extcmd", "-x"],
  clone: ["--upload-pack", "-u"],
  fetch: ["--upload-pack"],
  pull: ["--upload-pack"],
  "ls-remote": ["--upload-pack"],
  push: ["--receive-pack", "--exec"],
  archive: ["--exec"],
  grep: ["--open-files-in-pager", "-O"],
  "filter-branch": [
    "--tree-filter",
    "--index-filter",
    "--msg-filter",
    "--env-filter",
    "--commit-filter",
    "--parent-filter",
    "--tag-name-filter",
  ],
};

function git(args: readonly string[], found: EmbeddedCode): void {
  let index = 0;
  for (; index < args.length; index++) {
    const word = args[index] ?? "";
    if (word === "-c" || word.startsWith("-c")) {
      const pair = word === "-c" ? (args[++index] ?? "") : word.slice(2);
      const equals = pair.indexOf("=");
      if (equals > 0)
        gitKey(found, pair.slice(0, equals), pair.slice(equals + 1), `-c ${pair.slice(0, equals)}`);
      continue;
    }
    if (word.startsWith("--exec-path=")) {
      found.injected.push({ option: "--exec-path", value: word.slice(12) });
      continue;
    }
    if (["-C", "--git-dir", "--work-tree", "--namespace", "--config-env"].includes(word)) {
      index++;
      continue;
    }
    if (!word.startsWith("-")) break;
  }
  const subcommand = args[index];
  const rest = args.slice(index + 1);
  if (subcommand === "config") {
    const words = rest.filter(
      (word) =>
        !/^--(global|system|local|worktree|add|replace-all|unset|unset-all|bool|int|path|type=.*)$/.test(
          word,
        ),
    );
    const fileAt = words.findIndex((word) => word === "-f" || word === "--file");
    const positional = fileAt === -1 ? words : words.filter((_, at) => at !== fileAt && at !== fileAt + 1);
    if (positional.length >= 2 && !(positional[0] ?? "").startsWith("-"))
      gitKey(found, positional[0] ?? "", positional.slice(1).join(" "), `config ${positional[0] ?? ""}`);
    return;
  }
  const execOptions = Object.hasOwn(GIT_EXEC_OPTIONS, subcommand ?? "")
    ? GIT_EXEC_OPTIONS[subcommand ?? ""]
    : undefined;
  for (let at = 0; at < rest.length; at++) {
    const word = rest[at] ?? "";
    const exec = execOptions === undefined ? undefined : optionValue(rest, at, execOptions);
    if (exec === undefined) continue;
    // `rebase --exec` and `filter-branch` are made to run commands: judge them. The others replace a helper.
    if (subcommand === "rebase" || subcommand === "filter-branch") found.scripts.push(exec);
    else
      helper(
        found,
        word.replace(/=.*/, ""),
        exec,
        subcommand === "grep" ? "pager" : subcommand === "difftool" ? "diff" : "none",
      );
  }
  for (const word of rest) {
    if (/^ext::/.test(word)) helper(found, "ext:: URL", word.slice(5).replace(/%S/g, ""), "none");
  }
  if (subcommand === "bisect" && rest[0] === "run" && rest.length > 1)
    found.scripts.push(rest.slice(1).join(" "));
  if (subcommand === "submodule" && rest.includes("foreach")) {
    const body = rest
      .slice(rest.indexOf("foreach") + 1)
      .filter((word) => word !== "--recursive" && word !== "-q" && word !== "--quiet");
    if (body.length > 0) found.scripts.push(body.join(" "));
  }
}

function tar(args: readonly string[], found: EmbeddedCode): void {
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    const action = optionValue(args, index, ["--checkpoint-action"]);
    if (action !== undefined) {
      const exec = /^exec=(.*)$/s.exec(action);
      if (exec) helper(found, "--checkpoint-action", exec[1] ?? "", "none");
    }
    const command = optionValue(args, index, [
      "--to-command",
      "--rsh-command",
      "--info-script",
      "--new-volume-script",
      "-F",
    ]);
    if (command !== undefined) helper(found, word.replace(/=.*/, ""), command, "none");
    const compressor = optionValue(args, index, ["--use-compress-program", "-I"]);
    if (compressor !== undefined) helper(found, word.replace(/=.*/, ""), compressor, "compressor");
  }
}

function sshLike(args: readonly string[], found: EmbeddedCode, program: boolean): void {
  for (let index = 0; index < args.length; index++) {
    const option = optionValue(args, index, ["-o"]);
    if (option !== undefined) {
      const match = /^(ProxyCommand|LocalCommand|KnownHostsCommand|RemoteCommand)\s*[= ]\s*(.*)$/is.exec(
        option,
      );
      if (match)
        helper(found, match[1] ?? "", match[2] ?? "", /proxy/i.test(match[1] ?? "") ? "proxy" : "none");
    }
    // scp and sftp run `-S PROGRAM` as their ssh; ssh's own -S is a control socket.
    const value = program ? optionValue(args, index, ["-S"]) : undefined;
    if (value !== undefined) helper(found, "-S", value, "ssh");
  }
}

const FINDERS: Record<string, Finder> = {
  trap: (args, found) => {
    const code = args[0];
    if (code === undefined || code === "-" || /^-[lp]$/.test(code) || code === "") return;
    if (args.length === 1 && /^(SIG)?[A-Z]+$|^\d+$/.test(code)) return;
    found.scripts.push(code);
  },
  git,
  tar,
  rsync: (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const value = optionValue(args, index, ["--rsh", "-e"]);
      if (value !== undefined && (args[index] === "-e" || args[index]?.startsWith("--rsh")))
        helper(found, "-e", value, "ssh");
    }
  },
  ssh: (args, found) => sshLike(args, found, false),
  scp: (args, found) => sshLike(args, found, true),
  sftp: (args, found) => sshLike(args, found, true),
  zip: (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const value = optionValue(args, index, ["-TT", "--unzip-command"]);
      if (value !== undefined) helper(found, "-TT", value, "unzip");
    }
  },
  gdb: (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const value = optionValue(args, index, ["-ex", "--eval-command", "-iex", "--init-eval-command"]);
      if (value !== undefined && (args[index]?.startsWith("-") ?? false)) gdbCommand(value, found);
    }
  },
  script: (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const value = optionValue(args, index, ["-c", "--command"]);
      if (value !== undefined) {
        found.scripts.push(value);
        return;
      }
    }
    found.interactiveShell = true;
  },
  expect: (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const value = optionValue(args, index, ["-c"]);
      if (value !== undefined) tclText(value, found);
    }
  },
  tmux,
  screen,
  hyperfine: (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const word = args[index] ?? "";
      const value = optionValue(args, index, [
        "--prepare",
        "-p",
        "--cleanup",
        "-c",
        "--setup",
        "-s",
        "--conclude",
      ]);
      if (value !== undefined) {
        found.scripts.push(value);
        index++;
      } else if (
        /^-(r|w|m|M|n|u|L|P|S|N)$|^--(runs|warmup|min-runs|max-runs|command-name|time-unit|parameter-scan|parameter-list|export-\w+|shell|output|style|sort)$/.test(
          word,
        )
      )
        index++;
      else if (!word.startsWith("-")) found.scripts.push(word);
    }
  },
  emacs: (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const value = optionValue(args, index, ["--eval", "-eval", "--execute"]);
      if (value !== undefined) {
        shellCallsIn(value, "emacs lisp", found);
        for (const match of value.matchAll(
          /\((?:call-process|start-process|make-process|term|ansi-term)\s+"([^"]*)"(?:\s+(?:nil|t|"[^"]*"))*\s*(?:"([^"]*)")?/g,
        ))
          if (/^(\/bin\/)?(ba|z|da)?sh$/.test(match[1] ?? "")) found.interactiveShell = true;
          else found.scripts.push([match[1], match[2]].filter(Boolean).join(" "));
      }
    }
  },
  osascript: (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const value = optionValue(args, index, ["-e"]);
      if (value !== undefined) shellCallsIn(value, "AppleScript", found);
    }
  },
  make: (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const value = optionValue(args, index, ["--eval", "-E"]);
      if (value !== undefined)
        for (const line of value.replace(/\\n/g, "\n").replace(/\\t/g, "\t").split("\n"))
          if (line.startsWith("\t")) found.scripts.push(line.trim().replace(/^[-@+]+/, ""));
    }
  },
  nmap: (args, found) => {
    if (args.includes("--interactive")) found.interactiveShell = true;
  },
  "run-parts": (args, found) => {
    const directory = args.filter((word) => !word.startsWith("-")).at(-1) ?? "";
    if (/^\/(usr\/)?s?bin\/?$/.test(directory)) found.interactiveShell = true;
  },
  service: (args, found) => {
    if ((args[0] ?? "").includes("/")) found.interactiveShell = true;
  },
  capsh: (args, found) => {
    const separator = args.indexOf("--");
    if (separator === -1) return;
    const after = args.slice(separator + 1);
    const command = after.indexOf("-c");
    if (command !== -1) found.scripts.push(after[command + 1] ?? "");
    else found.interactiveShell = true;
  },
  bpftrace: (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const value = optionValue(args, index, ["-e"]);
      if (value !== undefined) shellCallsIn(value, "bpftrace", found);
    }
  },
  rpm: (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const value = optionValue(args, index, ["--eval", "-E"]);
      if (value !== undefined && /%\{lua:/.test(value)) shellCallsIn(value, "rpm lua", found);
    }
  },
  "apt-get": aptOptions,
  apt: aptOptions,
  socat: (args, found) => {
    for (const word of args) {
      const match = /^(?:exec|system):(.*?)(?:,(?:pty|stderr|setsid|sigint|sane|ctty|raw|echo=0)\S*)?$/i.exec(
        word,
      );
      if (match) {
        const inner = (match[1] ?? "").trim();
        if (/^(\/bin\/)?(ba|z|da|k)?sh(\s+-[il]+)?$/.test(inner)) found.interactiveShell = true;
        else found.scripts.push(inner);
      }
    }
  },
};

function aptOptions(args: readonly string[], found: EmbeddedCode): void {
  for (let index = 0; index < args.length; index++) {
    const value = optionValue(args, index, ["-o", "--option"]);
    const match =
      value === undefined
        ? null
        : /^(?:APT::Update::(?:Pre|Post)-Invoke(?:-Success)?|DPkg::(?:Pre|Post)-Invoke|Dpkg::Pre-Install-Pkgs)::?=(.*)$/i.exec(
            value,
          );
    if (match) helper(found, "-o APT hook", match[1] ?? "", "none");
  }
}

for (const name of ["vim", "vi", "nvim", "view", "ex", "gvim", "vimdiff", "rvim", "rview", "evim"])
  FINDERS[name] = (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const word = args[index] ?? "";
      const value =
        optionValue(args, index, ["-c", "--cmd"]) ??
        (word.startsWith("+") && word.length > 1 ? word.slice(1) : undefined);
      if (value !== undefined) vimCommand(value, found);
    }
  };
for (const name of ["psql", "mysql", "mariadb", "sqlite3", "duckdb"])
  FINDERS[name] = (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const value = optionValue(args, index, ["-c", "--command", "-e", "--execute", "-cmd"]);
      if (value !== undefined) sqlText(value, found);
    }
    if (name === "sqlite3" || name === "duckdb")
      for (const word of args.filter((arg) => !arg.startsWith("-")).slice(1)) sqlText(word, found);
  };
for (const name of ["Rscript", "R", "julia", "octave", "jrunscript", "groovy", "scala", "knife"])
  FINDERS[name] = (args, found) => {
    for (let index = 0; index < args.length; index++) {
      const value = optionValue(args, index, ["-e", "--eval", "--expr", "-E"]);
      if (value !== undefined) shellCallsIn(value, name, found);
    }
  };
for (const name of [
  "xterm",
  "uxterm",
  "gnome-terminal",
  "konsole",
  "alacritty",
  "kitty",
  "urxvt",
  "rxvt",
  "xfce4-terminal",
  "terminator",
  "st",
  "tilix",
  "lxterminal",
  "mate-terminal",
  "x-terminal-emulator",
  "foot",
  "wezterm",
  "qterminal",
  "sakura",
  "terminology",
])
  FINDERS[name] = terminal;

/** The code a program's arguments would run, or undefined for programs that run none. */
export function embeddedCode(name: string, args: readonly string[]): EmbeddedCode | undefined {
  const finder = Object.hasOwn(FINDERS, name) ? FINDERS[name] : undefined;
  if (finder === undefined) return undefined;
  const found = emptyCode();
  finder(args, found);
  return found;
}

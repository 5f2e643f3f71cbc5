/**
 * Variables that make programs run code: `PAGER='sh -c …' man ls`, `GIT_SSH_COMMAND=…`, `LESSOPEN='|…'`,
 * `PROMPT_COMMAND`, `BASH_ENV`, `NODE_OPTIONS=--require …`, `LD_PRELOAD=…`, a PATH that puts a writable folder
 * first, and the ones that switch the shell history off. Set for one command (`VAR=x cmd`), for the rest of a
 * script (`VAR=x`), or exported, they are judged the same way.
 */
import type { Assignment } from "./command-extractor.js";
import { commandName } from "./command-words.js";
import type { RiskLevel } from "./types.js";

/** One finding about an assignment. */
export interface AssignmentFinding {
  rule: string;
  level: RiskLevel;
  message: string;
  saferAlternative?: string;
}

/** Findings, and the code the variables hold (to be judged as shell scripts). */
export interface AssignmentVerdict {
  findings: AssignmentFinding[];
  scripts: string[];
}

/** Variables whose value is a command line that programs run, and the programs such a value normally names. */
const COMMAND_VARIABLES: Record<string, RegExp | undefined> = {
  PAGER: /^(less|more|most|cat|bat|batcat|moar|w3m|lv|pg|vim|nvim|view)$/,
  MANPAGER: /^(less|more|most|cat|bat|batcat|moar|vim|nvim|col|sh)$/,
  GIT_PAGER: /^(less|more|cat|bat|delta|diff-so-fancy|diff-highlight)$/,
  SYSTEMD_PAGER: /^(less|more|cat)$/,
  BAT_PAGER: /^(less|more|cat)$/,
  EDITOR: /^(vi|vim|nvim|nano|pico|emacs|emacsclient|code|subl|micro|hx|ed|joe|mcedit|gedit|kate|mate)$/,
  VISUAL: /^(vi|vim|nvim|nano|pico|emacs|emacsclient|code|subl|micro|hx|gedit|kate|mate)$/,
  SUDO_EDITOR: /^(vi|vim|nvim|nano|emacs|micro|code)$/,
  GIT_EDITOR: /^(vi|vim|nvim|nano|emacs|code|subl|micro|true|cat)$/,
  GIT_SEQUENCE_EDITOR: /^(vi|vim|nvim|nano|emacs|code|true|cat|sed)$/,
  FCEDIT: /^(vi|vim|nvim|nano|emacs)$/,
  BROWSER: /^(firefox|chromium|google-chrome|chrome|brave|xdg-open|open|w3m|lynx|elinks|links)$/,
  GIT_SSH_COMMAND: /^(ssh|autossh)$/,
  GIT_SSH: /^(ssh|plink|autossh)$/,
  RSYNC_RSH: /^(ssh|rsh)$/,
  CVS_RSH: /^(ssh|rsh)$/,
  GIT_EXTERNAL_DIFF: /^(difft|difftastic|delta|meld|vimdiff|kdiff3|diff)$/,
  GIT_ASKPASS: /^(ssh-askpass|ksshaskpass|git-gui--askpass|x11-ssh-askpass)$/,
  SSH_ASKPASS: /^(ssh-askpass|ksshaskpass|x11-ssh-askpass|gnome-ssh-askpass)$/,
  SUDO_ASKPASS: /^(ssh-askpass|ksshaskpass|x11-ssh-askpass)$/,
  GIT_PROXY_COMMAND: undefined,
  LESSOPEN: /^(lesspipe|lesspipe\.sh|lessfile|src-hilite-lesspipe\.sh|pygmentize|highlight)$/,
  LESSCLOSE: /^(lesspipe|lesspipe\.sh|lessfile)$/,
  PROMPT_COMMAND: undefined,
};

/** Variables naming a file or options that make a shell or interpreter load code. */
const LOADER_VARIABLES =
  /^(BASH_ENV|ENV|ZDOTDIR|PYTHONSTARTUP|PYTHONINSPECT|PERL5DB|LD_PRELOAD|LD_AUDIT|DYLD_INSERT_LIBRARIES|GCONV_PATH|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS)$/;
const OPTION_VARIABLES: Record<string, RegExp> = {
  NODE_OPTIONS: /(^|\s)(--require|-r|--import|--loader|--experimental-loader|--eval|-e)\b/,
  PERL5OPT: /(^|\s)-[a-zA-Z]*[MmdeE]/,
  RUBYOPT: /(^|\s)-[a-zA-Z]*r/,
};
const LIBRARY_PATHS = /^(LD_LIBRARY_PATH|DYLD_LIBRARY_PATH|DYLD_FRAMEWORK_PATH)$/;

/** Judges the assignments in effect for a command or for the rest of a script. */
export function judgeAssignments(assignments: readonly Assignment[]): AssignmentVerdict {
  const verdict: AssignmentVerdict = { findings: [], scripts: [] };
  for (const { name, value, dynamic } of assignments) {
    const hashed = /^BASH_CMDS\[(.+)\]$/.exec(name);
    if (hashed)
      verdict.findings.push({
        rule: "code-injection-variable",
        level: "high",
        message: `Sets ${name}=${value}: the shell then runs ${value} whenever ${hashed[1] ?? "that command"} is typed.`,
      });
    else if (/^BASH_ALIASES\[.+\]$/.test(name)) verdict.scripts.push(value);
    else if (Object.hasOwn(COMMAND_VARIABLES, name)) judgeCommandVariable(name, value, dynamic, verdict);
    else if (LOADER_VARIABLES.test(name) && value !== "")
      verdict.findings.push({
        rule: "code-injection-variable",
        level: "high",
        message: `Sets ${name}=${value}, which makes programs load and run that code first.`,
        saferAlternative: "run the program without the variable, or read the file it loads first",
      });
    else if (Object.hasOwn(OPTION_VARIABLES, name) && OPTION_VARIABLES[name]?.test(value) === true)
      verdict.findings.push({
        rule: "code-injection-variable",
        level: "high",
        message: `Sets ${name}=${value}, which makes every ${name === "NODE_OPTIONS" ? "Node.js" : name === "PERL5OPT" ? "Perl" : "Ruby"} program load extra code.`,
      });
    else if (LIBRARY_PATHS.test(name) && /(^|:)(\/tmp|\/var\/tmp|\/dev\/shm)/.test(value))
      verdict.findings.push({
        rule: "code-injection-variable",
        level: "high",
        message: `Sets ${name} to a temporary folder, so programs load libraries anyone could have put there.`,
      });
    else if (name === "PATH") judgePath(value, verdict);
    else if (
      (name === "HISTFILE" && (value === "" || value === "/dev/null")) ||
      (/^(HISTSIZE|HISTFILESIZE|SAVEHIST)$/.test(name) && value === "0")
    )
      verdict.findings.push({
        rule: "history-evasion",
        level: "high",
        message: `Sets ${name}=${value || '""'}: the shell stops recording commands, hiding what is done.`,
      });
    else if (/^(PS[0-9]|PROMPT|RPROMPT|RPS1)$/.test(name) && /\$\(|`/.test(value))
      verdict.scripts.push(value);
    else if (
      name === "TAR_OPTIONS" &&
      /--(checkpoint-action|to-command|use-compress-program|rsh-command|info-script)/.test(value)
    )
      verdict.findings.push({
        rule: "code-injection-variable",
        level: "high",
        message: `Sets TAR_OPTIONS=${value}, which makes every tar run a command.`,
      });
    else if (name === "GIT_CONFIG_PARAMETERS" || /^GIT_CONFIG_VALUE_\d+$/.test(name))
      verdict.findings.push({
        rule: "code-injection-variable",
        level: /sshcommand|pager|fsmonitor|editor|hookspath|!|sh\b/i.test(value) ? "high" : "moderate",
        message: `Sets ${name}, which changes git's configuration for the command (${value}).`,
      });
  }
  return verdict;
}

function judgeCommandVariable(
  name: string,
  value: string,
  dynamic: boolean,
  verdict: AssignmentVerdict,
): void {
  const commandLine = name.startsWith("LESS") ? value.replace(/^\|+/, "").replace(/\s*%s\s*$/, "") : value;
  if (commandLine.trim() === "") return;
  if (dynamic) {
    verdict.findings.push({
      rule: "code-injection-variable",
      level: "high",
      message: `Sets ${name} to a command computed at run time (${value}), which programs will run.`,
    });
    return;
  }
  verdict.scripts.push(commandLine);
  const usual = COMMAND_VARIABLES[name];
  const first = commandName(commandLine.trim().split(/\s+/)[0] ?? "");
  if (name === "PROMPT_COMMAND" || (usual?.test(first) === true && !/[;&|`$()<>]/.test(commandLine))) return;
  verdict.findings.push({
    rule: "code-injection-variable",
    level: "high",
    message: `Sets ${name}='${value}': programs that use it (${name.includes("SSH") || name.includes("RSH") ? "ssh connections" : name.includes("PAGER") || name.startsWith("LESS") ? "pagers" : name.includes("EDIT") ? "editors" : "helpers"}) would run that command instead.`,
    saferAlternative: "run the command you mean directly",
  });
}

/** A PATH that puts the current folder, a relative folder or a temporary folder before the system's. */
function judgePath(value: string, verdict: AssignmentVerdict): void {
  const entries = value.split(":");
  const systemAt = entries.findIndex((entry) =>
    /^\$\{?PATH\}?$|^\/(usr\/)?s?bin$|^\/usr\/local\/s?bin$/.test(entry),
  );
  const before = systemAt === -1 ? entries.slice(0, -1) : entries.slice(0, systemAt);
  const risky = before.find(
    (entry) => entry === "" || !/^[/$~]/.test(entry) || /^(\/tmp|\/var\/tmp|\/dev\/shm)(\/|$)/.test(entry),
  );
  if (risky === undefined) return;
  verdict.findings.push({
    rule: "path-hijack",
    level: "high",
    message: `Puts ${risky === "" ? "the current folder (an empty entry)" : risky} before the system folders in PATH, so a file there named like a common command (ls, sudo) runs instead.`,
    saferAlternative: "append the folder to the end of PATH, or call the program by its full path",
  });
}

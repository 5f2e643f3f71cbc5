/**
 * Which shell the user is in. Order: the parent process when it is a known shell (the shell that actually
 * ran cmdai), then `$SHELL`, then `PSModulePath` on Windows, then the platform default. `--shell` / config
 * override all of this before it is called.
 */
import type * as ChildProcess from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { ShellName } from "../shells.js";

const SHELL_ALIASES: Record<string, ShellName> = {
  bash: "bash",
  zsh: "zsh",
  fish: "fish",
  sh: "sh",
  dash: "sh",
  ash: "sh",
  ksh: "sh",
  mksh: "sh",
  pwsh: "powershell",
  powershell: "powershell",
  cmd: "cmd",
};

/** Map a program name or path (`/usr/bin/zsh`, `-bash`, `pwsh.exe`) to a supported shell. */
export function shellFromProgramName(program: string | undefined): ShellName | undefined {
  if (program === undefined || program.trim() === "") return undefined;
  const base = path
    .basename(program.trim().replace(/\\/g, "/"))
    .replace(/^-/, "")
    .replace(/\.exe$/i, "")
    .toLowerCase();
  return SHELL_ALIASES[base];
}

export interface ShellDetectionInput {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Name of the parent process, when known. */
  parentProcessName?: string | undefined;
  /**
   * Names of the parent's ancestors, nearest first (grandparent onwards), read only when the parent is npm's
   * wrapper: the user's shell sits above `sh -c` and npm itself.
   */
  ancestorProcessNames?: (() => readonly string[]) | undefined;
}

/** Decide the shell from the inputs (pure). */
export function detectShell(input: ShellDetectionInput): ShellName {
  const fromParent = shellFromProgramName(input.parentProcessName);
  // Under npx / npm exec the parent is npm's own `sh -c` wrapper, not the user's shell: $SHELL is the better
  // guess there (npm sets npm_config_user_agent and npm_execpath for the programs it runs).
  const npmWrapper =
    fromParent === "sh" &&
    (input.env.npm_config_user_agent !== undefined || input.env.npm_execpath !== undefined);
  if (fromParent !== undefined && !npmWrapper) return fromParent;
  if (npmWrapper) {
    // sh (npm's wrapper) → npm → the shell the user typed `npx cmdai` in; npm's own processes are not shells.
    for (const name of input.ancestorProcessNames?.() ?? []) {
      const shell = shellFromProgramName(name);
      if (shell !== undefined) return shell;
    }
  }
  const fromEnvironment = shellFromProgramName(input.env.SHELL);
  if (fromEnvironment !== undefined) return fromEnvironment;
  if (input.platform === "win32") {
    // PowerShell adds its user module folders; plain cmd.exe sessions only have the system entry or none.
    const modulePaths = (input.env.PSModulePath ?? "").split(";").filter((entry) => entry !== "");
    return modulePaths.length >= 3 ? "powershell" : "cmd";
  }
  return input.platform === "darwin" ? "zsh" : "bash";
}

/** How far up {@link readAncestorProcessNames} looks: npm's wrapper, npm, and a level of slack. */
const ANCESTOR_DEPTH = 4;

/**
 * Best-effort names of the parent's ancestors, grandparent first (Linux only: /proc; elsewhere none, and
 * `$SHELL` decides).
 */
export function readAncestorProcessNames(
  platform: NodeJS.Platform = process.platform,
  parentPid = process.ppid,
): string[] {
  if (platform !== "linux") return [];
  const names: string[] = [];
  let pid = parentPid;
  try {
    for (let depth = 0; depth < ANCESTOR_DEPTH; depth++) {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so split at the last ")".
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!Number.isInteger(ppid) || ppid <= 1) break;
      pid = ppid;
      names.push(fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim());
    }
  } catch {
    // A process that ended meanwhile, or no /proc: what was read so far is all there is.
  }
  return names;
}

/** Best-effort name of this process's parent (cheap: /proc on Linux, one `ps` call on macOS). */
export function readParentProcessName(
  platform: NodeJS.Platform = process.platform,
  parentPid = process.ppid,
): string | undefined {
  try {
    if (platform === "linux") return fs.readFileSync(`/proc/${parentPid}/comm`, "utf8").trim();
    if (platform === "darwin" || platform === "freebsd" || platform === "openbsd") {
      // Required here rather than imported at the top: child_process pulls in net and streams (~8 ms of every
      // start-up), and only these platforms need it.
      const { execFileSync } = createRequire(import.meta.url)("node:child_process") as typeof ChildProcess;
      return execFileSync("ps", ["-o", "comm=", "-p", String(parentPid)], {
        encoding: "utf8",
        timeout: 1000,
      }).trim();
    }
  } catch {
    // Not knowing the parent is fine: $SHELL and the platform default follow.
  }
  return undefined;
}

/**
 * The machine context the model is told about: OS and version, arch, shell and version, cwd, GNU vs BSD
 * userland and which helpful tools are installed. Every probe is cheap (file reads, PATH lookups); the one
 * process spawn (`<shell> --version`) is bounded by a short timeout, skipped when it fails, and remembered
 * per shell program file: it blocks the request's start (~5 ms for bash here, ~0.5 s for PowerShell).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "../backends/backend.js";
import { fileIdentitySync, replaceFileSync } from "../cache-files.js";
import type { ShellName } from "../shells.js";

/** Tools worth telling the model about when present. */
export const INTERESTING_TOOLS = [
  "fd",
  "fdfind",
  "rg",
  "jq",
  "yq",
  "fzf",
  "bat",
  "eza",
  "tree",
  "git",
  "docker",
  "podman",
  "kubectl",
  "gh",
  "curl",
  "wget",
  "rsync",
  "python3",
  "node",
  "gawk",
  "gsed",
  "ncdu",
  "pv",
  "7z",
  "zip",
  "unzip",
  "brew",
  "apt",
  "dnf",
  "pacman",
] as const;

/** Look a program up on PATH without spawning anything. */
export function findOnPath(
  program: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): string | undefined {
  const separator = platform === "win32" ? ";" : ":";
  const extensions = platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const directory of (env.PATH ?? env.Path ?? "").split(separator)) {
    if (directory === "") continue;
    for (const extension of extensions) {
      const candidate = path.join(directory, program + extension);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

function linuxOsVersion(): string | undefined {
  try {
    const text = fs.readFileSync("/etc/os-release", "utf8");
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1];
    return pretty === undefined || pretty === "" ? undefined : pretty;
  } catch {
    return undefined;
  }
}

/** Human OS name and version. */
export function describeOperatingSystem(platform: NodeJS.Platform): string {
  if (platform === "linux") return linuxOsVersion() ?? `Linux ${os.release()}`;
  if (platform === "darwin") {
    const darwinMajor = Number(os.release().split(".")[0]);
    // Darwin 20 = macOS 11, and each major since is one macOS major.
    return Number.isFinite(darwinMajor) && darwinMajor >= 20
      ? `macOS ${darwinMajor - 9}`
      : `macOS (Darwin ${os.release()})`;
  }
  if (platform === "win32") return `Windows ${os.release()}`;
  return `${os.type()} ${os.release()}`;
}

/** GNU vs BSD vs BusyBox userland: their flags differ. */
export function detectUserland(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): ExecutionContext["userland"] {
  if (platform === "win32") return "windows";
  if (platform === "darwin" || platform === "freebsd" || platform === "openbsd" || platform === "netbsd")
    return "bsd";
  const ls = findOnPath("ls", env, platform);
  if (ls !== undefined) {
    try {
      if (path.basename(fs.realpathSync(ls)) === "busybox") return "busybox";
    } catch {
      // fall through
    }
    return "gnu";
  }
  return "unknown";
}

const SHELL_PROGRAMS: Record<ShellName, string> = {
  bash: "bash",
  zsh: "zsh",
  fish: "fish",
  sh: "sh",
  powershell: "pwsh",
  cmd: "cmd",
};

/** File name of the remembered shell versions in the cache folder. */
export const SHELL_VERSIONS_FILE = "shell-versions.json";

type RememberedVersions = Record<string, { identity: string; version: string }>;

function readRemembered(file: string): RememberedVersions {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as RememberedVersions)
      : {};
  } catch {
    return {};
  }
}

function remember(file: string, entries: RememberedVersions): void {
  try {
    replaceFileSync(file, JSON.stringify(entries));
  } catch {
    // A read-only cache: the next request asks the shell again.
  }
}

/**
 * `bash --version` → `5.2.15`, within 1 s, or undefined. With `cacheDirectory`, a version read before from
 * the same program file (path, size, times, inode) is answered without running it; a failed read is not
 * remembered.
 */
export function readShellVersion(
  shell: ShellName,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  cacheDirectory?: string,
): string | undefined {
  if (shell === "sh" || shell === "cmd") return undefined;
  const program = findOnPath(SHELL_PROGRAMS[shell], env, platform);
  if (program === undefined) return undefined;
  if (cacheDirectory === undefined) return askShellVersion(shell, program);
  const file = path.join(cacheDirectory, SHELL_VERSIONS_FILE);
  // A shell upgraded in place changes its size, times or inode.
  const identity = fileIdentitySync(program);
  const remembered = readRemembered(file);
  const known = remembered[program];
  if (identity !== undefined && known?.identity === identity && typeof known.version === "string") {
    return known.version;
  }
  const version = askShellVersion(shell, program);
  if (version !== undefined && identity !== undefined) {
    remember(file, { ...remembered, [program]: { identity, version } });
  }
  return version;
}

function askShellVersion(shell: ShellName, program: string): string | undefined {
  try {
    const args =
      shell === "powershell"
        ? ["-NoProfile", "-Command", "$PSVersionTable.PSVersion.ToString()"]
        : ["--version"];
    const output = execFileSync(program, args, {
      encoding: "utf8",
      timeout: 1000,
      stdio: ["ignore", "pipe", "ignore"],
    });
    return /(\d+\.\d+(?:\.\d+)?)/.exec(output)?.[1];
  } catch {
    return undefined;
  }
}

export interface GatherContextOptions {
  shell: ShellName;
  cwd: string;
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform | undefined;
  /** cmdai's cache folder, where shell versions are remembered; without it the shell is asked each time. */
  cacheDirectory?: string | undefined;
}

/** Gather the execution context for a generation request. */
export function gatherContext(options: GatherContextOptions): ExecutionContext {
  const platform = options.platform ?? process.platform;
  const tools = INTERESTING_TOOLS.filter((tool) => findOnPath(tool, options.env, platform) !== undefined);
  return {
    platform,
    osVersion: describeOperatingSystem(platform),
    arch: os.arch(),
    shell: options.shell,
    shellVersion: readShellVersion(options.shell, options.env, platform, options.cacheDirectory),
    cwd: options.cwd,
    userland: detectUserland(platform, options.env),
    tools: [...tools],
  };
}

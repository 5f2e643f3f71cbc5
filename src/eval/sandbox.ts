/**
 * Runs untrusted commands (what a model generated) in bubblewrap: a private writable copy of the prompt's
 * setup as `/`, the system's `/usr` and `/etc` read-only, a private `/tmp`, no network (a new network
 * namespace has only its own loopback), new PID/IPC/UTS namespaces, no capabilities, no nested user
 * namespaces, and limits on time, output, processes, file size and memory. Where that cannot be had, opening
 * the sandbox fails with a {@link SandboxUnavailableError}; nothing ever runs unsandboxed.
 *
 * When cmdai runs as root, bubblewrap is started as `nobody`: the kernel does not apply the process limit to
 * root's processes (its RLIMIT_NPROC exemption covers user namespaces owned by root), so a fork bomb would
 * only be stopped by the clock.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findOnPath } from "../core/gather-context.js";
import { SandboxUnavailableError } from "../errors.js";

/** Limits of one run. */
export interface SandboxLimits {
  /** Wall-clock limit; the whole sandbox is killed after it. Default 10 s. */
  timeMs: number;
  /** Standard output kept; the run is killed once it writes more. Default 1 MiB. */
  outputBytes: number;
  /** Processes (and threads) the sandbox's user may have at once. Default 64. */
  processes: number;
  /** Largest file a command may write, in KiB. Default 64 MiB. */
  fileSizeKiB: number;
  /** Address space per process, in KiB. Default 2 GiB. */
  memoryKiB: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  timeMs: 10_000,
  outputBytes: 1024 * 1024,
  processes: 64,
  fileSizeKiB: 64 * 1024,
  memoryKiB: 2 * 1024 * 1024,
};

/** What one command did. */
export interface SandboxResult {
  stdout: string;
  /** The command's exit status; undefined when it was killed (time or output limit). */
  exitCode: number | undefined;
  timedOut: boolean;
  outputTruncated: boolean;
  /** The first few KiB of standard error, for the record (never compared). */
  stderr: string;
  durationMs: number;
}

const NOBODY = 65_534;
const STDERR_KEPT = 4096;
const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Top-level system entries bound read-only (folders) or recreated (the /bin → usr/bin links). */
const SYSTEM_ENTRIES = ["usr", "etc", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "opt"];
/** Mount points the sandbox makes itself: not part of a command's result. */
const PRIVATE_MOUNTS = ["dev", "proc", "tmp", "root", "run"];

/** Options for {@link openSandbox}; tests point `bwrap` at a missing file to see the refusal. */
export interface SandboxOptions {
  limits?: Partial<SandboxLimits> | undefined;
  /** bubblewrap's path. Default: `bwrap` on PATH. */
  bwrap?: string | undefined;
  platform?: NodeJS.Platform | undefined;
}

export interface Sandbox {
  readonly limits: SandboxLimits;
  /** Names at the top of a run's root that are mounts, not results (leave them out of snapshots). */
  readonly mountNames: ReadonlySet<string>;
  /** Run `command` with bash in `root` (a folder that becomes the sandbox's `/`, owned as {@link prepareRoot}). */
  run(
    command: string,
    root: string,
    options?: { cwd?: string; signal?: AbortSignal },
  ): Promise<SandboxResult>;
  /** Make a freshly copied root writable by the sandbox's user. */
  prepareRoot(root: string, chown: (root: string, uid: number, gid: number) => Promise<void>): Promise<void>;
}

function systemArguments(): string[] {
  const args: string[] = [];
  for (const name of SYSTEM_ENTRIES) {
    const host = `/${name}`;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(host);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push("--symlink", fs.readlinkSync(host), host);
    else if (stat.isDirectory()) args.push("--ro-bind", host, host);
  }
  return args;
}

function bubblewrapArguments(root: string, cwd: string, limits: SandboxLimits, command: string): string[] {
  // The limits are set inside, by the shell that then becomes the command: a failing ulimit stops the run.
  const launcher =
    `ulimit -u ${limits.processes} -f ${limits.fileSizeKiB} -v ${limits.memoryKiB} -c 0 || exit 125; ` +
    'exec /bin/bash -c "$1"';
  return [
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    "--uid",
    "0",
    "--gid",
    "0",
    "--cap-drop",
    "ALL",
    "--hostname",
    "cmdai-eval",
    "--die-with-parent",
    "--new-session",
    "--bind",
    root,
    "/",
    ...systemArguments(),
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--tmpfs",
    "/tmp",
    "--tmpfs",
    "/root",
    "--tmpfs",
    "/run",
    "--chdir",
    cwd,
    "--clearenv",
    "--setenv",
    "PATH",
    SANDBOX_PATH,
    "--setenv",
    "HOME",
    "/root",
    "--setenv",
    "USER",
    "root",
    "--setenv",
    "LANG",
    "C.UTF-8",
    "--setenv",
    "TERM",
    "dumb",
    "--",
    "/bin/bash",
    "-c",
    launcher,
    "cmdai-eval",
    command,
  ];
}

/** Start bubblewrap as `nobody` when we are root (see the module comment); as ourselves otherwise. */
function runAs(): { uid: number; gid: number } | undefined {
  return process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : undefined;
}

function explainProbeFailure(stderr: string): SandboxUnavailableError {
  const userNamespaces = /namespace|uid map|Operation not permitted|Permission denied/i.test(stderr);
  return new SandboxUnavailableError(
    `bubblewrap cannot create its sandbox here: ${stderr.trim().split("\n")[0] ?? "no reason given"}.`,
    {
      hint: userNamespaces
        ? "Enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0; on Ubuntu 24.04 kernel.apparmor_restrict_unprivileged_userns=0), or run where they are allowed."
        : "Check `bwrap --unshare-all --ro-bind / / true` on this machine; cmdai eval needs a working bubblewrap.",
    },
  );
}

/** Check that bubblewrap exists and works here; rejects with a SandboxUnavailableError saying why not. */
export function openSandbox(options: SandboxOptions = {}): Sandbox {
  const platform = options.platform ?? process.platform;
  if (platform !== "linux") {
    throw new SandboxUnavailableError(
      `cmdai eval runs generated commands only inside bubblewrap, which needs Linux (this is ${platform}).`,
      { hint: "Run cmdai eval on Linux (a VM or a Linux container with user namespaces is enough)." },
    );
  }
  const bwrap = options.bwrap ?? findOnPath("bwrap", process.env, platform);
  if (bwrap === undefined || !fs.existsSync(bwrap)) {
    throw new SandboxUnavailableError("cmdai eval needs bubblewrap (bwrap), which is not installed.", {
      hint: "Install it: apt-get install bubblewrap (Debian/Ubuntu), dnf install bubblewrap, pacman -S bubblewrap.",
    });
  }
  const limits = { ...DEFAULT_SANDBOX_LIMITS, ...options.limits };
  const mountNames = new Set([...SYSTEM_ENTRIES, ...PRIVATE_MOUNTS]);
  const owner = runAs();
  const probeRoot = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-eval-probe-"));
  try {
    fs.chmodSync(probeRoot, 0o755);
    if (owner !== undefined) fs.chownSync(probeRoot, owner.uid, owner.gid);
    const probe = spawnSync(bwrap, bubblewrapArguments(probeRoot, "/", limits, "exit 0"), {
      encoding: "utf8",
      timeout: 10_000,
      stdio: ["ignore", "pipe", "pipe"],
      ...owner,
    });
    if (probe.error !== undefined) throw explainProbeFailure(probe.error.message);
    if (probe.status !== 0) throw explainProbeFailure(probe.stderr || `exit status ${String(probe.status)}`);
  } finally {
    fs.rmSync(probeRoot, { recursive: true, force: true });
  }
  return {
    limits,
    mountNames,
    prepareRoot: async (root, chown) => {
      fs.chmodSync(root, 0o755);
      if (owner !== undefined) await chown(root, owner.uid, owner.gid);
    },
    run: (command, root, runOptions = {}) =>
      runContained(bwrap, bubblewrapArguments(root, runOptions.cwd ?? "/", limits, command), {
        limits,
        owner,
        signal: runOptions.signal,
      }),
  };
}

function runContained(
  bwrap: string,
  args: string[],
  options: {
    limits: SandboxLimits;
    owner: { uid: number; gid: number } | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<SandboxResult> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bwrap, args, { stdio: ["ignore", "pipe", "pipe"], ...options.owner });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = "";
    let timedOut = false;
    let outputTruncated = false;
    // Killing bubblewrap kills the sandbox: its init has PR_SET_PDEATHSIG (--die-with-parent), and every
    // process in a PID namespace dies with that namespace's init.
    const kill = (): void => {
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.limits.timeMs);
    const onAbort = (): void => kill();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (chunk: Buffer) => {
      const room = options.limits.outputBytes - stdoutBytes;
      if (chunk.length > room) {
        stdout.push(chunk.subarray(0, Math.max(room, 0)));
        stdoutBytes = options.limits.outputBytes;
        outputTruncated = true;
        kill();
        return;
      }
      stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < STDERR_KEPT) stderr += chunk.toString("utf8").slice(0, STDERR_KEPT - stderr.length);
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      const killed = timedOut || outputTruncated || code === null;
      resolve({
        stdout: Buffer.concat(stdout).toString("utf8"),
        exitCode: killed ? undefined : code,
        timedOut,
        outputTruncated,
        stderr,
        durationMs: performance.now() - startedAt,
      });
    });
  });
}

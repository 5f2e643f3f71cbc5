/**
 * Runs a command in the target shell with inherited stdio (interactive programs work), the current working
 * directory, and signals forwarded; resolves with the command's exit code (128 + signal number when killed).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CmdaiError, ExitCode } from "../errors.js";
import type { ShellName } from "../shells.js";

/** Program and arguments that run `command` in `shell`. */
export function shellInvocation(
  shell: ShellName,
  command: string,
  options: { platform?: NodeJS.Platform; powershellProgram?: string } = {},
): { program: string; args: string[]; windowsVerbatimArguments: boolean } {
  const platform = options.platform ?? process.platform;
  switch (shell) {
    case "bash":
    case "zsh":
    case "fish":
    case "sh":
      return { program: shell, args: ["-c", command], windowsVerbatimArguments: false };
    case "powershell":
      return {
        program: options.powershellProgram ?? (platform === "win32" ? "powershell.exe" : "pwsh"),
        args: ["-NoProfile", "-Command", command],
        windowsVerbatimArguments: false,
      };
    case "cmd":
      // cmd parses its own command line: pass it verbatim, wrapped in quotes as `/s` expects.
      return { program: "cmd.exe", args: ["/d", "/s", "/c", `"${command}"`], windowsVerbatimArguments: true };
  }
}

export interface RunInShellOptions {
  shell: ShellName;
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Program to use for PowerShell (`pwsh` or `powershell`), when known. */
  powershellProgram?: string | undefined;
  /**
   * Send the command's stdout to cmdai's stderr, so stdout keeps exactly one JSON/YAML document when a
   * machine-readable output format was chosen.
   */
  stdoutToStderr?: boolean | undefined;
}

const FORWARDED_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];

/** Run the command and resolve with its exit code. */
export function runInShell(options: RunInShellOptions): Promise<number> {
  const invocation = shellInvocation(
    options.shell,
    options.command,
    options.powershellProgram === undefined ? {} : { powershellProgram: options.powershellProgram },
  );
  return new Promise<number>((resolve, reject) => {
    const child = spawn(invocation.program, invocation.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: options.stdoutToStderr === true ? ["inherit", process.stderr, "inherit"] : "inherit",
      windowsVerbatimArguments: invocation.windowsVerbatimArguments,
    });
    // The terminal delivers Ctrl-C to the whole foreground group; forwarding covers `kill <cmdai pid>`, and
    // listening keeps cmdai alive until the child has exited so its exit code can be returned.
    const forward = (signal: NodeJS.Signals): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const cleanup = (): void => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    };
    child.once("error", (error: NodeJS.ErrnoException) => {
      cleanup();
      reject(
        new CmdaiError(
          "execution_failed",
          ExitCode.internal,
          `Cannot start ${invocation.program}: ${error.message}`,
          {
            hint:
              error.code === "ENOENT"
                ? `Install ${invocation.program}, or choose another shell with --shell.`
                : "Check that the shell can be run.",
            cause: error,
          },
        ),
      );
    });
    child.once("exit", (code, signal) => {
      cleanup();
      if (code !== null) resolve(code);
      else if (signal !== null) resolve(128 + ((os.constants.signals[signal] as number | undefined) ?? 1));
      else resolve(1);
    });
  });
}

/**
 * The PowerShell program to run commands with: `pwsh` (PowerShell 7) when it is on the PATH, else Windows
 * PowerShell (`powershell.exe`) on Windows, else `pwsh` (so the error names what to install).
 */
export function findPowerShellProgram(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  const directories = (env.PATH ?? env.Path ?? "").split(platform === "win32" ? ";" : ":");
  const names = platform === "win32" ? ["pwsh.exe"] : ["pwsh"];
  for (const directory of directories) {
    if (directory === "") continue;
    for (const name of names) {
      try {
        if (fs.statSync(path.join(directory, name)).isFile()) return "pwsh";
      } catch {
        // not in this folder
      }
    }
  }
  return platform === "win32" ? "powershell.exe" : "pwsh";
}

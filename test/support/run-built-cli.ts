/**
 * Spawns the built CLI (`dist/cli/main.js`) the way a user would, with a controlled environment: every
 * XDG folder in a fresh temporary directory, no colour, and no inherited backend variables.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const builtCli = path.join(repositoryRoot, "dist", "cli", "main.js");

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temporary home with XDG config/cache/state folders. */
export function makeTemporaryHome(): {
  root: string;
  env: NodeJS.ProcessEnv;
  configFile: string;
  cleanup: () => void;
} {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-e2e-"));
  const env: NodeJS.ProcessEnv = {
    HOME: root,
    XDG_CONFIG_HOME: path.join(root, "config"),
    XDG_CACHE_HOME: path.join(root, "cache"),
    XDG_STATE_HOME: path.join(root, "state"),
    XDG_DATA_HOME: path.join(root, "data"),
  };
  return {
    root,
    env,
    configFile: path.join(root, "config", "cmdai", "config.toml"),
    cleanup: () => {
      // Retried: a shell's background job (fish writing its generated completions) can still be adding files.
      fs.rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

const PASSED_THROUGH = ["PATH", "SystemRoot", "TEMP", "TMP", "TMPDIR", "LANG"];

/** Run the built CLI; resolves when it exits. */
export function runBuiltCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; cwd?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { NO_COLOR: "1" };
  for (const name of PASSED_THROUGH) if (process.env[name] !== undefined) env[name] = process.env[name];
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtCli, ...args], {
      env,
      cwd: options.cwd ?? repositoryRoot,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

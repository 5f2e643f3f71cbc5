import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hookTargetProblem, launcherHookCommand, launcherOf, launcherScript } from "./hook-launcher.js";

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-launcher-"));
});
afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

/** A stand-in for cmdai's main.js that prints its arguments and exits with `code`. */
function fakeCmdai(code: number): string {
  const script = path.join(home, "main.js");
  fs.writeFileSync(script, `console.log(process.argv.slice(2).join(" ")); process.exit(${code});\n`);
  return script;
}

function writeLauncher(nodePath: string, scriptPath: string): string {
  const file = path.join(home, "guard-hook.sh");
  fs.writeFileSync(file, launcherScript({ nodePath, scriptPath, version: "0.0.0-test" }));
  return file;
}

/** Run the hook command as an agent would: through a shell, with a bare PATH. */
function runHook(command: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync("/bin/sh", ["-c", command], {
    env: { HOME: home, PATH: "/nonexistent", ...env },
    encoding: "utf8",
  });
}

describe.skipIf(process.platform === "win32")("the guard hook launcher", () => {
  it("runs cmdai with the recorded node, passing the arguments and the exit code", () => {
    const launcher = writeLauncher(process.execPath, fakeCmdai(0));
    const result = runHook(launcherHookCommand("claude-code", launcher));
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("check --hook claude-code\n");
  });

  it("survives a node that moved (an nvm switch): it finds the newest nvm version", () => {
    const nvmNode = path.join(home, ".nvm", "versions", "node", "v99.0.0", "bin");
    fs.mkdirSync(nvmNode, { recursive: true });
    fs.symlinkSync(process.execPath, path.join(nvmNode, "node"));
    const launcher = writeLauncher("/nonexistent/node-v18/bin/node", fakeCmdai(0));
    const result = runHook(launcherHookCommand("claude-code", launcher));
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(runHook(`/bin/sh ${launcher} --locate`).stdout).toContain(`node: ${path.join(nvmNode, "node")}`);
  });

  it("blocks (exit 2, never 1 or 127) when node, cmdai or the launcher itself is gone, or cmdai fails", () => {
    // No node anywhere it looks (a bare PATH, a recorded node that is gone, an empty HOME): unless the
    // machine has one in a standard place, which the next case covers either way.
    const noNode = writeLauncher("/nonexistent/node", fakeCmdai(0));
    const result = runHook(launcherHookCommand("claude-code", noNode));
    expect([0, 2]).toContain(result.status);
    if (result.status === 2) expect(result.stderr).toMatch(/node was not found/);
    const noScript = writeLauncher(process.execPath, "/nonexistent/main.js");
    const missing = runHook(launcherHookCommand("claude-code", noScript));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cmdai was not found/);
    const crashing = writeLauncher(process.execPath, fakeCmdai(1));
    const crashed = runHook(launcherHookCommand("claude-code", crashing));
    expect(crashed.status).toBe(2);
    expect(crashed.stderr).toMatch(/cmdai exited with 1; blocking the tool call \(exit 2\)/);
    const gone = runHook(launcherHookCommand("claude-code", path.join(home, "gone.sh")));
    expect(gone.status).toBe(2);
  });

  it("names what is gone, for guard status", () => {
    const launcher = writeLauncher(process.execPath, "/nonexistent/main.js");
    const command = launcherHookCommand("gemini-cli", launcher);
    expect(launcherOf(command)).toBe(launcher);
    expect(hookTargetProblem(command, { HOME: home })).toBe(
      "cmdai was not found (not at /nonexistent/main.js, not on PATH)",
    );
    fs.rmSync(launcher);
    expect(hookTargetProblem(command, { HOME: home })).toBe(`its launcher ${launcher} no longer exists`);
    expect(hookTargetProblem("/gone/node /gone/main.js check --hook claude-code", {})).toBe(
      "/gone/node no longer exists",
    );
    expect(
      hookTargetProblem(`${process.execPath} ${fakeCmdai(0)} check --hook claude-code`, {}),
    ).toBeUndefined();
    expect(hookTargetProblem("cmdai check --hook claude-code", {})).toBeUndefined();
  });

  it("quotes a launcher path with spaces and quotes, and reads it back", () => {
    const command = launcherHookCommand("claude-code", "/Users/o'neil/My State/guard-hook.sh");
    expect(command).toBe(
      "/bin/sh '/Users/o'\\''neil/My State/guard-hook.sh' check --hook claude-code || exit 2",
    );
    expect(launcherOf(command)).toBe("/Users/o'neil/My State/guard-hook.sh");
  });
});

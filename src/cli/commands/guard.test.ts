import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../errors.js";
import type { CliIo } from "../io.js";
import { guardHookCommand, runGuardCommand, type GuardCommandOptions } from "./guard.js";

let home: string;
let project: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-guard-home-"));
  project = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-guard-project-"));
});
afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(project, { recursive: true, force: true });
});

function captureIo(): { io: CliIo; stdout: () => string } {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  return {
    io: { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: project },
    stdout: () => out,
  };
}

const HOOK = "node main.js check --hook gemini-cli";

function run(action: string, agent: string | undefined, options: GuardCommandOptions = {}) {
  const { io, stdout } = captureIo();
  return runGuardCommand(action, agent, { homedir: home, hookCommand: HOOK, ...options }, io).then(
    (code) => ({
      code,
      stdout: stdout(),
    }),
  );
}

describe("guardHookCommand", () => {
  it("quotes paths for the shell each agent runs hooks in", () => {
    expect(
      guardHookCommand("claude-code", {
        nodePath: "/usr/bin/node",
        scriptPath: "/opt/cmdai/main.js",
        platform: "linux",
      }),
    ).toBe("/usr/bin/node /opt/cmdai/main.js check --hook claude-code");
    expect(
      guardHookCommand("claude-code", {
        nodePath: "/Apps/My Node/node",
        scriptPath: "/it's/main.js",
        platform: "darwin",
      }),
    ).toBe("'/Apps/My Node/node' '/it'\\''s/main.js' check --hook claude-code");
    const windows = {
      nodePath: "C:\\Program Files\\nodejs\\node.exe",
      scriptPath: "C:\\cmdai\\main.js",
      platform: "win32" as const,
    };
    expect(guardHookCommand("claude-code", windows)).toBe(
      '"C:\\Program Files\\nodejs\\node.exe" "C:\\cmdai\\main.js" check --hook claude-code',
    );
    expect(guardHookCommand("gemini-cli", windows)).toBe(
      '& "C:\\Program Files\\nodejs\\node.exe" "C:\\cmdai\\main.js" check --hook gemini-cli',
    );
  });
});

describe("cmdai guard", () => {
  it("installs into the project's Gemini CLI settings, reports status, and uninstalls", async () => {
    const file = path.join(project, ".gemini", "settings.json");
    expect((await run("install", "gemini-cli", { project: true })).stdout).toMatch(/Added cmdai's guard/);
    expect(fs.readFileSync(file, "utf8")).toContain(HOOK);
    expect((await run("install", "gemini-cli", { project: true })).stdout).toMatch(
      /already in .*nothing changed/,
    );
    const status = JSON.parse((await run("status", undefined, { json: true })).stdout) as {
      hooks: { agent: string; scope: string; state: string }[];
    };
    expect(status.hooks.map((row) => `${row.agent}/${row.scope}/${row.state}`)).toEqual([
      "claude-code/user/no-file",
      "claude-code/project/no-file",
      "gemini-cli/user/no-file",
      "gemini-cli/project/installed",
    ]);
    expect((await run("uninstall", "gemini-cli", { project: true })).stdout).toMatch(
      /which cmdai had created/,
    );
    expect(fs.existsSync(file)).toBe(false);
  });

  it("shows per agent and scope where the guard is, in text", async () => {
    await run("install", "claude-code", { hookCommand: "node main.js check --hook claude-code" });
    const text = (
      await run("status", "claude-code", { hookCommand: "other/main.js check --hook claude-code" })
    ).stdout;
    expect(text).toMatch(
      /Claude Code\s+user\s+installed, but runs another cmdai: node main.js check --hook claude-code/,
    );
    expect(text).toMatch(/Claude Code\s+project\s+not installed \(no settings file\)/);
  });

  it.skipIf(process.platform === "win32")(
    "installs a launcher that survives a moved node, and reports a hook whose target is gone as broken",
    async () => {
      const { io, stdout } = captureIo();
      await runGuardCommand("install", "claude-code", { homedir: home }, io);
      const launcher = path.join(home, ".local", "state", "cmdai", "guard-hook.sh");
      expect(fs.readFileSync(launcher, "utf8")).toContain(`installed_node=${process.execPath}`);
      const settings = fs.readFileSync(path.join(home, ".claude", "settings.json"), "utf8");
      expect(settings).toContain(`/bin/sh ${launcher} check --hook claude-code || exit 2`);
      expect(stdout()).toMatch(/Added cmdai's guard/);
      // Run from sources, the recorded main.js does not exist: point the launcher at a stand-in that does.
      const script = path.join(home, "main.js");
      fs.writeFileSync(script, "");
      fs.writeFileSync(
        launcher,
        fs.readFileSync(launcher, "utf8").replace(/^installed_script=.*$/m, `installed_script=${script}`),
      );
      const healthy = await run("status", "claude-code", { hookCommand: undefined });
      expect(healthy.stdout).toMatch(/Claude Code\s+user\s+installed\s/);
      fs.rmSync(launcher);
      const broken = await run("status", "claude-code", { hookCommand: undefined });
      expect(broken.stdout).toContain(
        `broken: its launcher ${launcher} no longer exists (fix: cmdai guard install claude-code)`,
      );
    },
  );

  it("reports an older hook that pins a node that is gone as broken", async () => {
    await run("install", "claude-code", {
      hookCommand: "/nonexistent/node-v18/bin/node /opt/cmdai/main.js check --hook claude-code",
    });
    const status = JSON.parse((await run("status", "claude-code", { json: true })).stdout) as {
      hooks: { scope: string; state: string; problem?: string }[];
    };
    expect(status.hooks[0]).toMatchObject({
      scope: "user",
      state: "broken",
      problem: "/nonexistent/node-v18/bin/node no longer exists",
    });
  });

  it("rejects unknown actions and agents, and both scopes at once", async () => {
    await expect(run("install", "cursor")).rejects.toThrow(UsageError);
    await expect(run("install", undefined)).rejects.toThrow(/needs an agent/);
    await expect(run("enable", "claude-code")).rejects.toThrow(/Unknown guard action/);
    await expect(run("install", "claude-code", { user: true, project: true })).rejects.toThrow(
      /one of --project and --user/,
    );
  });
});

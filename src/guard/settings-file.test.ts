import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import {
  agentSettingsPath,
  backupPathOf,
  guardHookStatus,
  installGuardHook,
  uninstallGuardHook,
} from "./settings-file.js";

const COMMAND = "/usr/bin/node /opt/cmdai/dist/cli/main.js check --hook claude-code";

/** A user's settings in their own formatting: four-space indent, no trailing newline, an existing hook. */
const EXISTING = `{
    "model": "opus",
    "hooks": {
        "PreToolUse": [
            { "matcher": "Write", "hooks": [ { "type": "command", "command": "./lint.sh" } ] }
        ]
    }
}`;

let folder: string;
let file: string;
beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-guard-settings-"));
  file = path.join(folder, ".claude", "settings.json");
});
afterEach(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

function writeSettings(text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe("agentSettingsPath", () => {
  it("names each agent's user and project settings files", () => {
    const where = { homedir: "/home/u", projectDir: "/work/p" };
    expect(agentSettingsPath("claude-code", "user", where)).toBe(
      path.join("/home/u", ".claude", "settings.json"),
    );
    expect(agentSettingsPath("claude-code", "project", where)).toBe(
      path.join("/work/p", ".claude", "settings.json"),
    );
    expect(agentSettingsPath("gemini-cli", "user", where)).toBe(
      path.join("/home/u", ".gemini", "settings.json"),
    );
    expect(agentSettingsPath("gemini-cli", "project", where)).toBe(
      path.join("/work/p", ".gemini", "settings.json"),
    );
  });
});

describe("installGuardHook and uninstallGuardHook", () => {
  it("adds once with a backup, changes nothing the second time, and uninstall restores the exact bytes", () => {
    writeSettings(EXISTING);
    const first = installGuardHook({ file, agent: "claude-code", command: COMMAND });
    expect(first).toEqual({ file, outcome: "added", backup: backupPathOf(file) });
    expect(fs.readFileSync(backupPathOf(file), "utf8")).toBe(EXISTING);
    const installed = fs.readFileSync(file, "utf8");
    expect(installed).toContain('\n    "model": "opus"');
    const parsed = JSON.parse(installed) as { hooks: { PreToolUse: { matcher: string }[] } };
    expect(parsed.hooks.PreToolUse.map((group) => group.matcher)).toEqual([
      "Write",
      "Bash|Write|Edit|MultiEdit",
    ]);

    expect(installGuardHook({ file, agent: "claude-code", command: COMMAND })).toEqual({
      file,
      outcome: "unchanged",
    });
    expect(fs.readFileSync(file, "utf8")).toBe(installed);

    expect(uninstallGuardHook({ file, agent: "claude-code" })).toEqual({ file, outcome: "restored" });
    expect(fs.readFileSync(file, "utf8")).toBe(EXISTING);
    expect(fs.existsSync(backupPathOf(file))).toBe(false);
    expect(uninstallGuardHook({ file, agent: "claude-code" })).toEqual({ file, outcome: "not-installed" });
  });

  it("creates a missing file, and uninstall deletes it again", () => {
    expect(installGuardHook({ file, agent: "claude-code", command: COMMAND })).toEqual({
      file,
      outcome: "added",
      backup: undefined,
    });
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({
      hooks: {
        PreToolUse: [
          {
            matcher: "Bash|Write|Edit|MultiEdit",
            hooks: [{ type: "command", command: COMMAND, timeout: 30 }],
          },
        ],
      },
    });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(uninstallGuardHook({ file, agent: "claude-code" })).toEqual({ file, outcome: "deleted" });
    expect(fs.existsSync(file)).toBe(false);
  });

  it("keeps changes made since install: removes only the guard and leaves the backup", () => {
    writeSettings(EXISTING);
    installGuardHook({ file, agent: "claude-code", command: COMMAND });
    const edited = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    edited.theme = "dark";
    fs.writeFileSync(file, JSON.stringify(edited, null, 4));
    expect(uninstallGuardHook({ file, agent: "claude-code" })).toEqual({
      file,
      outcome: "removed",
      backup: backupPathOf(file),
    });
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({
      ...(JSON.parse(EXISTING) as object),
      theme: "dark",
    });
  });

  it("refuses a settings file that is not valid JSON and leaves it untouched", () => {
    const broken = '{ "hooks": { // a comment\n } }';
    writeSettings(broken);
    let error: unknown;
    try {
      installGuardHook({ file, agent: "claude-code", command: COMMAND });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    expect((error as ConfigError).message).toMatch(/is not valid JSON .*left it untouched/);
    expect((error as ConfigError).hint).toContain("check --hook claude-code");
    expect(fs.readFileSync(file, "utf8")).toBe(broken);
    expect(fs.existsSync(backupPathOf(file))).toBe(false);
    expect(() => uninstallGuardHook({ file, agent: "claude-code" })).toThrow(ConfigError);
  });

  it("refuses settings whose hooks have an unexpected type", () => {
    writeSettings('{ "hooks": [] }');
    expect(() => installGuardHook({ file, agent: "claude-code", command: COMMAND })).toThrow(
      /"hooks" is not an object/,
    );
    expect(fs.readFileSync(file, "utf8")).toBe('{ "hooks": [] }');
  });

  it("writes through a symlinked settings file to its target", () => {
    const target = path.join(folder, "dotfiles", "claude-settings.json");
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, "{}\n");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.symlinkSync(target, file);
    installGuardHook({ file, agent: "claude-code", command: COMMAND });
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, "utf8")).toContain("check --hook claude-code");
    expect(uninstallGuardHook({ file, agent: "claude-code" }).outcome).toBe("restored");
    expect(fs.readFileSync(target, "utf8")).toBe("{}\n");
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(true);
  });
});

describe("guardHookStatus", () => {
  it("tells installed, installed elsewhere, not installed, no file and unreadable apart", () => {
    expect(guardHookStatus({ file, agent: "claude-code", command: COMMAND }).state).toBe("no-file");
    writeSettings(EXISTING);
    expect(guardHookStatus({ file, agent: "claude-code", command: COMMAND }).state).toBe("not-installed");
    installGuardHook({ file, agent: "claude-code", command: COMMAND });
    expect(guardHookStatus({ file, agent: "claude-code", command: COMMAND })).toEqual({
      file,
      state: "installed",
      commands: [COMMAND],
    });
    expect(
      guardHookStatus({ file, agent: "claude-code", command: "cmdai check --hook claude-code" }).state,
    ).toBe("installed-elsewhere");
    expect(guardHookStatus({ file, agent: "gemini-cli", command: COMMAND }).state).toBe("not-installed");
    fs.writeFileSync(file, "{");
    const unreadable = guardHookStatus({ file, agent: "claude-code", command: COMMAND });
    expect(unreadable.state).toBe("unreadable");
    expect(unreadable.problem).toMatch(/not valid JSON/);
  });
});

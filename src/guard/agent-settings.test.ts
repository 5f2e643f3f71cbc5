import { describe, expect, it } from "vitest";
import {
  addGuardHook,
  findGuardHookCommands,
  isGuardHookCommand,
  removeGuardHook,
  SettingsShapeError,
} from "./agent-settings.js";

const COMMAND = "/usr/bin/node /opt/cmdai/dist/cli/main.js check --hook claude-code";

/** Settings a user already has: another PreToolUse hook, a PostToolUse hook, and unrelated keys. */
function existingClaudeSettings(): Record<string, unknown> {
  return {
    model: "opus",
    permissions: { allow: ["Bash(npm test)"] },
    hooks: {
      PreToolUse: [{ matcher: "Write|Edit", hooks: [{ type: "command", command: "./lint.sh" }] }],
      PostToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "./log.sh" }] }],
    },
  };
}

/** The guard sharing a `Bash` group with one of the user's own hooks. */
function sharedGroupSettings(): Record<string, unknown> {
  return {
    hooks: {
      PreToolUse: [
        {
          matcher: "Bash",
          hooks: [
            { type: "command", command: "./audit.sh" },
            { type: "command", command: COMMAND },
          ],
        },
      ],
    },
  };
}

describe("addGuardHook", () => {
  it("appends its own matcher group and keeps everything else", () => {
    const before = existingClaudeSettings();
    const { settings, outcome } = addGuardHook(before, "claude-code", COMMAND);
    expect(outcome).toBe("added");
    expect(settings).toEqual({
      ...existingClaudeSettings(),
      hooks: {
        PreToolUse: [
          { matcher: "Write|Edit", hooks: [{ type: "command", command: "./lint.sh" }] },
          {
            matcher: "Bash|Write|Edit|MultiEdit",
            hooks: [{ type: "command", command: COMMAND, timeout: 30 }],
          },
        ],
        PostToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "./log.sh" }] }],
      },
    });
    expect(before).toEqual(existingClaudeSettings());
  });

  it("is idempotent, and updates a guard that runs another cmdai in place", () => {
    const once = addGuardHook({}, "claude-code", COMMAND).settings;
    const twice = addGuardHook(once, "claude-code", COMMAND);
    expect(twice.outcome).toBe("unchanged");
    expect(twice.settings).toEqual(once);
    const moved = addGuardHook(once, "claude-code", "cmdai check --hook claude-code");
    expect(moved.outcome).toBe("updated");
    expect(findGuardHookCommands(moved.settings, "claude-code")).toEqual(["cmdai check --hook claude-code"]);
  });

  it("widens an older install's matcher to the file-writing tools, keeping groups shared with other hooks", () => {
    const older = {
      hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: COMMAND }] }] },
    };
    const widened = addGuardHook(older, "claude-code", COMMAND);
    expect(widened.outcome).toBe("updated");
    expect(widened.settings).toEqual({
      hooks: {
        PreToolUse: [
          { matcher: "Bash|Write|Edit|MultiEdit", hooks: [{ type: "command", command: COMMAND }] },
        ],
      },
    });
    const shared = sharedGroupSettings();
    expect(addGuardHook(shared, "claude-code", COMMAND).settings).toEqual({
      hooks: {
        PreToolUse: [
          { matcher: "Bash", hooks: [{ type: "command", command: "./audit.sh" }] },
          { matcher: "Bash|Write|Edit|MultiEdit", hooks: [{ type: "command", command: COMMAND }] },
        ],
      },
    });
  });

  it("drops duplicate guard hooks when updating, keeping the first", () => {
    const settings = {
      hooks: {
        PreToolUse: [
          { matcher: "Bash", hooks: [{ type: "command", command: "old check --hook claude-code" }] },
          { matcher: "Bash", hooks: [{ type: "command", command: "older check --hook claude-code" }] },
        ],
      },
    };
    const { settings: next, outcome } = addGuardHook(settings, "claude-code", COMMAND);
    expect(outcome).toBe("updated");
    expect(next).toEqual({
      hooks: {
        PreToolUse: [
          { matcher: "Bash|Write|Edit|MultiEdit", hooks: [{ type: "command", command: COMMAND }] },
        ],
      },
    });
  });

  it("writes Gemini CLI's shape: BeforeTool, run_shell_command, a name and a timeout in milliseconds", () => {
    const command = "node main.js check --hook gemini-cli";
    const { settings } = addGuardHook({ hooks: { enabled: true } }, "gemini-cli", command);
    expect(settings).toEqual({
      hooks: {
        enabled: true,
        BeforeTool: [
          {
            matcher: "run_shell_command|write_file|replace",
            hooks: [
              {
                name: "cmdai-guard",
                type: "command",
                command,
                timeout: 30000,
                description: expect.any(String) as unknown,
              },
            ],
          },
        ],
      },
    });
  });

  it.each([
    [[], /top level/],
    [{ hooks: [] }, /"hooks" is not an object/],
    [{ hooks: { PreToolUse: {} } }, /"hooks.PreToolUse" is not a list/],
  ])("refuses settings of an unexpected shape %j", (settings, message) => {
    expect(() => addGuardHook(settings, "claude-code", COMMAND)).toThrow(SettingsShapeError);
    expect(() => addGuardHook(settings, "claude-code", COMMAND)).toThrow(message);
  });
});

describe("removeGuardHook", () => {
  it("removes exactly what add put in", () => {
    const added = addGuardHook(existingClaudeSettings(), "claude-code", COMMAND).settings;
    const { settings, removed } = removeGuardHook(added, "claude-code");
    expect(removed).toBe(1);
    expect(settings).toEqual(existingClaudeSettings());
  });

  it("drops the containers it emptied, and leaves a shared group's other hooks", () => {
    expect(
      removeGuardHook(addGuardHook({}, "claude-code", COMMAND).settings, "claude-code").settings,
    ).toEqual({});
    const shared = sharedGroupSettings();
    expect(removeGuardHook(shared, "claude-code").settings).toEqual({
      hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "./audit.sh" }] }] },
    });
  });

  it("leaves settings without the guard alone, and the other agent's guard too", () => {
    const settings = existingClaudeSettings();
    expect(removeGuardHook(settings, "claude-code")).toEqual({ settings, removed: 0 });
    const gemini = addGuardHook({}, "gemini-cli", "cmdai check --hook gemini-cli").settings;
    expect(removeGuardHook(gemini, "claude-code").removed).toBe(0);
  });
});

describe("isGuardHookCommand", () => {
  it("recognises the guard wherever cmdai lives, and nothing else", () => {
    expect(isGuardHookCommand("claude-code", COMMAND)).toBe(true);
    expect(isGuardHookCommand("claude-code", "'/a b/node' '/c d/main.js' check --hook=claude-code")).toBe(
      true,
    );
    expect(isGuardHookCommand("claude-code", "cmdai check --hook gemini-cli")).toBe(false);
    expect(isGuardHookCommand("claude-code", "cmdai check --hook claude-codes")).toBe(false);
    expect(isGuardHookCommand("claude-code", "./lint.sh")).toBe(false);
    expect(isGuardHookCommand("claude-code", 42)).toBe(false);
  });
});

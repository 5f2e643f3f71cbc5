import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { createSafetyEngine, type SafetyEngine } from "../safety/safety-engine.js";
import { checkHookPayload, type GuardCheckOptions } from "./guard-check.js";
import type { HookFormat } from "./hook-protocols.js";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test/fixtures/hooks");
const fixture = (name: string): string => fs.readFileSync(path.join(fixtures, name), "utf8");

let engine: SafetyEngine;
beforeAll(async () => {
  engine = await createSafetyEngine({}, { deferParser: true });
});

function options(format: HookFormat, overrides: Partial<GuardCheckOptions> = {}): GuardCheckOptions {
  return {
    format,
    engine: () => Promise.resolve(engine),
    mode: "moderate",
    policy: {},
    platform: "linux",
    defaultShell: "bash",
    home: "/home/user",
    now: new Date("2026-03-01T10:30:00.000Z"),
    ...overrides,
  };
}

interface ClaudeAnswer {
  hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string };
}

describe("checkHookPayload with Claude Code payloads", () => {
  it("denies rm -rf ~ with a reason and a safer way, and audits it", async () => {
    const result = await checkHookPayload(fixture("claude-code/bash-rm-home.json"), options("claude-code"));
    const answer = JSON.parse(result.reply.stdout) as ClaudeAnswer;
    expect(result.reply.exitCode).toBe(0);
    expect(answer.hookSpecificOutput.permissionDecision).toBe("deny");
    expect(answer.hookSpecificOutput.permissionDecisionReason).toMatch(/home directory/);
    expect(answer.hookSpecificOutput.permissionDecisionReason).toMatch(
      /Safer: delete only the specific folder/,
    );
    expect(result.audit).toEqual({
      time: "2026-03-01T10:30:00.000Z",
      request: "Remove temporary files",
      command: "rm -rf ~",
      shell: "bash",
      level: "critical",
      decision: "block",
      exitCode: 3,
      source: "agent:claude-code",
      cwd: "/home/user/project",
      sessionId: "abc123",
    });
  });

  it("allows ls -la without an audit line", async () => {
    const result = await checkHookPayload(fixture("claude-code/bash-ls.json"), options("claude-code"));
    expect((JSON.parse(result.reply.stdout) as ClaudeAnswer).hookSpecificOutput.permissionDecision).toBe(
      "allow",
    );
    expect(result.audit).toBeUndefined();
    expect(result.message).toBeUndefined();
  });

  it("asks about git reset --hard and audits the question", async () => {
    const result = await checkHookPayload(
      fixture("claude-code/bash-git-reset-hard.json"),
      options("claude-code"),
    );
    const answer = JSON.parse(result.reply.stdout) as ClaudeAnswer;
    expect(answer.hookSpecificOutput.permissionDecision).toBe("ask");
    expect(answer.hookSpecificOutput.permissionDecisionReason).toMatch(/git stash/);
    expect(result.audit).toMatchObject({ decision: "confirm", exitCode: 4, level: "high" });
  });

  it("follows the mode and the guard table", async () => {
    const text = fixture("claude-code/bash-git-reset-hard.json");
    const strict = await checkHookPayload(text, options("claude-code", { mode: "strict" }));
    expect(strict.reply.stdout).toContain('"permissionDecision":"deny"');
    const relaxed = await checkHookPayload(text, options("claude-code", { policy: { high: "allow" } }));
    expect(relaxed.reply.stdout).toContain('"permissionDecision":"allow"');
    expect(relaxed.audit).toBeUndefined();
  });

  it("gives no decision for a moderate command, so Claude Code's own prompt and rules apply", async () => {
    const payload = JSON.stringify({
      hook_event_name: "PreToolUse",
      tool_name: "Bash",
      tool_input: { command: "rm -r build" },
    });
    const result = await checkHookPayload(payload, options("claude-code"));
    expect(result.reply).toEqual({
      stdout: '{"hookSpecificOutput":{"hookEventName":"PreToolUse"}}\n',
      exitCode: 0,
    });
    expect(result.audit).toBeUndefined();
    const gemini = await checkHookPayload(
      JSON.stringify({ tool_name: "run_shell_command", tool_input: { command: "rm -r build" } }),
      options("gemini-cli"),
    );
    expect(gemini.reply).toEqual({ stdout: "{}\n", exitCode: 0 });
    const generic = await checkHookPayload('{"command":"rm -r build"}', options("json"));
    expect(generic.reply.exitCode).toBe(0);
    expect(JSON.parse(generic.reply.stdout)).toMatchObject({ decision: "defer", level: "moderate" });
  });

  it("passes ordinary file writes and other tools through without judging (or creating the engine)", async () => {
    let created = false;
    const result = await checkHookPayload(
      fixture("claude-code/write-file.json"),
      options("claude-code", {
        engine: () => {
          created = true;
          return Promise.resolve(engine);
        },
      }),
    );
    expect(result).toEqual({ reply: { stdout: "", exitCode: 0 } });
    expect(created).toBe(false);
  });

  it("asks, and explains on stderr, when the input is malformed", async () => {
    for (const text of ["", "{", fixture("claude-code/bash-without-command.json")]) {
      const result = await checkHookPayload(text, options("claude-code"));
      expect((JSON.parse(result.reply.stdout) as ClaudeAnswer).hookSpecificOutput.permissionDecision).toBe(
        "ask",
      );
      expect(result.message).toMatch(/^cmdai: guard: .+; answering "ask" \(fail closed\)\.$/);
      expect(result.audit).toBeUndefined();
    }
  });

  it("asks about a command it cannot parse, even when the guard table allows its level", async () => {
    const payload = JSON.stringify({ tool_name: "Bash", tool_input: { command: "echo $(( 1 + " } });
    const result = await checkHookPayload(payload, options("claude-code", { policy: { moderate: "allow" } }));
    expect((JSON.parse(result.reply.stdout) as ClaudeAnswer).hookSpecificOutput.permissionDecision).toBe(
      "ask",
    );
  });
});

describe("checkHookPayload with an agent's file writes", () => {
  const write = (tool: string, file: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ tool_name: tool, cwd: "/home/user/project", tool_input: { file_path: file, ...extra } });

  it.each([
    ["Write", "/home/user/.bashrc", "ask", /shell startup file/],
    ["Edit", "/home/user/.zshrc", "ask", /shell startup file/],
    ["MultiEdit", "/home/user/.profile", "ask", /shell startup file/],
    ["Write", "/home/user/.config/fish/config.fish", "ask", /fish/],
    ["Write", "/home/user/.ssh/authorized_keys", "ask", /login key/],
    ["Write", "/home/user/.aws/credentials", "ask", /credentials/],
    ["Write", "/home/user/project/.git/hooks/pre-commit", "ask", /git hook/],
    ["Write", "/etc/hosts", "ask", /system file/],
    ["Write", "/etc/sudoers", "deny", /root rights/],
    ["Write", "/var/spool/cron/crontabs/user", "ask", /crontab/],
    ["Write", "/home/user/.config/systemd/user/miner.service", "ask", /systemd/],
    ["Write", "/home/user/Library/LaunchAgents/com.evil.plist", "ask", /launchd/],
  ])("Claude Code's %s of %s → %s", async (tool, file, decision, why) => {
    const result = await checkHookPayload(write(tool, file), options("claude-code"));
    const answer = JSON.parse(result.reply.stdout) as ClaudeAnswer;
    expect(answer.hookSpecificOutput.permissionDecision).toBe(decision);
    expect(answer.hookSpecificOutput.permissionDecisionReason).toMatch(why);
    expect(result.audit).toMatchObject({ command: `${tool} ${file}`, source: "agent:claude-code" });
  });

  it("passes other writes through undecided", async () => {
    for (const file of ["/home/user/project/src/app.ts", "/home/user/project/README.md", "/tmp/notes.txt"]) {
      const result = await checkHookPayload(write("Write", file), options("claude-code"));
      expect(result).toEqual({ reply: { stdout: "", exitCode: 0 } });
    }
  });

  it("judges Gemini CLI's write_file and replace, relative paths against the project folder", async () => {
    const result = await checkHookPayload(
      JSON.stringify({
        tool_name: "write_file",
        cwd: "/home/user",
        tool_input: { file_path: ".bashrc", content: "x" },
      }),
      options("gemini-cli"),
    );
    expect(JSON.parse(result.reply.stdout)).toMatchObject({ decision: "ask" });
    const replace = await checkHookPayload(
      JSON.stringify({
        tool_name: "replace",
        tool_input: { file_path: "~/.zshrc", old_string: "a", new_string: "b" },
      }),
      options("gemini-cli"),
    );
    expect(JSON.parse(replace.reply.stdout)).toMatchObject({ decision: "ask" });
    const ordinary = await checkHookPayload(
      JSON.stringify({ tool_name: "write_file", tool_input: { file_path: "/home/user/project/a.txt" } }),
      options("gemini-cli"),
    );
    expect(ordinary.reply).toEqual({ stdout: "{}\n", exitCode: 0 });
  });

  it("judges where a symlink leads, and asks when a write names no file", async () => {
    const viaLink = await checkHookPayload(
      write("Write", "/home/user/project/innocent.txt"),
      options("claude-code", { realPath: () => "/home/user/.bashrc" }),
    );
    expect((JSON.parse(viaLink.reply.stdout) as ClaudeAnswer).hookSpecificOutput.permissionDecision).toBe(
      "ask",
    );
    const nameless = await checkHookPayload(
      JSON.stringify({ tool_name: "Write", tool_input: { content: "x" } }),
      options("claude-code"),
    );
    expect((JSON.parse(nameless.reply.stdout) as ClaudeAnswer).hookSpecificOutput.permissionDecision).toBe(
      "ask",
    );
  });

  it("follows [guard] for writes too", async () => {
    const result = await checkHookPayload(
      write("Write", "/home/user/.bashrc"),
      options("claude-code", { policy: { high: "deny" } }),
    );
    expect((JSON.parse(result.reply.stdout) as ClaudeAnswer).hookSpecificOutput.permissionDecision).toBe(
      "deny",
    );
  });
});

describe("checkHookPayload with Gemini CLI and generic payloads", () => {
  it("denies, asks and allows in Gemini CLI's protocol", async () => {
    const deny = await checkHookPayload(fixture("gemini-cli/shell-rm-home.json"), options("gemini-cli"));
    const denied = JSON.parse(deny.reply.stdout) as { decision: string; reason: string };
    expect(denied.decision).toBe("deny");
    expect(denied.reason).toMatch(/home/);
    expect(deny.audit?.source).toBe("agent:gemini-cli");
    const ask = await checkHookPayload(
      fixture("gemini-cli/shell-git-push-force.json"),
      options("gemini-cli"),
    );
    const asked = JSON.parse(ask.reply.stdout) as { decision: string; systemMessage: string };
    expect(asked.decision).toBe("ask");
    expect(asked.systemMessage).toMatch(/force-with-lease/);
    const allow = await checkHookPayload(fixture("gemini-cli/shell-ls.json"), options("gemini-cli"));
    expect(JSON.parse(allow.reply.stdout)).toEqual({ decision: "allow" });
    const other = await checkHookPayload(fixture("gemini-cli/read-file.json"), options("gemini-cli"));
    expect(other.reply).toEqual({ stdout: "{}\n", exitCode: 0 });
  });

  it("answers the generic form with level, reasons and alternative", async () => {
    const result = await checkHookPayload('{"command":"rm -rf /","cwd":"/srv"}', options("json"));
    expect(result.reply.exitCode).toBe(3);
    const answer = JSON.parse(result.reply.stdout) as {
      decision: string;
      level: string;
      reasons: { rule: string }[];
      alternative: string;
    };
    expect(answer).toMatchObject({ decision: "deny", level: "critical" });
    expect(answer.reasons.map((reason) => reason.rule)).toContain("rm-recursive-root");
    expect(answer.alternative).toMatch(/specific folder/);
    expect(result.audit).toMatchObject({ source: "agent:json", cwd: "/srv", request: "" });
    const malformed = await checkHookPayload('{"cmd":"ls"}', options("json"));
    expect(malformed.reply.exitCode).toBe(4);
    expect(JSON.parse(malformed.reply.stdout)).toMatchObject({ decision: "ask" });
  });

  it("judges a PowerShell command by PowerShell rules", async () => {
    const payload = JSON.stringify({ command: "Remove-Item -Recurse -Force C:\\", shell: "powershell" });
    const result = await checkHookPayload(payload, options("json"));
    expect(JSON.parse(result.reply.stdout)).toMatchObject({ decision: "deny", level: "critical" });
  });
});

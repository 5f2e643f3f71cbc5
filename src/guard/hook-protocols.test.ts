import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseHookPayload, passThroughReply, renderHookReply, type HookAnswer } from "./hook-protocols.js";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test/fixtures/hooks");
const fixture = (name: string): string => fs.readFileSync(path.join(fixtures, name), "utf8");
const linux = { platform: "linux" as const, defaultShell: "zsh" as const };

describe("parseHookPayload", () => {
  it("reads Claude Code's Bash call", () => {
    expect(parseHookPayload("claude-code", fixture("claude-code/bash-rm-home.json"), linux)).toEqual({
      kind: "command",
      command: "rm -rf ~",
      shell: "bash",
      cwd: "/home/user/project",
      description: "Remove temporary files",
      sessionId: "abc123",
    });
  });

  it("reads Gemini CLI's run_shell_command call, in PowerShell on Windows", () => {
    const text = fixture("gemini-cli/shell-rm-home.json");
    expect(parseHookPayload("gemini-cli", text, linux)).toMatchObject({
      kind: "command",
      command: "rm -rf ~",
      shell: "bash",
      cwd: "/home/user/project",
    });
    expect(parseHookPayload("gemini-cli", text, { ...linux, platform: "win32" })).toMatchObject({
      shell: "powershell",
    });
  });

  it("reads a file write's path (judged by write-target.ts)", () => {
    expect(parseHookPayload("claude-code", fixture("claude-code/write-file.json"), linux)).toEqual({
      kind: "write",
      path: "/home/user/project/notes.txt",
      tool: "Write",
      cwd: "/home/user/project",
      sessionId: "abc123",
    });
  });

  it("passes other tools and other events through", () => {
    expect(parseHookPayload("claude-code", fixture("claude-code/post-tool-use.json"), linux).kind).toBe(
      "pass-through",
    );
    expect(parseHookPayload("gemini-cli", fixture("gemini-cli/read-file.json"), linux).kind).toBe(
      "pass-through",
    );
    // Each agent's payload read as the other's: the tool names differ, so nothing is judged by mistake.
    expect(parseHookPayload("gemini-cli", fixture("claude-code/bash-ls.json"), linux).kind).toBe(
      "pass-through",
    );
  });

  it.each([
    ["", /empty/],
    ["   \n", /empty/],
    ["not json", /not JSON/],
    ["[1, 2]", /not a JSON object/],
    ['"rm -rf ~"', /not a JSON object/],
    ['{"hook_event_name":"PreToolUse","tool_input":{"command":"ls"}}', /no tool_name/],
    ['{"tool_name":"Bash"}', /no tool_input/],
    ['{"tool_name":"Bash","tool_input":{"command":"   "}}', /no command/],
    ['{"tool_name":"Bash","tool_input":{"command":42}}', /no command/],
  ])("fails closed on malformed Claude Code input %j", (text, problem) => {
    const request = parseHookPayload("claude-code", text, linux);
    expect(request.kind).toBe("malformed");
    expect(request.kind === "malformed" ? request.problem : "").toMatch(problem);
  });

  it("reports a Bash call without a command as malformed", () => {
    expect(parseHookPayload("claude-code", fixture("claude-code/bash-without-command.json"), linux)).toEqual({
      kind: "malformed",
      problem: "the Bash call has no command in tool_input.command",
    });
  });

  it("reads the generic form, with the default shell and a named one", () => {
    expect(parseHookPayload("json", '{"command":"ls","cwd":"/tmp"}', linux)).toEqual({
      kind: "command",
      command: "ls",
      shell: "zsh",
      cwd: "/tmp",
    });
    expect(parseHookPayload("json", '\uFEFF{"command":"dir","shell":"cmd"}', linux)).toMatchObject({
      shell: "cmd",
    });
    expect(parseHookPayload("json", '{"command":"ls","shell":"tcsh"}', linux).kind).toBe("malformed");
    expect(parseHookPayload("json", '{"cmd":"ls"}', linux).kind).toBe("malformed");
  });
});

describe("renderHookReply", () => {
  const deny: HookAnswer = {
    decision: "deny",
    reason: "cmdai blocked this.",
    level: "critical",
    reasons: [{ rule: "r", message: "m", saferAlternative: "s" }],
    alternative: "s",
  };

  it("answers Claude Code with hookSpecificOutput on exit 0", () => {
    const reply = renderHookReply("claude-code", deny);
    expect(reply.exitCode).toBe(0);
    expect(JSON.parse(reply.stdout)).toEqual({
      hookSpecificOutput: {
        hookEventName: "PreToolUse",
        permissionDecision: "deny",
        permissionDecisionReason: "cmdai blocked this.",
      },
    });
  });

  it("answers Gemini CLI with decision, reason and systemMessage on exit 0", () => {
    expect(JSON.parse(renderHookReply("gemini-cli", deny).stdout)).toEqual({
      decision: "deny",
      reason: "cmdai blocked this.",
      systemMessage: "cmdai blocked this.",
    });
    expect(JSON.parse(renderHookReply("gemini-cli", { ...deny, decision: "allow" }).stdout)).toEqual({
      decision: "allow",
    });
  });

  it("answers the generic form with the verdict and cmdai check's exit codes", () => {
    const reply = renderHookReply("json", deny);
    expect(reply.exitCode).toBe(3);
    expect(JSON.parse(reply.stdout)).toEqual({
      decision: "deny",
      level: "critical",
      reason: "cmdai blocked this.",
      reasons: deny.reasons,
      alternative: "s",
    });
    expect(renderHookReply("json", { ...deny, decision: "ask" }).exitCode).toBe(4);
    expect(renderHookReply("json", { ...deny, decision: "allow" }).exitCode).toBe(0);
  });

  it("says nothing to Claude Code and {} to Gemini CLI when passing through", () => {
    expect(passThroughReply("claude-code")).toEqual({ stdout: "", exitCode: 0 });
    expect(passThroughReply("gemini-cli")).toEqual({ stdout: "{}\n", exitCode: 0 });
  });
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { historyFilePath } from "../../config/paths.js";
import { configSchema } from "../../config/schema.js";
import { readHistory } from "../../exec/history.js";
import type { CliIo } from "../io.js";
import { readHookInput, runCheckHookCommand, type CheckHookOptions } from "./check-hook.js";

function captureIo(
  stdin: PassThrough & { isTTY?: boolean },
  env: NodeJS.ProcessEnv = {},
): {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
} {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  return { io: { stdout, stderr, stdin, env, cwd: process.cwd() }, stdout: () => out, stderr: () => err };
}

let state: string;
beforeEach(() => {
  state = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-check-hook-"));
});
afterEach(() => {
  fs.rmSync(state, { recursive: true, force: true });
});

function options(overrides: Partial<CheckHookOptions> = {}): CheckHookOptions {
  return {
    format: "claude-code",
    config: configSchema.parse({}),
    mode: "moderate",
    paths: { env: { XDG_STATE_HOME: state }, platform: "linux", homedir: state },
    defaultShell: "bash",
    ...overrides,
  };
}

const RM_HOME = JSON.stringify({
  hook_event_name: "PreToolUse",
  tool_name: "Bash",
  tool_input: { command: "rm -rf ~", description: "Tidy up" },
  cwd: "/home/user/project",
});

describe("readHookInput", () => {
  it("reads everything up to the end of stdin", async () => {
    const stdin = new PassThrough();
    stdin.write('{"command":');
    stdin.end('"ls"}');
    expect(await readHookInput(stdin, { maximumBytes: 100, timeoutMs: 5000 })).toEqual({
      text: '{"command":"ls"}',
    });
  });

  it("refuses a terminal, an oversized payload and a stdin that never ends", async () => {
    const terminal = Object.assign(new PassThrough(), { isTTY: true });
    expect(await readHookInput(terminal, { maximumBytes: 100, timeoutMs: 5000 })).toEqual({
      problem: expect.stringMatching(/terminal/) as unknown,
    });
    const big = new PassThrough();
    big.end("x".repeat(101));
    expect(await readHookInput(big, { maximumBytes: 100, timeoutMs: 5000 })).toEqual({
      problem: "the hook input is larger than 100 bytes",
    });
    const open = new PassThrough();
    open.write("{");
    expect(await readHookInput(open, { maximumBytes: 100, timeoutMs: 50 })).toEqual({
      problem: "no end of input on stdin within 0.05 s",
    });
    expect(open.destroyed).toBe(true);
  });
});

describe("runCheckHookCommand", () => {
  it("denies rm -rf ~ and appends an agent line to the history log", async () => {
    const stdin = new PassThrough();
    stdin.end(RM_HOME);
    const { io, stdout, stderr } = captureIo(stdin);
    expect(await runCheckHookCommand(options(), io)).toBe(0);
    expect(stdout()).toContain('"permissionDecision":"deny"');
    expect(stderr()).toBe("");
    const { entries } = await readHistory(historyFilePath(options().paths));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      command: "rm -rf ~",
      request: "Tidy up",
      source: "agent:claude-code",
      decision: "block",
      exitCode: 3,
      cwd: "/home/user/project",
    });
  });

  it("logs nothing when the history is switched off", async () => {
    const stdin = new PassThrough();
    stdin.end(RM_HOME);
    const { io } = captureIo(stdin);
    const config = configSchema.parse({ history: { enabled: false } });
    await runCheckHookCommand(options({ config }), io);
    expect(fs.existsSync(historyFilePath(options().paths))).toBe(false);
  });

  it("still answers when the history log cannot be written, and says so", async () => {
    // The state folder is a file, so the log's folder cannot be created.
    const blocked = path.join(state, "not-a-folder");
    fs.writeFileSync(blocked, "");
    const stdin = new PassThrough();
    stdin.end(RM_HOME);
    const { io, stdout, stderr } = captureIo(stdin);
    const paths = { env: { XDG_STATE_HOME: blocked }, platform: "linux" as const, homedir: state };
    expect(await runCheckHookCommand(options({ paths }), io)).toBe(0);
    expect(stdout()).toContain('"permissionDecision":"deny"');
    expect(stderr()).toMatch(/could not write the history log/);
  });

  it("asks, and explains on stderr, for an oversized payload", async () => {
    const stdin = new PassThrough();
    stdin.end(" ".repeat(2048));
    const { io, stdout, stderr } = captureIo(stdin);
    expect(await runCheckHookCommand(options({ maximumBytes: 1024 }), io)).toBe(0);
    expect(stdout()).toContain('"permissionDecision":"ask"');
    expect(stderr()).toMatch(/larger than 1024 bytes; answering "ask" \(fail closed\)/);
  });

  it("asks when the safety engine cannot be built (a bad rule pattern in the config)", async () => {
    const stdin = new PassThrough();
    stdin.end(RM_HOME);
    const { io, stdout, stderr } = captureIo(stdin);
    const config = configSchema.parse({
      safety: { rules: [{ command: "rm", pattern: "([", level: "high", message: "m" }] },
    });
    expect(await runCheckHookCommand(options({ config }), io)).toBe(0);
    expect(stdout()).toContain('"permissionDecision":"ask"');
    expect(stderr()).toMatch(/the guard failed/);
  });

  it("asks for input that is not valid UTF-8, never judging a repaired copy", async () => {
    const stdin = new PassThrough();
    stdin.end(
      Buffer.concat([
        Buffer.from('{"tool_name":"Bash","tool_input":{"command":"ls '),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}}'),
      ]),
    );
    const { io, stdout, stderr } = captureIo(stdin);
    expect(await runCheckHookCommand(options(), io)).toBe(0);
    expect(stdout()).toContain('"permissionDecision":"ask"');
    expect(stderr()).toMatch(/not valid UTF-8; answering "ask" \(fail closed\)/);
  });

  it("asks (exit 0) when the hook fails inside after reading its input", async () => {
    for (const format of ["claude-code", "gemini-cli"] as const) {
      const stdin = new PassThrough();
      stdin.end(
        JSON.stringify({
          tool_name: format === "claude-code" ? "Bash" : "run_shell_command",
          tool_input: { command: "ls" },
        }),
      );
      const { io, stdout, stderr } = captureIo(stdin, { CMDAI_TEST_GUARD_FAULT: "throw" });
      expect(await runCheckHookCommand(options({ format }), io)).toBe(0);
      expect(stdout()).toMatch(/"(permissionDecision|decision)":"ask"/);
      expect(stderr()).toMatch(/the guard failed \(fault injected by CMDAI_TEST_GUARD_FAULT=throw\)/);
    }
  });
});

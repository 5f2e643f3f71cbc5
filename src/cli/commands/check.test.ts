import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../config/schema.js";
import { UsageError } from "../../errors.js";
import type { CliIo } from "../io.js";
import { runCheckCommand, type CheckCommandOptions } from "./check.js";

function captureIo(input?: string, stdinIsTty = false): { io: CliIo; stdout: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = stdinIsTty;
  let written = "";
  stdout.on("data", (chunk: Buffer) => {
    written += chunk.toString("utf8");
  });
  if (input !== undefined) stdin.end(input);
  return { io: { stdout, stderr, stdin, env: {}, cwd: process.cwd() }, stdout: () => written };
}

function options(overrides: Partial<CheckCommandOptions>): CheckCommandOptions {
  return {
    readStdinLines: false,
    shell: "bash",
    mode: "moderate",
    format: "json",
    config: configSchema.parse({}),
    color: false,
    ...overrides,
  };
}

describe("cmdai check", () => {
  it("prints safe/allow for ls -la and exits 0", async () => {
    const { io, stdout } = captureIo(undefined, true);
    const code = await runCheckCommand(options({ command: "ls -la" }), io);
    expect(code).toBe(0);
    expect(JSON.parse(stdout())).toEqual({
      command: "ls -la",
      shell: "bash",
      level: "safe",
      decision: "allow",
      reasons: [],
    });
  });

  it("prints critical/block with reasons for sudo rm -rf --no-preserve-root / and exits 3", async () => {
    const { io, stdout } = captureIo(undefined, true);
    const code = await runCheckCommand(options({ command: "sudo rm -rf --no-preserve-root /" }), io);
    expect(code).toBe(3);
    const result = JSON.parse(stdout()) as {
      level: string;
      decision: string;
      reasons: { rule: string; message: string }[];
    };
    expect(result.level).toBe("critical");
    expect(result.decision).toBe("block");
    expect(result.reasons.length).toBeGreaterThan(0);
  });

  it("exits 4 when confirmation is needed, and honours --safety", async () => {
    expect(
      await runCheckCommand(options({ command: "git reset --hard" }), captureIo(undefined, true).io),
    ).toBe(4);
    expect(
      await runCheckCommand(
        options({ command: "git reset --hard", mode: "strict" }),
        captureIo(undefined, true).io,
      ),
    ).toBe(3);
    expect(
      await runCheckCommand(
        options({ command: "git reset --hard", mode: "permissive" }),
        captureIo(undefined, true).io,
      ),
    ).toBe(0);
  });

  it("renders a plain verdict with badge, reasons and a safer alternative", async () => {
    const { io, stdout } = captureIo(undefined, true);
    await runCheckCommand(options({ command: "git push --force", format: "plain" }), io);
    expect(stdout()).toContain("[HIGH] needs confirmation");
    expect(stdout()).toContain("--force-with-lease");
    const coloured = captureIo(undefined, true);
    await runCheckCommand(options({ command: "rm -rf /", format: "plain", color: true }), coloured.io);
    expect(coloured.stdout()).toContain("\x1b[");
  });

  it("reads one command per stdin line and writes one JSON object per line, in order, exit 0", async () => {
    const lines = ["ls -la", "rm -rf /", "git push --force", "", "echo 'unterminated"];
    const { io, stdout } = captureIo(`${lines.join("\n")}\n`);
    const code = await runCheckCommand(options({ readStdinLines: true }), io);
    expect(code).toBe(0);
    const results = stdout()
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { command: string; level: string; decision: string });
    expect(results.map((result) => result.command)).toEqual(lines);
    expect(results.map((result) => result.level)).toEqual(["safe", "critical", "high", "safe", "moderate"]);
    expect(results[4]?.decision).toBe("block");
  });

  it("handles a large batch", async () => {
    const batch = Array.from({ length: 1500 }, (_, index) =>
      index % 2 === 0 ? `ls -la dir${index}` : `rm -rf /tmp/x${index}`,
    );
    const { io, stdout } = captureIo(`${batch.join("\r\n")}\r\n`);
    await runCheckCommand(options({ readStdinLines: true }), io);
    expect(stdout().trimEnd().split("\n")).toHaveLength(1500);
  });

  it("rejects an empty command with a usage error", async () => {
    await expect(runCheckCommand(options({ command: "  " }), captureIo(undefined, true).io)).rejects.toThrow(
      UsageError,
    );
  });
});

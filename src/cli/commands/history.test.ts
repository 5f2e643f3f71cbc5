import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { historyFilePath } from "../../config/paths.js";
import { UsageError } from "../../errors.js";
import { appendHistoryEntry, type HistoryEntry } from "../../exec/history.js";
import type { CliIo } from "../io.js";
import { runHistoryCommand } from "./history.js";

let root: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-history-command-"));
  env = { HOME: root, XDG_CONFIG_HOME: path.join(root, "config"), XDG_STATE_HOME: path.join(root, "state") };
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function capture(): { io: CliIo; stdout: () => string; stderr: () => string } {
  const streams = { stdout: new PassThrough(), stderr: new PassThrough() };
  const text = { stdout: "", stderr: "" };
  streams.stdout.setEncoding("utf8").on("data", (chunk: string) => (text.stdout += chunk));
  streams.stderr.setEncoding("utf8").on("data", (chunk: string) => (text.stderr += chunk));
  return {
    io: { ...streams, stdin: new PassThrough(), env, cwd: root },
    stdout: () => text.stdout,
    stderr: () => text.stderr,
  };
}

async function log(count: number): Promise<void> {
  const file = historyFilePath({ env, platform: process.platform, homedir: root });
  for (let index = 0; index < count; index += 1) {
    const entry: HistoryEntry = {
      time: `2026-11-25T20:00:0${index}.000Z`,
      request: `request ${index}`,
      command: `echo ${index}`,
      shell: "bash",
      level: index === 2 ? "high" : "safe",
      decision: index === 2 ? "confirm" : "allow",
      exitCode: index,
    };
    await appendHistoryEntry(file, entry);
  }
}

describe("cmdai history", () => {
  it("lists the last N entries with time, exit code, verdict, shell and command", async () => {
    await log(3);
    const output = capture();
    expect(await runHistoryCommand({ limit: "2" }, output.io)).toBe(0);
    const lines = output.stdout().trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^2026-11-25 20:00:01Z\s+exit 1\s+safe\/allow\s+bash\s+echo 1$/);
    expect(lines[1]).toMatch(/exit 2\s+high\/confirm\s+bash\s+echo 2$/);
  });

  it("reads old lines and agent lines side by side, marking the agent's", async () => {
    await log(1);
    const file = historyFilePath({ env, platform: process.platform, homedir: root });
    await appendHistoryEntry(file, {
      time: "2026-11-25T20:00:05.000Z",
      request: "Tidy up",
      command: "rm -rf ~",
      shell: "bash",
      level: "critical",
      decision: "block",
      exitCode: 3,
      source: "agent:claude-code",
      cwd: "/home/user/project",
    });
    const output = capture();
    expect(await runHistoryCommand({}, output.io)).toBe(0);
    const lines = output.stdout().trim().split("\n");
    expect(lines[0]).toMatch(/safe\/allow\s+bash\s+echo 0$/);
    expect(lines[1]).toMatch(/exit 3\s+critical\/block\s+bash\s+\[agent:claude-code\] rm -rf ~$/);
    const json = capture();
    await runHistoryCommand({ json: true }, json.io);
    const entries = JSON.parse(json.stdout()) as HistoryEntry[];
    expect(entries.map((entry) => entry.source)).toEqual([undefined, "agent:claude-code"]);
  });

  it("prints JSON with --json", async () => {
    await log(2);
    const output = capture();
    expect(await runHistoryCommand({ json: true }, output.io)).toBe(0);
    const entries = JSON.parse(output.stdout()) as HistoryEntry[];
    expect(entries.map((entry) => entry.request)).toEqual(["request 0", "request 1"]);
  });

  it("says so when the history is empty or switched off", async () => {
    fs.mkdirSync(path.join(root, "config", "cmdai"), { recursive: true });
    fs.writeFileSync(path.join(root, "config", "cmdai", "config.toml"), "[history]\nenabled = false\n");
    const output = capture();
    expect(await runHistoryCommand({}, output.io)).toBe(0);
    expect(output.stdout()).toBe("");
    expect(output.stderr()).toMatch(/switched off/);
    expect(output.stderr()).toMatch(/no commands/);
  });

  it.each(["0", "-3", "ten", "1.5"])("rejects -n %s", async (limit) => {
    await expect(runHistoryCommand({ limit }, capture().io)).rejects.toThrow(UsageError);
  });
});

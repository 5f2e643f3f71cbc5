import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendHistoryEntry, readHistory, type HistoryEntry } from "./history.js";

let folder: string;
beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-history-"));
});
afterEach(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

function entry(command: string, exitCode = 0): HistoryEntry {
  return {
    time: "2026-11-25T20:00:00.000Z",
    request: "do it",
    command,
    shell: "bash",
    level: "safe",
    decision: "allow",
    exitCode,
  };
}

describe("audit log", () => {
  it("creates the folder and a private file, and reads entries back in order", async () => {
    const file = path.join(folder, "state", "cmdai", "history.jsonl");
    await appendHistoryEntry(file, entry("echo one"));
    await appendHistoryEntry(file, entry("echo two", 3));
    if (process.platform !== "win32") expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const { entries, skippedLines } = await readHistory(file);
    expect(entries.map((item) => [item.command, item.exitCode])).toEqual([
      ["echo one", 0],
      ["echo two", 3],
    ]);
    expect(skippedLines).toBe(0);
  });

  it("keeps one line per entry even for commands with line breaks", async () => {
    const file = path.join(folder, "history.jsonl");
    await appendHistoryEntry(file, entry("printf 'a\\n'\necho b"));
    expect(fs.readFileSync(file, "utf8").split("\n").filter(Boolean)).toHaveLength(1);
    expect((await readHistory(file)).entries[0]?.command).toBe("printf 'a\\n'\necho b");
  });

  it("returns the last N entries", async () => {
    const file = path.join(folder, "history.jsonl");
    for (let index = 0; index < 5; index += 1) await appendHistoryEntry(file, entry(`echo ${index}`));
    expect((await readHistory(file, 2)).entries.map((item) => item.command)).toEqual(["echo 3", "echo 4"]);
  });

  it("treats a missing file as an empty history", async () => {
    expect(await readHistory(path.join(folder, "none.jsonl"))).toEqual({ entries: [], skippedLines: 0 });
  });

  it("skips torn and foreign lines instead of failing", async () => {
    const file = path.join(folder, "history.jsonl");
    await appendHistoryEntry(file, entry("echo ok"));
    fs.appendFileSync(file, '{"time": "x", "comm\nnot json\n{"other": true}\n');
    await appendHistoryEntry(file, entry("echo ok again"));
    const { entries, skippedLines } = await readHistory(file);
    expect(entries.map((item) => item.command)).toEqual(["echo ok", "echo ok again"]);
    expect(skippedLines).toBe(3);
  });

  it("never interleaves lines when several processes append at once", async () => {
    const file = path.join(folder, "history.jsonl");
    const module = new URL("./history.ts", import.meta.url).pathname;
    const writer = `
      const { appendHistoryEntry } = await import(${JSON.stringify(module)});
      const id = process.argv[2];
      for (let index = 0; index < 50; index += 1) {
        await appendHistoryEntry(${JSON.stringify(file)}, {
          time: new Date().toISOString(), request: "r", command: id + ":" + index + ":" + "x".repeat(2000),
          shell: "bash", level: "safe", decision: "allow", exitCode: 0,
        });
      }`;
    const tsx = path.resolve("node_modules/.bin/tsx");
    const script = path.join(folder, "writer.mts");
    fs.writeFileSync(script, writer);
    await Promise.all(
      ["a", "b", "c", "d"].map(
        (id) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(tsx, [script, id], { stdio: "inherit" });
            child.once("error", reject);
            child.once("exit", (code) => {
              if (code === 0) resolve();
              else reject(new Error(`writer ${id} exited ${String(code)}`));
            });
          }),
      ),
    );
    const { entries, skippedLines } = await readHistory(file);
    expect(skippedLines).toBe(0);
    expect(entries).toHaveLength(200);
  });
});

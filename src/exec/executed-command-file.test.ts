import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recordExecutedCommand } from "./executed-command-file.js";

let folder: string;
beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-executed-"));
});
afterEach(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

describe("recordExecutedCommand", () => {
  it("writes the command into the empty file the shell wrapper created", () => {
    const file = path.join(folder, "executed");
    fs.writeFileSync(file, "");
    recordExecutedCommand({ CMDAI_EXECUTED_FILE: file }, "echo hi > out");
    expect(fs.readFileSync(file, "utf8")).toBe("echo hi > out");
  });

  it("never creates files or overwrites one with content", () => {
    const missing = path.join(folder, "missing");
    recordExecutedCommand({ CMDAI_EXECUTED_FILE: missing }, "ls");
    expect(fs.existsSync(missing)).toBe(false);
    const precious = path.join(folder, "precious");
    fs.writeFileSync(precious, "keep me");
    recordExecutedCommand({ CMDAI_EXECUTED_FILE: precious }, "ls");
    expect(fs.readFileSync(precious, "utf8")).toBe("keep me");
    recordExecutedCommand({}, "ls");
  });
});

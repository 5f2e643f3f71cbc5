import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CmdaiError } from "../errors.js";
import { findPowerShellProgram, runInShell, shellInvocation } from "./run-in-shell.js";

describe("shellInvocation", () => {
  it("uses each shell's own way to run a command string", () => {
    expect(shellInvocation("bash", "ls")).toMatchObject({ program: "bash", args: ["-c", "ls"] });
    expect(shellInvocation("fish", "ls")).toMatchObject({ program: "fish", args: ["-c", "ls"] });
    expect(shellInvocation("powershell", "Get-ChildItem", { platform: "linux" })).toMatchObject({
      program: "pwsh",
      args: ["-NoProfile", "-Command", "Get-ChildItem"],
    });
    expect(shellInvocation("powershell", "dir", { platform: "win32" }).program).toBe("powershell.exe");
    expect(shellInvocation("cmd", "dir /s")).toMatchObject({
      program: "cmd.exe",
      args: ["/d", "/s", "/c", '"dir /s"'],
      windowsVerbatimArguments: true,
    });
  });
});

describe("runInShell", () => {
  it("returns the command's exit code and runs in the given folder", async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-exec-"));
    try {
      const code = await runInShell({
        shell: "sh",
        command: "pwd > out.txt; exit 7",
        cwd: folder,
        env: process.env,
      });
      expect(code).toBe(7);
      expect(fs.realpathSync(fs.readFileSync(path.join(folder, "out.txt"), "utf8").trim())).toBe(
        fs.realpathSync(folder),
      );
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it("reports death by signal as 128 + the signal number", async () => {
    expect(
      await runInShell({ shell: "sh", command: "kill -TERM $$", cwd: os.tmpdir(), env: process.env }),
    ).toBe(143);
  });

  it("fails with a typed error when the shell is not installed", async () => {
    await expect(
      runInShell({ shell: "bash", command: "true", cwd: os.tmpdir(), env: { PATH: "/nonexistent" } }),
    ).rejects.toBeInstanceOf(CmdaiError);
  });
});

describe("findPowerShellProgram", () => {
  let folder: string;
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-pwsh-"));
  });
  afterEach(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it("prefers pwsh when it is on the PATH", () => {
    fs.writeFileSync(path.join(folder, "pwsh"), "", { mode: 0o755 });
    expect(findPowerShellProgram({ PATH: `/nonexistent:${folder}` }, "linux")).toBe("pwsh");
  });

  it("falls back to Windows PowerShell on Windows, and to pwsh elsewhere", () => {
    expect(findPowerShellProgram({ PATH: folder }, "win32")).toBe("powershell.exe");
    expect(findPowerShellProgram({ PATH: folder }, "linux")).toBe("pwsh");
  });
});

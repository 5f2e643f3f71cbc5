import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../errors.js";
import type { CliIo } from "../io.js";
import { parseHotkey } from "../shell-init/hotkey.js";
import { INIT_SHELLS, runInitCommand, shellInitSnippet } from "./init.js";

function hasProgram(program: string): boolean {
  return spawnSync(program, ["--version"], { stdio: "ignore" }).status === 0;
}

/** Syntax-check a snippet with the shell's own parser. */
function parses(shell: "bash" | "zsh" | "fish", snippet: string): { status: number | null; stderr: string } {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-init-"));
  try {
    const file = path.join(folder, `snippet.${shell}`);
    fs.writeFileSync(file, snippet);
    const result = spawnSync(shell, ["-n", file], { encoding: "utf8" });
    return { status: result.status, stderr: result.stderr };
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

describe("cmdai init snippets", () => {
  for (const shell of ["bash", "zsh", "fish"] as const) {
    for (const notation of ["\\C-g", "\\M-x", "\\e\\C-t"]) {
      it.skipIf(!hasProgram(shell))(`parse in ${shell} with hotkey ${notation}`, () => {
        const result = parses(shell, shellInitSnippet(shell, parseHotkey(notation)));
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
      });
    }
  }

  it.skipIf(!hasProgram("bash"))("the bash check can fail (a broken snippet does not parse)", () => {
    expect(parses("bash", `${shellInitSnippet("bash", parseHotkey("\\C-g"))}\nif then\n`).status).not.toBe(0);
  });

  it("bind the hotkey and define the history wrapper in every shell", () => {
    const hotkey = parseHotkey("\\C-g");
    expect(shellInitSnippet("bash", hotkey)).toContain(`bind -x '"\\C-g": __cmdai_hotkey'`);
    expect(shellInitSnippet("bash", hotkey)).toContain("history -s");
    expect(shellInitSnippet("zsh", hotkey)).toContain("bindkey -M emacs '^G' __cmdai_hotkey");
    expect(shellInitSnippet("zsh", hotkey)).toContain("print -rs");
    expect(shellInitSnippet("fish", hotkey)).toContain("bind \\cg __cmdai_hotkey");
    expect(shellInitSnippet("fish", hotkey)).toContain("history append");
    expect(shellInitSnippet("powershell", hotkey)).toContain("Set-PSReadLineKeyHandler -Chord 'Ctrl+g'");
    expect(shellInitSnippet("powershell", hotkey)).toContain("AddToHistory");
    for (const shell of INIT_SHELLS) expect(shellInitSnippet(shell, hotkey)).toContain("CMDAI_EXECUTED_FILE");
  });
});

function captureIo(env: NodeJS.ProcessEnv = {}): { io: CliIo; stdout: () => string } {
  const stdout = new PassThrough();
  let text = "";
  stdout.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  return {
    io: { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env, cwd: process.cwd() },
    stdout: () => text,
  };
}

describe("runInitCommand", () => {
  it("prints the snippet with the hotkey from the option, and accepts pwsh", async () => {
    const capture = captureIo({ XDG_CONFIG_HOME: "/nonexistent-cmdai-test" });
    expect(await runInitCommand("pwsh", { hotkey: "\\M-j" }, capture.io)).toBe(0);
    expect(capture.stdout()).toContain("-Chord 'Alt+j'");
  });

  it("rejects an unknown shell with a usage error listing the choices", async () => {
    const capture = captureIo();
    await expect(runInitCommand("tcsh", {}, capture.io)).rejects.toThrow(UsageError);
    await expect(runInitCommand("tcsh", {}, capture.io)).rejects.toThrow(/tcsh/);
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BackendError } from "../errors.js";
import { isShellName } from "../shells.js";
import type { ShellName } from "../shells.js";
import { cleanCommand, parseAnswer, removeThinking } from "./parse-answer.js";

const corpusFolder = fileURLToPath(new URL("../../test/fixtures/answers/", import.meta.url));

interface Expectation {
  shell?: string;
  command?: string;
  explanation?: string;
  error?: string;
}

const expectations = JSON.parse(readFileSync(`${corpusFolder}expected.json`, "utf8")) as Record<
  string,
  Expectation
>;

function shellOf(expectation: Expectation): ShellName {
  const shell = expectation.shell ?? "bash";
  if (!isShellName(shell)) throw new Error(`bad shell in expected.json: ${shell}`);
  return shell;
}

function parseError(text: string, shell: ShellName = "bash"): unknown {
  try {
    parseAnswer(text, { shell });
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("parseAnswer on the corpus of real-shaped answers", () => {
  it("has an expectation for every answer file, and a file for every expectation", () => {
    const files = readdirSync(corpusFolder).filter((name) => name.endsWith(".txt"));
    expect(files.sort()).toEqual(Object.keys(expectations).sort());
  });

  for (const [file, expectation] of Object.entries(expectations)) {
    it(`${file} → ${expectation.error ?? JSON.stringify(expectation.command)}`, () => {
      const text = readFileSync(`${corpusFolder}${file}`, "utf8");
      const shell = shellOf(expectation);
      if (expectation.error !== undefined) {
        const error = parseError(text, shell);
        expect(error).toBeInstanceOf(BackendError);
        expect((error as BackendError).code).toBe(expectation.error);
        expect((error as BackendError).exitCode).toBe(5);
        return;
      }
      const answer = parseAnswer(text, { shell });
      expect(answer.command).toBe(expectation.command);
      expect(answer.explanation).toBe(expectation.explanation);
    });
  }
});

describe("parseAnswer details", () => {
  it("accepts cmd and shell_command keys, any case", () => {
    expect(parseAnswer('{"cmd": "pwd"}', { shell: "bash" }).command).toBe("pwd");
    expect(parseAnswer('{"Shell_Command": "pwd"}', { shell: "bash" }).command).toBe("pwd");
  });

  it("prefers JSON with a command over an earlier plain fence", () => {
    const text = 'Output looks like:\n```text\nhello\n```\nAnswer: {"command": "echo hello"}';
    expect(parseAnswer(text, { shell: "bash" }).command).toBe("echo hello");
  });

  it("does not take a {} inside a command for JSON", () => {
    const text = "```bash\nfind . -name '*.tmp' -exec rm {} +\n```";
    expect(parseAnswer(text, { shell: "bash" }).command).toBe("find . -name '*.tmp' -exec rm {} +");
  });

  it("names the start of the answer in the error and never returns a command for prose", () => {
    const error = parseError("Unfortunately I cannot do that.");
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).message).toContain("Unfortunately I cannot do that.");
    expect((error as BackendError).hint).toBeDefined();
  });

  it("rejects a JSON command that is only whitespace", () => {
    expect((parseError('{"command": "   "}') as BackendError).code).toBe("answer_unparseable");
  });

  it("strips a lone > prompt but keeps redirections inside commands", () => {
    expect(cleanCommand("> ls -la", "bash")).toBe("ls -la");
    expect(cleanCommand("sort names.txt > sorted.txt", "bash")).toBe("sort names.txt > sorted.txt");
  });

  it("keeps a PowerShell comment-free block and drops cmd REM lines", () => {
    expect(cleanCommand("REM list\r\ndir /b", "cmd")).toBe("dir /b");
  });

  it("removes several think blocks and keeps text between them", () => {
    expect(removeThinking("<think>a</think>one <THINK>b</THINK>two")).toBe("one two");
    expect(removeThinking("<thinking>x</thinking>{}")).toBe("{}");
  });
});

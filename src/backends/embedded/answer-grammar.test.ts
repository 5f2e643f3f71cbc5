import { describe, expect, it } from "vitest";
import { BackendError } from "../../errors.js";
import { MAX_COMMAND_LENGTH } from "../prompt.js";
import { ANSWER_PREFILL, answerGrammar, completedAnswer, parseAnswer } from "./answer-grammar.js";

function parseError(text: string, wantExplanation = false): BackendError {
  try {
    parseAnswer(text, wantExplanation);
  } catch (error) {
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).code).toBe("answer_unparseable");
    expect((error as BackendError).exitCode).toBe(5);
    return error as BackendError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe("parseAnswer", () => {
  it("reads a command, unescaping JSON and trimming", () => {
    expect(parseAnswer('{"command": " grep -r \\"TODO\\" src "}', false)).toEqual({
      command: 'grep -r "TODO" src',
    });
  });

  it("reads an explanation when one was asked for", () => {
    expect(parseAnswer('{"command":"ls -la","explanation":"Lists all files."}', true)).toEqual({
      command: "ls -la",
      explanation: "Lists all files.",
    });
  });

  it.each([
    ["cut-off JSON", '{"command": "ls -l'],
    ["prose", "Sure! Run ls -la"],
    ["an array", '["ls"]'],
    ["an empty command", '{"command": ""}'],
    ["a blank command", '{"command": "   "}'],
    ["a non-string command", '{"command": 42}'],
    ["a missing command", '{"cmd": "ls"}'],
    ["a control character", '{"command": "ls\\u0000x"}'],
    ["a newline", '{"command": "ls\\nrm -rf /"}'],
    ["an unexpected member", '{"command": "ls", "explanation": "x"}'],
    ["an over-long command", JSON.stringify({ command: "a".repeat(MAX_COMMAND_LENGTH + 1) })],
  ])("rejects %s", (_name, text) => {
    parseError(text);
  });

  it("never returns a guess from a broken answer", () => {
    const error = parseError('{"command": "rm -rf /tmp/x');
    expect(error.message).not.toContain("rm -rf");
  });
});

describe("answerGrammar", () => {
  it("bounds the command and only mentions an explanation when asked", () => {
    const plain = answerGrammar(false);
    expect(plain).toContain(`char{0,${MAX_COMMAND_LENGTH - 1}}`);
    expect(plain).not.toContain("explanation");
    expect(answerGrammar(true)).toContain('\\"explanation\\"');
  });
});

describe("answerGrammar bound", () => {
  it("bounds the command by max_command_length, never above the hard limit", () => {
    expect(answerGrammar(false, 30)).toContain("char{0,29}");
    expect(answerGrammar(false, 10_000)).toContain("char{0,399}");
    expect(answerGrammar(false)).toContain("char{0,399}");
  });
});

describe("completedAnswer", () => {
  it.each([
    ["ls -la", undefined],
    ['ls -la"', '{"command": "ls -la"}'],
    ['ls -la"}', '{"command": "ls -la"}'],
    ['grep \\"x\\" f', undefined],
    ['grep \\"x\\" f"', '{"command": "grep \\"x\\" f"}'],
    ['echo \\\\"', '{"command": "echo \\\\"}'],
  ])("without an explanation, %j completes as %j", (generated, expected) => {
    expect(completedAnswer(generated, false)).toBe(expected);
  });

  it("closes at the first unescaped quote, and the result parses", () => {
    const text = completedAnswer('find . -name \\"*.ts\\"" ', false);
    expect(text).toBe('{"command": "find . -name \\"*.ts\\""}');
    expect(parseAnswer(text ?? "", false)).toEqual({ command: 'find . -name "*.ts"' });
  });

  it("with an explanation, waits for the closing brace of valid JSON", () => {
    expect(completedAnswer('ls", "explanation": "Lists', true)).toBeUndefined();
    expect(completedAnswer('ls", "explanation": "Lists files."}', true)).toBe(
      `${ANSWER_PREFILL}ls", "explanation": "Lists files."}`,
    );
  });

  it("starts the grammar inside the command string", () => {
    expect(answerGrammar(false)).toMatch(/^root ::= first char/);
  });
});

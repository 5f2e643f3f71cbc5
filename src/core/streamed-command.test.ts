import { describe, expect, it } from "vitest";
import { StreamedCommand } from "./streamed-command.js";

/** The commands shown while `pieces` arrive one after another. */
function follow(pieces: string[]): string[] {
  const streamed = new StreamedCommand();
  const shown: string[] = [];
  let text = "";
  for (const piece of pieces) {
    text += piece;
    if (streamed.update(text)) shown.push(streamed.command);
  }
  return shown;
}

describe("StreamedCommand", () => {
  it("shows the command after the prefill as it grows and stops at the closing quote", () => {
    expect(follow(['{"command": "', "ls", " -la", '", "explanation": "lists"}'])).toEqual(["ls", "ls -la"]);
  });

  it("decodes escapes, waiting for ones split between pieces", () => {
    expect(follow(['{"command":"grep \\', '"a b\\', '" f\\u00', "e9 \\\\ x\\ty", '"}'])).toEqual([
      "grep ",
      'grep "a b',
      'grep "a b" f',
      'grep "a b" fé \\ x\ty',
    ]);
  });

  it("finds the key after a fence or prose, and shows nothing without one", () => {
    expect(follow(['Sure:\n```json\n{ "command" : "pwd', '"}\n```'])).toEqual(["pwd"]);
    expect(follow(["I cannot help with that."])).toEqual([]);
  });

  it("holds back a character cut in half and starts over when the text restarts", () => {
    const streamed = new StreamedCommand();
    expect(streamed.update('{"command": "echo \uFFFD')).toBe(true);
    expect(streamed.command).toBe("echo ");
    expect(streamed.update('{"command": "echo é"')).toBe(true);
    expect(streamed.command).toBe("echo é");
    expect(streamed.update('{"command": "pw')).toBe(true);
    expect(streamed.command).toBe("pw");
  });
});

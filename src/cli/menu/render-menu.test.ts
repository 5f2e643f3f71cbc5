import { describe, expect, it } from "vitest";
import { commandOutcome } from "../../../test/support/command-outcome.js";
import { keyHints, renderOutcomeBlock, windowedEditorLine } from "./render-menu.js";

describe("windowedEditorLine", () => {
  it("shows short text whole with the cursor after the prompt", () => {
    expect(windowedEditorLine("edit> ", Array.from("ls -la"), 2, 80)).toEqual({
      text: "edit> ls -la",
      cursorColumn: 8,
    });
  });

  it("fits long text into the width, keeping the cursor visible", () => {
    const characters = Array.from("x".repeat(50) + "CURSOR" + "y".repeat(50));
    for (const cursor of [0, 25, 53, 80, 106]) {
      const line = windowedEditorLine("edit> ", characters, cursor, 40);
      expect(Array.from(line.text).length).toBeLessThan(40);
      expect(line.cursorColumn).toBeGreaterThanOrEqual(6);
      expect(line.cursorColumn).toBeLessThan(40);
    }
    const middle = windowedEditorLine("edit> ", characters, 53, 40);
    expect(middle.text).toContain("…");
    // The character under the cursor is the one at the cursor column.
    expect(Array.from(middle.text)[middle.cursorColumn ?? -1]).toBe("S");
  });
});

describe("menu rendering", () => {
  it("offers no way to run a blocked command", () => {
    const hints = keyHints(commandOutcome("rm -rf /", { level: "critical", decision: "block" }), false);
    expect(hints).not.toMatch(/\brun\b/);
    expect(hints).toContain("edit");
    expect(hints).toContain("copy");
  });

  it("says a confirm-level command needs a typed yes", () => {
    expect(keyHints(commandOutcome("x", { level: "high", decision: "confirm" }), false)).toContain(
      "type yes",
    );
  });

  it("shows the command, the badge, the reasons with the safer way, the explanation and the shell", () => {
    const block = renderOutcomeBlock(
      commandOutcome("rm -r build", {
        level: "high",
        decision: "confirm",
        reason: "deletes build",
        explanation: "rm removes",
      }),
      false,
    );
    for (const part of [
      "rm -r build",
      "[HIGH]",
      "deletes build",
      "safer: a safer way",
      "rm removes",
      "shell: bash",
    ]) {
      expect(block).toContain(part);
    }
  });
});

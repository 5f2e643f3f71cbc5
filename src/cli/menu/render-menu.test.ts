import { describe, expect, it } from "vitest";
import { commandOutcome, menuConsent, menuConsentContext } from "../../../test/support/command-outcome.js";
import type { CommandOutcome } from "../../core/generate-command.js";
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

const hintsFor = (outcome: CommandOutcome): string =>
  keyHints({ outcome, consentContext: menuConsentContext() }, false);

describe("menu rendering", () => {
  it("offers no way to run a blocked command, and nothing to explain", () => {
    const hints = hintsFor(commandOutcome("rm -rf /", { level: "critical", decision: "block" }));
    expect(hints).toBe("e edit · v revise · c copy · q cancel");
  });

  it("offers Enter only for a safe command; r for one that needs a key; a typed yes where needed", () => {
    expect(hintsFor(commandOutcome("ls"))).toBe(
      "r run (or Enter) · e edit · v revise · x explain · c copy · q cancel",
    );
    const deletes = commandOutcome("rm -r build", {
      level: "moderate",
      rule: "rm-files",
      reason: "Deletes build.",
    });
    expect(hintsFor(deletes)).toBe("r run · e edit · v revise · x explain · c copy · q cancel");
    expect(hintsFor(commandOutcome("x", { level: "high", decision: "confirm" }))).toContain(
      "r run (type yes)",
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
      menuConsent(commandOutcome("rm -r build", { level: "high", decision: "confirm" })),
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

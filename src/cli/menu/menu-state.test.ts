import { describe, expect, it } from "vitest";
import { commandOutcome, menuConsentContext } from "../../../test/support/command-outcome.js";
import type { Decision, RiskLevel } from "../../safety/types.js";
import {
  createMenuState,
  menuAfterWork,
  offeredKeys,
  reduceMenu,
  type MenuEffect,
  type MenuState,
} from "./menu-state.js";
import { parseKeys } from "./parse-keys.js";

type Verdict = Decision | "deletes";
const VERDICTS: Record<Verdict, { level: RiskLevel; decision: Decision; rule?: string; reason?: string }> = {
  allow: { level: "safe", decision: "allow" },
  // `rm -r build`: moderate, so the engine allows it, but it deletes files: it runs on r, never on Enter.
  deletes: { level: "moderate", decision: "allow", rule: "rm-files", reason: "Deletes build." },
  confirm: { level: "high", decision: "confirm" },
  block: { level: "critical", decision: "block" },
};

/** Feed raw input to a fresh menu; returns the last state and every effect other than "none". */
function press(
  decision: Verdict,
  input: string,
  options: { assumeYes?: boolean; command?: string } = {},
): { state: MenuState; effects: MenuEffect[] } {
  let state = createMenuState(
    commandOutcome(options.command ?? "echo hi", VERDICTS[decision]),
    menuConsentContext({ yes: options.assumeYes ?? false }),
  );
  const effects: MenuEffect[] = [];
  for (const key of parseKeys(input)) {
    const step = reduceMenu(state, key);
    state = step.state;
    if (step.effect.kind !== "none") effects.push(step.effect);
  }
  return { state, effects };
}

describe("menu keys → effects", () => {
  const run: MenuEffect = { kind: "run", command: "echo hi" };
  const cases: [Verdict, string, string, MenuEffect[], string][] = [
    ["allow", "r", "r runs", [run], "choose"],
    ["allow", "R", "R runs too", [run], "choose"],
    ["allow", "\r", "Enter runs a safe command", [run], "choose"],
    ["deletes", "\r", "Enter does not run a command that deletes files", [], "choose"],
    ["deletes", "r", "r runs it", [run], "choose"],
    ["deletes", "q", "cancelling it gives 4", [{ kind: "cancel", exitCode: 4 }], "choose"],
    ["confirm", "\r", "Enter does not run a confirm-level command", [], "choose"],
    ["block", "\r", "Enter does not run a blocked command", [], "choose"],
    ["confirm", "r", "r asks for yes first", [], "confirm"],
    ["confirm", "ryes\r", "typed yes runs", [run], "confirm"],
    ["confirm", "rYES\r", "YES runs too", [run], "confirm"],
    ["confirm", "ry\r", "y is not yes", [], "choose"],
    ["confirm", "r\r", "empty is not yes", [], "choose"],
    ["confirm", "ryes\u001b", "Escape while typing does not run", [], "choose"],
    ["block", "r", "a blocked command does not run on r", [], "choose"],
    // "e" of "yes" opens the editor: nothing here can reach a run.
    ["block", "ryes\r", "nor after typing yes", [{ kind: "assess", command: "echo his" }], "working"],
    ["allow", "q", "q cancels with 4", [{ kind: "cancel", exitCode: 4 }], "choose"],
    ["allow", "\u001b", "Escape cancels with 4", [{ kind: "cancel", exitCode: 4 }], "choose"],
    [
      "confirm",
      "q",
      "cancelling a confirm-level command gives 4",
      [{ kind: "cancel", exitCode: 4 }],
      "choose",
    ],
    ["block", "q", "cancelling a blocked command gives 3", [{ kind: "cancel", exitCode: 3 }], "choose"],
    ["allow", "\u0004", "Ctrl-D cancels", [{ kind: "cancel", exitCode: 4 }], "choose"],
    ["allow", "\u0003", "Ctrl-C interrupts with 130", [{ kind: "interrupt", exitCode: 130 }], "choose"],
    ["allow", "e\u0003", "Ctrl-C interrupts while editing", [{ kind: "interrupt", exitCode: 130 }], "edit"],
    ["allow", "c", "c copies", [{ kind: "copy", command: "echo hi" }], "choose"],
    ["block", "c", "a blocked command can be copied", [{ kind: "copy", command: "echo hi" }], "choose"],
    ["allow", "x", "x asks for an explanation", [{ kind: "explain", command: "echo hi" }], "working"],
    ["allow", "e", "e opens the editor", [], "edit"],
    [
      "allow",
      "e there\r",
      "Enter in the editor re-assesses the edit",
      [{ kind: "assess", command: "echo hi there" }],
      "working",
    ],
    [
      "block",
      "e\u0015ls\r",
      "a blocked command can be edited",
      [{ kind: "assess", command: "ls" }],
      "working",
    ],
    ["allow", "e\u0015\r", "an emptied command is refused", [], "choose"],
    ["allow", "e\u001b", "Escape leaves the editor", [], "choose"],
    [
      "allow",
      "vonly text files\r",
      "v asks what to change",
      [{ kind: "revise", previousCommand: "echo hi", feedback: "only text files" }],
      "working",
    ],
    [
      "block",
      "vsafer\r",
      "a blocked command can be revised",
      [{ kind: "revise", previousCommand: "echo hi", feedback: "safer" }],
      "working",
    ],
    ["allow", "v\r", "empty feedback is no revision", [], "choose"],
    ["allow", "z", "other keys only explain the keys", [], "choose"],
    ["block", "x", "a blocked command offers nothing to explain", [], "choose"],
    ["allow", "x\r", "keys while working are ignored", [{ kind: "explain", command: "echo hi" }], "working"],
  ];
  it.each(cases)("%s + %j: %s", (decision, input, _name, effects, screen) => {
    const result = press(decision, input);
    expect(result.effects).toEqual(effects);
    expect(result.state.screen.kind).toBe(screen);
  });

  it("-y runs a confirm-level command on r without asking, but never a blocked one, nor anything on Enter", () => {
    expect(press("confirm", "r", { assumeYes: true }).effects).toEqual([{ kind: "run", command: "echo hi" }]);
    expect(press("block", "r", { assumeYes: true }).effects).toEqual([]);
    expect(press("deletes", "\r", { assumeYes: true }).effects).toEqual([]);
    expect(press("confirm", "\r", { assumeYes: true }).effects).toEqual([]);
  });

  it("says why Enter did not run, and why a blocked command never will", () => {
    expect(press("deletes", "\r").state.notice).toBe(
      "Enter runs only safe commands: press r to run this one (it deletes files).",
    );
    expect(press("confirm", "\r").state.notice).toMatch(/press r and type yes/);
    expect(press("block", "r").state.notice).toBe(
      "Blocked: critical-risk commands never run. This command will not run: edit (e), revise (v), copy (c) or cancel (q).",
    );
  });

  it("the key help lists exactly the keys on offer", () => {
    for (const verdict of ["allow", "deletes", "confirm", "block"] as const) {
      const { state } = press(verdict, "z");
      const offered = offeredKeys(state).map((key) => key.key);
      const listed = [...(state.notice ?? "").matchAll(/\b([a-z]) [a-z]+/g)].map((match) => match[1]);
      expect(listed).toEqual(offered);
    }
    expect(press("block", "z").state.notice).toBe("Keys: e edit, v revise, c copy, q cancel.");
  });

  it("no key sequence makes a blocked command run", () => {
    const everyKey = "rR\ryes\r\u001b[Dq\u0004xcev\u0015\u001bryes\r";
    for (let start = 0; start < everyKey.length; start += 1) {
      const effects = press("block", everyKey.slice(start)).effects;
      expect(effects.filter((effect) => effect.kind === "run")).toEqual([]);
    }
  });

  it("x shows an explanation already there instead of asking again", () => {
    const state = createMenuState(commandOutcome("ls", { explanation: "lists files" }), menuConsentContext());
    const step = reduceMenu(state, { name: "text", text: "x" });
    expect(step.effect).toEqual({ kind: "none" });
    expect(step.state.notice).toMatch(/explanation/i);
  });
});

describe("menuAfterWork", () => {
  it("shows the new outcome and applies its verdict to the next keys", () => {
    const working = press("allow", "e\u0015rm -rf /\r").state;
    expect(working.screen.kind).toBe("working");
    const blocked = menuAfterWork(working, { outcome: commandOutcome("rm -rf /", VERDICTS.block) });
    expect(blocked.screen.kind).toBe("choose");
    expect(blocked.outcome.command).toBe("rm -rf /");
    expect(reduceMenu(blocked, { name: "text", text: "r" }).effect).toEqual({ kind: "none" });
    expect(reduceMenu(blocked, { name: "enter" }).effect).toEqual({ kind: "none" });
  });

  it("keeps the old command and says why when the work failed", () => {
    const working = press("allow", "vx\r").state;
    const failed = menuAfterWork(working, { error: "Failed: backend down" });
    expect(failed.outcome.command).toBe("echo hi");
    expect(failed.notice).toBe("Failed: backend down");
    expect(reduceMenu(failed, { name: "text", text: "r" }).effect).toEqual({
      kind: "run",
      command: "echo hi",
    });
  });
});

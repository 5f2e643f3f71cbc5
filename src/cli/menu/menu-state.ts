/**
 * The consent menu as a pure state machine: (state, key) → (state, effect). The terminal driver
 * (`run-menu.ts`) reads keys, performs the effects (run, copy, re-assess, regenerate) and feeds results back
 * with {@link menuAfterWork}; nothing here touches the terminal, a backend or the safety engine.
 *
 * Keys on the main screen: `r` run (confirm-level asks for a typed `yes` unless `-y`), Enter (runs only an
 * "allow" command), `e` edit, `v` revise, `x` explain, `c` copy, `q` / Esc / Ctrl-D cancel, Ctrl-C interrupt.
 * A blocked command never produces a `run` effect, whatever is pressed.
 *
 * Exit codes chosen here: cancel → 4 ("confirmation not given", as documented for exit code 4), or 3 when the
 * command on screen is blocked (the same code a non-interactive run gives it); Ctrl-C → 130.
 */
import type { CommandOutcome } from "../../core/generate-command.js";
import { ExitCode } from "../../errors.js";
import { applyEditorKey, createLineEditor, editorText, type LineEditorState } from "./line-editor.js";
import type { Key } from "./parse-keys.js";

/** Which screen the menu is on. */
export type MenuScreen =
  | { kind: "choose" }
  /** Editing the command in the inline editor. */
  | { kind: "edit"; editor: LineEditorState }
  /** Typing what to change for a revision. */
  | { kind: "revise"; editor: LineEditorState }
  /** Typing `yes` to run a confirm-level command. */
  | { kind: "confirm"; editor: LineEditorState }
  /** Waiting for the driver to finish an effect; only Ctrl-C is handled. */
  | { kind: "working"; label: string };

export interface MenuState {
  /** The command on screen and its verdict. */
  outcome: CommandOutcome;
  screen: MenuScreen;
  /** `-y` was given: confirm-level commands run on `r` without a typed `yes`. Never affects a block. */
  assumeYes: boolean;
  /** One line of feedback for the last key, shown above the prompt. */
  notice: string | undefined;
}

/** What the driver must do after a key. */
export type MenuEffect =
  | { kind: "none" }
  | { kind: "run"; command: string }
  | { kind: "copy"; command: string }
  | { kind: "assess"; command: string }
  | { kind: "revise"; previousCommand: string; feedback: string }
  | { kind: "explain"; command: string }
  | { kind: "cancel"; exitCode: number }
  | { kind: "interrupt"; exitCode: number };

export interface MenuStep {
  state: MenuState;
  effect: MenuEffect;
}

const NONE: MenuEffect = { kind: "none" };

/** The first state for an outcome. */
export function createMenuState(outcome: CommandOutcome, options: { assumeYes: boolean }): MenuState {
  return { outcome, screen: { kind: "choose" }, assumeYes: options.assumeYes, notice: undefined };
}

/** The exit code of cancelling with this command on screen. */
export function cancelExitCode(outcome: CommandOutcome): number {
  return outcome.risk.decision === "block" ? ExitCode.blocked : ExitCode.confirmationNeeded;
}

function choose(state: MenuState, notice: string | undefined): MenuState {
  return { ...state, screen: { kind: "choose" }, notice };
}

function blockedNotice(outcome: CommandOutcome): string {
  return `Blocked (${outcome.risk.level}): this command will not run. Edit (e), revise (v), copy (c) or cancel (q).`;
}

/** `r`: run an allowed command, ask for `yes` for a confirm-level one, refuse a blocked one. */
function pressRun(state: MenuState): MenuStep {
  const { outcome } = state;
  switch (outcome.risk.decision) {
    case "block":
      return { state: choose(state, blockedNotice(outcome)), effect: NONE };
    case "confirm":
      if (!state.assumeYes) {
        return {
          state: { ...state, screen: { kind: "confirm", editor: createLineEditor() }, notice: undefined },
          effect: NONE,
        };
      }
      return { state, effect: { kind: "run", command: outcome.command } };
    case "allow":
      return { state, effect: { kind: "run", command: outcome.command } };
  }
}

function onChooseScreen(state: MenuState, key: Key): MenuStep {
  const { outcome } = state;
  if (key.name === "enter") {
    if (outcome.risk.decision === "allow")
      return { state, effect: { kind: "run", command: outcome.command } };
    return {
      state: choose(
        state,
        outcome.risk.decision === "block"
          ? blockedNotice(outcome)
          : `Enter runs only safe-to-run commands: press r and type yes to run this ${outcome.risk.level}-risk one.`,
      ),
      effect: NONE,
    };
  }
  if (key.name === "escape") return { state, effect: { kind: "cancel", exitCode: cancelExitCode(outcome) } };
  if (key.name === "control" && key.letter === "d") {
    return { state, effect: { kind: "cancel", exitCode: cancelExitCode(outcome) } };
  }
  if (key.name !== "text") return { state, effect: NONE };
  switch (key.text.toLowerCase()) {
    case "r":
      return pressRun(state);
    case "e":
      return {
        state: {
          ...state,
          screen: { kind: "edit", editor: createLineEditor(outcome.command) },
          notice: undefined,
        },
        effect: NONE,
      };
    case "v":
      return {
        state: { ...state, screen: { kind: "revise", editor: createLineEditor() }, notice: undefined },
        effect: NONE,
      };
    case "x":
      if (outcome.explanation !== undefined && outcome.explanation.trim() !== "") {
        return { state: choose(state, "The explanation is shown above."), effect: NONE };
      }
      return {
        state: {
          ...state,
          screen: { kind: "working", label: "Asking for an explanation" },
          notice: undefined,
        },
        effect: { kind: "explain", command: outcome.command },
      };
    case "c":
      return { state, effect: { kind: "copy", command: outcome.command } };
    case "q":
      return { state, effect: { kind: "cancel", exitCode: cancelExitCode(outcome) } };
    default:
      return {
        state: choose(state, "Keys: r run, e edit, v revise, x explain, c copy, q cancel."),
        effect: NONE,
      };
  }
}

function onEditScreen(state: MenuState, editor: LineEditorState, key: Key): MenuStep {
  const step = applyEditorKey(editor, key);
  if (step.result === "cancelled") return { state: choose(state, "Edit cancelled."), effect: NONE };
  if (step.result === "editing") {
    return { state: { ...state, screen: { kind: "edit", editor: step.state } }, effect: NONE };
  }
  const command = editorText(step.state).trim();
  if (command === "")
    return { state: choose(state, "The command cannot be empty; edit cancelled."), effect: NONE };
  // The edited command is judged afresh, even when unchanged text makes that redundant: cheap and simple.
  return {
    state: { ...state, screen: { kind: "working", label: "Checking the edited command" }, notice: undefined },
    effect: { kind: "assess", command },
  };
}

function onReviseScreen(state: MenuState, editor: LineEditorState, key: Key): MenuStep {
  const step = applyEditorKey(editor, key);
  if (step.result === "cancelled") return { state: choose(state, "Revision cancelled."), effect: NONE };
  if (step.result === "editing") {
    return { state: { ...state, screen: { kind: "revise", editor: step.state } }, effect: NONE };
  }
  const feedback = editorText(step.state).trim();
  if (feedback === "")
    return { state: choose(state, "Nothing to change; revision cancelled."), effect: NONE };
  return {
    state: { ...state, screen: { kind: "working", label: "Revising the command" }, notice: undefined },
    effect: { kind: "revise", previousCommand: state.outcome.command, feedback },
  };
}

function onConfirmScreen(state: MenuState, editor: LineEditorState, key: Key): MenuStep {
  const step = applyEditorKey(editor, key);
  if (step.result === "cancelled")
    return { state: choose(state, "Not confirmed; nothing ran."), effect: NONE };
  if (step.result === "editing") {
    return { state: { ...state, screen: { kind: "confirm", editor: step.state } }, effect: NONE };
  }
  if (editorText(step.state).trim().toLowerCase() === "yes" && state.outcome.risk.decision !== "block") {
    return { state, effect: { kind: "run", command: state.outcome.command } };
  }
  return { state: choose(state, 'Not confirmed (type "yes" to run); nothing ran.'), effect: NONE };
}

/** Apply one key. */
export function reduceMenu(state: MenuState, key: Key): MenuStep {
  if (key.name === "control" && key.letter === "c") {
    return { state, effect: { kind: "interrupt", exitCode: ExitCode.interrupted } };
  }
  const { screen } = state;
  switch (screen.kind) {
    case "choose":
      return onChooseScreen(state, key);
    case "edit":
      return onEditScreen(state, screen.editor, key);
    case "revise":
      return onReviseScreen(state, screen.editor, key);
    case "confirm":
      return onConfirmScreen(state, screen.editor, key);
    case "working":
      return { state, effect: NONE };
  }
}

/** Back to the main screen once the driver has finished an effect: a new outcome, or why it failed. */
export function menuAfterWork(
  state: MenuState,
  result: { outcome: CommandOutcome; notice?: string | undefined } | { error: string },
): MenuState {
  if ("error" in result) return choose(state, result.error);
  return { ...state, outcome: result.outcome, screen: { kind: "choose" }, notice: result.notice };
}

/**
 * The consent menu as a pure state machine: (state, key) → (state, effect). The terminal driver
 * (`run-menu.ts`) reads keys, performs the effects (run, copy, re-assess, regenerate) and feeds results back
 * with {@link menuAfterWork}; nothing here touches the terminal, a backend or the safety engine.
 *
 * What each command on screen may do is core's `decideConsent` (the same decision as every other path), read
 * through {@link consentOf}. Keys on the main screen: Enter runs only what needs no confirmation (a safe command
 * that changes no files); `r` runs what needs a key, and asks for a typed `yes` first where that is needed
 * (`-y` stands in for it); `e` edit, `v` revise, `x` explain, `c` copy, `q` / Esc / Ctrl-D cancel, Ctrl-C
 * interrupt. A refused command never produces a `run` effect, whatever is pressed, and its hints offer no `r`.
 *
 * Exit codes chosen here: cancel → 4 ("confirmation not given", as documented for exit code 4), or 3 when the
 * command on screen is refused (the same code a non-interactive run gives it); Ctrl-C → 130.
 */
import {
  decideConsent,
  declinedExitCode,
  type ConsentContext,
  type ConsentDecision,
} from "../../core/consent.js";
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
  /** Typing `yes` to run a command that needs it. */
  | { kind: "confirm"; editor: LineEditorState }
  /** Waiting for the driver to finish an effect; only Ctrl-C is handled. */
  | { kind: "working"; label: string };

export interface MenuState {
  /** The command on screen and its verdict. */
  outcome: CommandOutcome;
  screen: MenuScreen;
  /** How cmdai was called (mode, `-y`): each command on screen gets `decideConsent(…, consentContext)`. */
  consentContext: ConsentContext;
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
export function createMenuState(outcome: CommandOutcome, consentContext: ConsentContext): MenuState {
  return { outcome, screen: { kind: "choose" }, consentContext, notice: undefined };
}

/** What the command on screen may do: run on Enter, on `r`, after a typed `yes`, or never. */
export function consentOf(state: Pick<MenuState, "outcome" | "consentContext">): ConsentDecision {
  return decideConsent(state.outcome.risk, state.outcome.preview, state.consentContext);
}

/** A key the main screen offers, with its label for the hint line. */
export interface OfferedKey {
  key: string;
  label: string;
}

/** The keys on offer for the command on screen: the hint line and the key help list exactly these. */
export function offeredKeys(state: Pick<MenuState, "outcome" | "consentContext">): OfferedKey[] {
  const consent = consentOf(state);
  const run: OfferedKey[] =
    consent.action === "run"
      ? [{ key: "r", label: "run (or Enter)" }]
      : consent.action === "askKey"
        ? [{ key: "r", label: "run" }]
        : consent.action === "askTypedYes"
          ? [{ key: "r", label: "run (type yes)" }]
          : [];
  const explain = consent.action === "refuse" ? [] : [{ key: "x", label: "explain" }];
  return [
    ...run,
    { key: "e", label: "edit" },
    { key: "v", label: "revise" },
    ...explain,
    { key: "c", label: "copy" },
    { key: "q", label: "cancel" },
  ];
}

function choose(state: MenuState, notice: string | undefined): MenuState {
  return { ...state, screen: { kind: "choose" }, notice };
}

function keysNotice(state: MenuState): string {
  return `Keys: ${offeredKeys(state)
    .map((offered) => `${offered.key} ${offered.label.replace(" (or Enter)", "")}`)
    .join(", ")}.`;
}

function refusedNotice(consent: ConsentDecision): string {
  return `${consent.reason.charAt(0).toUpperCase()}${consent.reason.slice(1)}. This command will not run: edit (e), revise (v), copy (c) or cancel (q).`;
}

/** `r`: run what needs no more, ask for `yes` where needed, refuse what never runs. */
function pressRun(state: MenuState): MenuStep {
  const consent = consentOf(state);
  switch (consent.action) {
    case "refuse":
    case "show":
      return { state: choose(state, refusedNotice(consent)), effect: NONE };
    case "askTypedYes":
      return {
        state: { ...state, screen: { kind: "confirm", editor: createLineEditor() }, notice: undefined },
        effect: NONE,
      };
    case "askKey":
    case "run":
      return { state, effect: { kind: "run", command: state.outcome.command } };
  }
}

/** Enter: runs only what needs no confirmation; says what it takes otherwise. */
function pressEnter(state: MenuState): MenuStep {
  const consent = consentOf(state);
  switch (consent.action) {
    case "run":
      return { state, effect: { kind: "run", command: state.outcome.command } };
    case "askKey":
      return {
        state: choose(state, `Enter runs only safe commands: press r to run this one (${consent.reason}).`),
        effect: NONE,
      };
    case "askTypedYes":
      return {
        state: choose(
          state,
          `Enter runs only safe commands: press r and type yes to run this one (${consent.reason}).`,
        ),
        effect: NONE,
      };
    case "refuse":
    case "show":
      return { state: choose(state, refusedNotice(consent)), effect: NONE };
  }
}

function onChooseScreen(state: MenuState, key: Key): MenuStep {
  const { outcome } = state;
  const cancel: MenuStep = {
    state,
    effect: { kind: "cancel", exitCode: declinedExitCode(consentOf(state)) },
  };
  if (key.name === "enter") return pressEnter(state);
  if (key.name === "escape") return cancel;
  if (key.name === "control" && key.letter === "d") return cancel;
  if (key.name !== "text") return { state, effect: NONE };
  const letter = key.text.toLowerCase();
  // `r` on a refused command says why it will not run; any other key not on offer lists those that are.
  if (letter !== "r" && !offeredKeys(state).some((offered) => offered.key === letter)) {
    return { state: choose(state, keysNotice(state)), effect: NONE };
  }
  switch (letter) {
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
      return cancel;
    default:
      return { state: choose(state, keysNotice(state)), effect: NONE };
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
  const consent = consentOf(state);
  const runs = consent.action === "askTypedYes" || consent.action === "askKey" || consent.action === "run";
  if (editorText(step.state).trim().toLowerCase() === "yes" && runs) {
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

/**
 * What the menu looks like, as pure functions of its state: the outcome block (command, risk badge,
 * reasons, explanation, shell) printed whenever the command changes, and the one prompt line at the bottom
 * that is redrawn in place (key hints, or an inline editor scrolled to fit the terminal's width).
 */
import type { ConsentDecision } from "../../core/consent.js";
import type { CommandOutcome } from "../../core/generate-command.js";
import { painter } from "../colors.js";
import { describeVerdict } from "../render-verdict.js";
import { offeredKeys, type MenuState } from "./menu-state.js";

/**
 * The block shown for a command: the command, its verdict (with the effect preview, marked "counting…" while
 * `countingPreview`), its explanation, and the target shell.
 */
export function renderOutcomeBlock(
  outcome: CommandOutcome,
  consent: ConsentDecision,
  color: boolean,
  options: { countingPreview?: boolean } = {},
): string {
  const paint = painter(color);
  const lines = [`${paint.dim("$")} ${paint.bold(paint.cyan(outcome.command))}`];
  lines.push(describeVerdict(outcome, consent, color, options).trimEnd());
  if (outcome.explanation !== undefined && outcome.explanation.trim() !== "") {
    lines.push(paint.dim("explanation:"));
    for (const line of outcome.explanation.trim().split("\n")) lines.push(`  ${line}`);
  }
  lines.push(`${paint.dim("shell:")} ${outcome.shell}`);
  return `${lines.join("\n")}\n`;
}

/** The key hints for the main screen: exactly the keys on offer (a refused command offers no way to run). */
export function keyHints(state: Pick<MenuState, "outcome" | "consentContext">, color: boolean): string {
  const paint = painter(color);
  return offeredKeys(state)
    .map((offered) => {
      const enter = offered.label.endsWith(" (or Enter)");
      const label = enter ? offered.label.slice(0, -" (or Enter)".length) : offered.label;
      return `${paint.bold(offered.key)} ${label}${enter ? ` ${paint.dim("(or Enter)")}` : ""}`;
    })
    .join(paint.dim(" · "));
}

/** A prompt line: text and the column the terminal cursor belongs in. */
export interface PromptLine {
  text: string;
  /** 0-based column of the cursor; undefined hides nothing and leaves the cursor at the end. */
  cursorColumn: number | undefined;
}

/**
 * An editor line that fits in `width` columns: when prompt + text is too wide, a window of the text around
 * the cursor is shown, with `…` where text is cut. Counts one column per code point.
 */
export function windowedEditorLine(
  prompt: string,
  characters: readonly string[],
  cursor: number,
  width: number,
): PromptLine {
  const available = Math.max(8, width - prompt.length - 1);
  if (characters.length <= available) {
    return { text: `${prompt}${characters.join("")}`, cursorColumn: prompt.length + cursor };
  }
  // Keep the cursor inside the window, preferring to show the text before it.
  const innerWidth = available - 2;
  let start = Math.max(0, cursor - innerWidth + 1);
  start = Math.min(start, Math.max(0, characters.length - innerWidth));
  const end = Math.min(characters.length, start + innerWidth);
  const before = start > 0 ? "…" : "";
  const after = end < characters.length ? "…" : "";
  return {
    text: `${prompt}${before}${characters.slice(start, end).join("")}${after}`,
    cursorColumn: prompt.length + before.length + (cursor - start),
  };
}

/** The bottom line for the current screen. Prompts are plain text so their length is their width. */
export function renderPromptLine(state: MenuState, options: { color: boolean; width: number }): PromptLine {
  const { screen } = state;
  switch (screen.kind) {
    case "choose":
      return { text: keyHints(state, options.color), cursorColumn: undefined };
    case "edit":
      return windowedEditorLine("edit> ", screen.editor.characters, screen.editor.cursor, options.width);
    case "revise":
      return windowedEditorLine(
        "what should change?> ",
        screen.editor.characters,
        screen.editor.cursor,
        options.width,
      );
    case "confirm":
      return windowedEditorLine(
        `type yes to run this ${state.outcome.risk.level}-risk command> `,
        screen.editor.characters,
        screen.editor.cursor,
        options.width,
      );
    case "working":
      return { text: `${screen.label}… (Ctrl-C to stop)`, cursorColumn: undefined };
  }
}

/**
 * The terminal driver of the consent menu: raw-mode keys in, the pure state machine in `menu-state.ts` in
 * the middle, rendering on stderr out. Effects that need the outside world (re-assessing an edited command,
 * regenerating, finishing a preview) come from core's {@link MenuSession}, copying from the caller, so the
 * menu never imports a backend or the safety engine.
 * The terminal is restored on every way out (run, cancel, Ctrl-C, an error, process exit).
 */
import { declinedExitCode } from "../../core/consent.js";
import type { CommandOutcome } from "../../core/generate-command.js";
import type { MenuSession } from "../../core/request-flow.js";
import type { CliIo } from "../io.js";
import { painter } from "../colors.js";
import {
  consentOf,
  createMenuState,
  menuAfterWork,
  reduceMenu,
  type MenuEffect,
  type MenuState,
} from "./menu-state.js";
import { parseKeys } from "./parse-keys.js";
import { renderOutcomeBlock, renderPromptLine } from "./render-menu.js";
import { renderPreview } from "../render-preview.js";

/** Terminal rows `text` (lines ending in newlines) takes at `columns` wide, colour codes not counted. */
export function rowsOf(text: string, columns: number): number {
  // eslint-disable-next-line no-control-regex -- SGR sequences take no columns
  const lines = text.replace(/\u001b\[[0-9;]*m/g, "").split("\n");
  lines.pop();
  return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(Array.from(line).length / columns)), 0);
}

/** How the menu ended. `outcome` is the command on screen at that moment (edited or revised). */
export type MenuResult =
  | { action: "run"; outcome: CommandOutcome }
  | { action: "copied"; outcome: CommandOutcome; method: string }
  | { action: "cancel"; outcome: CommandOutcome; exitCode: number }
  | { action: "interrupt"; outcome: CommandOutcome; exitCode: number };

export interface RunMenuOptions {
  io: CliIo;
  color: boolean;
  /** Judging edits, regenerating, finishing previews, and the consent context (mode, `-y`). */
  session: MenuSession;
  /** Put the command on the clipboard; resolves with how (e.g. `xclip`, `OSC 52`). */
  copy: (command: string) => Promise<string>;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const hint = (error as { hint?: unknown }).hint;
    return typeof hint === "string" ? `${error.message} (${hint})` : error.message;
  }
  return String(error);
}

/** Show the menu for `outcome` and resolve with what the user chose. Needs a TTY on stdin. */
export function runMenu(outcome: CommandOutcome, options: RunMenuOptions): Promise<MenuResult> {
  return new Promise<MenuResult>((resolve, reject) => {
    new MenuDriver(outcome, options, resolve).start(reject);
  });
}

/** One menu on screen: its state, what is drawn, the work in flight, and the terminal it borrowed. */
class MenuDriver {
  private state: MenuState;
  private shownOutcome: CommandOutcome | undefined;
  private shownNotice: string | undefined;
  /** Rows from the first row of the outcome block on screen down to the prompt line (notices included). */
  private blockRows = 0;
  private work: AbortController | undefined;
  private refining: AbortController | undefined;
  private finished = false;
  private readonly wasRaw: boolean;
  private readonly onData = (chunk: string | Buffer): void => {
    for (const key of parseKeys(typeof chunk === "string" ? chunk : chunk.toString("utf8"))) {
      if (this.finished) return;
      const step = reduceMenu(this.state, key);
      this.state = step.state;
      this.perform(step.effect);
    }
  };
  private readonly onEnd = (): void => {
    const exitCode = declinedExitCode(consentOf(this.state));
    this.finish({ action: "cancel", outcome: this.state.outcome, exitCode }, "Input closed; nothing ran.\n");
  };
  private readonly restore = (): void => {
    const stdin = this.options.io.stdin;
    stdin.off("data", this.onData);
    stdin.off("end", this.onEnd);
    process.off("exit", this.restore);
    stdin.setRawMode?.(this.wasRaw);
    stdin.pause();
  };

  constructor(
    outcome: CommandOutcome,
    private readonly options: RunMenuOptions,
    private readonly resolve: (result: MenuResult) => void,
  ) {
    this.state = createMenuState(outcome, options.session.consentContext);
    this.wasRaw = (options.io.stdin as { isRaw?: boolean }).isRaw === true;
  }

  /** Take the terminal (raw mode, restored on every way out) and draw the first screen. */
  start(reject: (error: Error) => void): void {
    const stdin = this.options.io.stdin;
    try {
      stdin.setRawMode?.(true);
      process.once("exit", this.restore);
      stdin.on("data", this.onData);
      stdin.once("end", this.onEnd);
      stdin.resume();
      this.draw();
    } catch (error) {
      this.restore();
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private finish(result: MenuResult, closingText: string): void {
    if (this.finished) return;
    this.finished = true;
    this.work?.abort();
    this.refining?.abort();
    this.restore();
    this.options.io.stderr.write(`\r\u001b[2K${closingText}`);
    this.resolve(result);
  }

  /** The outcome block when the command changed, a new notice, and the prompt line, redrawn in place. */
  private draw(): void {
    const { io, color } = this.options;
    const columns = Math.max(20, io.stderr.columns ?? 80);
    let output = "\r\u001b[2K";
    if (this.state.outcome !== this.shownOutcome) {
      const counting = this.state.outcome.preview?.truncated === true;
      const block = renderOutcomeBlock(this.state.outcome, consentOf(this.state), color, {
        countingPreview: counting,
      });
      output += `\n${block}`;
      this.blockRows = rowsOf(block, columns);
      this.shownOutcome = this.state.outcome;
      this.refining?.abort();
      if (counting) this.refine(this.state.outcome);
    }
    if (this.state.notice !== undefined && this.state.notice !== this.shownNotice) {
      const notice = `${painter(color).yellow(this.state.notice)}\n`;
      output += notice;
      this.blockRows += rowsOf(notice, columns);
    }
    this.shownNotice = this.state.notice;
    const line = renderPromptLine(this.state, { color, width: Math.max(20, io.stderr.columns ?? 80) });
    output += line.text;
    if (line.cursorColumn !== undefined)
      output += `\r${line.cursorColumn > 0 ? `\u001b[${line.cursorColumn}C` : ""}`;
    io.stderr.write(output);
  }

  /** Counts on in the background and prints the finished preview, if the same command is still on screen. */
  private refine(shown: CommandOutcome): void {
    const controller = new AbortController();
    this.refining = controller;
    this.options.session.refinePreview(shown, controller.signal).then(
      (refined) => {
        if (controller.signal.aborted || this.state.outcome !== shown || refined.preview === undefined)
          return;
        this.state = { ...this.state, outcome: refined };
        this.redrawBlock(refined, renderPreview(refined.preview, { color: this.options.color }));
      },
      () => {
        // The quick count stays on screen ("at least …").
      },
    );
  }

  /**
   * Replace the outcome block on screen with `outcome`'s (the finished count in place of "counting…"): up to
   * its first row, clear below, draw it again. A block taller than the screen has scrolled out of reach;
   * then only `fallback` is printed under it.
   */
  private redrawBlock(outcome: CommandOutcome, fallback: string): void {
    const { io, color } = this.options;
    const columns = Math.max(20, io.stderr.columns ?? 80);
    const screenRows = (io.stderr as { rows?: number }).rows ?? 24;
    this.shownOutcome = outcome;
    if (this.blockRows === 0 || this.blockRows >= screenRows) {
      io.stderr.write(`\r\u001b[2K${fallback}`);
      this.draw();
      return;
    }
    const block = renderOutcomeBlock(outcome, consentOf(this.state), color);
    const notice = this.shownNotice === undefined ? "" : `${painter(color).yellow(this.shownNotice)}\n`;
    io.stderr.write(`\r\u001b[2K\u001b[${this.blockRows}A\u001b[J${block}${notice}`);
    this.blockRows = rowsOf(block + notice, columns);
    this.draw();
  }

  /** Run an effect's work; its result (or why it failed) comes back into the state machine. */
  private startWork(
    task: (signal: AbortSignal) => Promise<{ outcome: CommandOutcome; notice?: string }>,
  ): void {
    const controller = new AbortController();
    this.work = controller;
    const settle = (result: Parameters<typeof menuAfterWork>[1]): void => {
      if (this.finished || controller.signal.aborted) return;
      this.work = undefined;
      this.state = menuAfterWork(this.state, result);
      this.draw();
    };
    task(controller.signal).then(settle, (error: unknown) => {
      settle({ error: `Failed: ${errorMessage(error)}` });
    });
  }

  private perform(effect: MenuEffect): void {
    const { outcome } = this.state;
    switch (effect.kind) {
      case "none":
        this.draw();
        return;
      case "run":
        this.finish({ action: "run", outcome }, "\n");
        return;
      case "cancel":
        this.finish({ action: "cancel", outcome, exitCode: effect.exitCode }, "Cancelled; nothing ran.\n");
        return;
      case "interrupt":
        this.finish(
          { action: "interrupt", outcome, exitCode: effect.exitCode },
          "Interrupted; nothing ran.\n",
        );
        return;
      case "assess":
        this.draw();
        this.startWork(async () => ({ outcome: await this.options.session.assess(effect.command) }));
        return;
      case "revise":
        this.draw();
        this.startWork(async (signal) => ({
          outcome: await this.options.session.regenerate(
            {
              revision: { previousCommand: effect.previousCommand, feedback: effect.feedback },
              wantExplanation: outcome.explanation !== undefined,
            },
            signal,
          ),
        }));
        return;
      case "explain":
        this.draw();
        this.startWork((signal) => this.explain(effect.command, signal));
        return;
      case "copy":
        this.copy(effect.command);
        return;
    }
  }

  /** Ask for an explanation of exactly this command; say so when the backend changed it anyway. */
  private async explain(
    command: string,
    signal: AbortSignal,
  ): Promise<{ outcome: CommandOutcome; notice?: string }> {
    const explained = await this.options.session.regenerate(
      {
        revision: {
          previousCommand: command,
          feedback: "Keep this exact command unchanged and explain what each part of it does.",
        },
        wantExplanation: true,
      },
      signal,
    );
    return explained.command === command
      ? { outcome: explained }
      : {
          outcome: explained,
          notice: "The backend changed the command while explaining it; check it again.",
        };
  }

  private copy(command: string): void {
    this.options.copy(command).then(
      (method) => {
        this.finish(
          { action: "copied", outcome: this.state.outcome, method },
          `Copied to the clipboard (${method}).\n`,
        );
      },
      (error: unknown) => {
        this.state = menuAfterWork(this.state, { error: `Could not copy: ${errorMessage(error)}` });
        this.draw();
      },
    );
  }
}

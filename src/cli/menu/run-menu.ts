/**
 * The terminal driver of the consent menu: raw-mode keys in, the pure state machine in `menu-state.ts` in
 * the middle, rendering on stderr out. Effects that need the outside world (re-assessing an edited command,
 * regenerating, copying) are injected callbacks, so the menu never imports a backend or the safety engine.
 * The terminal is restored on every way out (run, cancel, Ctrl-C, an error, process exit).
 */
import type { CommandOutcome } from "../../core/generate-command.js";
import type { CliIo } from "../io.js";
import { painter } from "../colors.js";
import {
  cancelExitCode,
  createMenuState,
  menuAfterWork,
  reduceMenu,
  type MenuEffect,
  type MenuState,
} from "./menu-state.js";
import { parseKeys } from "./parse-keys.js";
import { renderOutcomeBlock, renderPromptLine } from "./render-menu.js";
import { renderPreview } from "../render-preview.js";

/** What the menu needs from the rest of cmdai. */
export interface MenuCallbacks {
  /** Judge an edited command; resolves with the outcome to show (same request, new command and verdict). */
  assess: (command: string) => Promise<CommandOutcome>;
  /** Ask the backend again: with the previous command and feedback (revise), or for an explanation. */
  regenerate: (
    options: {
      revision?: { previousCommand: string; feedback: string } | undefined;
      wantExplanation: boolean;
    },
    signal: AbortSignal,
  ) => Promise<CommandOutcome>;
  /** Put the command on the clipboard; resolves with how (e.g. `xclip`, `OSC 52`). */
  copy: (command: string) => Promise<string>;
  /**
   * Finish counting an effect preview that the quick first pass cut short (`preview.truncated`): the menu
   * shows "counting…" under it and prints the finished preview when this resolves. Optional.
   */
  refinePreview?: (outcome: CommandOutcome, signal: AbortSignal) => Promise<CommandOutcome>;
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
  /** `-y`: confirm-level commands run on `r` without a typed `yes`. */
  assumeYes: boolean;
  callbacks: MenuCallbacks;
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
  const { io, callbacks } = options;
  const paint = painter(options.color);
  const width = (): number => Math.max(20, io.stderr.columns ?? 80);
  let state: MenuState = createMenuState(outcome, { assumeYes: options.assumeYes });
  let shownOutcome: CommandOutcome | undefined;
  let shownNotice: string | undefined;
  let work: AbortController | undefined;
  let refining: AbortController | undefined;

  /** Counts on in the background and prints the finished preview, if the same command is still on screen. */
  const refine = (shown: CommandOutcome): void => {
    const refinePreview = callbacks.refinePreview;
    if (refinePreview === undefined) return;
    refining?.abort();
    const controller = new AbortController();
    refining = controller;
    refinePreview(shown, controller.signal).then(
      (refined) => {
        if (controller.signal.aborted || state.outcome !== shown || refined.preview === undefined) return;
        state = { ...state, outcome: refined };
        shownOutcome = refined;
        io.stderr.write(`\r\u001b[2K${renderPreview(refined.preview, { color: options.color })}`);
        draw();
      },
      () => {
        // The quick count stays on screen ("at least …").
      },
    );
  };

  const draw = (): void => {
    let output = "\r\u001b[2K";
    if (state.outcome !== shownOutcome) {
      const counting = state.outcome.preview?.truncated === true && callbacks.refinePreview !== undefined;
      output += `\n${renderOutcomeBlock(state.outcome, options.color, { countingPreview: counting })}`;
      shownOutcome = state.outcome;
      refining?.abort();
      if (counting) refine(state.outcome);
    }
    if (state.notice !== undefined && state.notice !== shownNotice) {
      output += `${paint.yellow(state.notice)}\n`;
    }
    shownNotice = state.notice;
    const line = renderPromptLine(state, { color: options.color, width: width() });
    output += line.text;
    if (line.cursorColumn !== undefined)
      output += `\r${line.cursorColumn > 0 ? `\u001b[${line.cursorColumn}C` : ""}`;
    io.stderr.write(output);
  };

  return new Promise<MenuResult>((resolve, reject) => {
    const stdin = io.stdin;
    const wasRaw = (stdin as { isRaw?: boolean }).isRaw === true;
    const restore = (): void => {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      process.off("exit", restore);
      stdin.setRawMode?.(wasRaw);
      stdin.pause();
    };
    let finished = false;
    const finish = (result: MenuResult, closingText: string): void => {
      if (finished) return;
      finished = true;
      work?.abort();
      refining?.abort();
      restore();
      io.stderr.write(`\r\u001b[2K${closingText}`);
      resolve(result);
    };
    const startWork = (
      task: (signal: AbortSignal) => Promise<{ outcome: CommandOutcome; notice?: string }>,
    ): void => {
      const controller = new AbortController();
      work = controller;
      task(controller.signal).then(
        (result) => {
          if (finished || controller.signal.aborted) return;
          work = undefined;
          state = menuAfterWork(state, result);
          draw();
        },
        (error: unknown) => {
          if (finished || controller.signal.aborted) return;
          work = undefined;
          state = menuAfterWork(state, { error: `Failed: ${errorMessage(error)}` });
          draw();
        },
      );
    };
    const perform = (effect: MenuEffect): void => {
      switch (effect.kind) {
        case "none":
          draw();
          return;
        case "run":
          finish({ action: "run", outcome: state.outcome }, "\n");
          return;
        case "cancel":
          finish(
            { action: "cancel", outcome: state.outcome, exitCode: effect.exitCode },
            "Cancelled; nothing ran.\n",
          );
          return;
        case "interrupt":
          finish(
            { action: "interrupt", outcome: state.outcome, exitCode: effect.exitCode },
            "Interrupted; nothing ran.\n",
          );
          return;
        case "assess":
          draw();
          startWork(async () => ({ outcome: await callbacks.assess(effect.command) }));
          return;
        case "revise":
          draw();
          startWork(async (signal) => ({
            outcome: await callbacks.regenerate(
              {
                revision: { previousCommand: effect.previousCommand, feedback: effect.feedback },
                wantExplanation: state.outcome.explanation !== undefined,
              },
              signal,
            ),
          }));
          return;
        case "explain":
          draw();
          startWork(async (signal) => {
            const explained = await callbacks.regenerate(
              {
                revision: {
                  previousCommand: effect.command,
                  feedback: "Keep this exact command unchanged and explain what each part of it does.",
                },
                wantExplanation: true,
              },
              signal,
            );
            return explained.command === effect.command
              ? { outcome: explained }
              : {
                  outcome: explained,
                  notice: "The backend changed the command while explaining it; check it again.",
                };
          });
          return;
        case "copy": {
          const command = effect.command;
          callbacks.copy(command).then(
            (method) => {
              finish(
                { action: "copied", outcome: state.outcome, method },
                `Copied to the clipboard (${method}).\n`,
              );
            },
            (error: unknown) => {
              state = menuAfterWork(state, { error: `Could not copy: ${errorMessage(error)}` });
              draw();
            },
          );
          return;
        }
      }
    };
    function onData(chunk: string | Buffer): void {
      for (const key of parseKeys(typeof chunk === "string" ? chunk : chunk.toString("utf8"))) {
        if (finished) return;
        const step = reduceMenu(state, key);
        state = step.state;
        perform(step.effect);
      }
    }
    function onEnd(): void {
      finish(
        { action: "cancel", outcome: state.outcome, exitCode: cancelExitCode(state.outcome) },
        "Input closed; nothing ran.\n",
      );
    }
    try {
      stdin.setRawMode?.(true);
      process.once("exit", restore);
      stdin.on("data", onData);
      stdin.once("end", onEnd);
      stdin.resume();
      draw();
    } catch (error) {
      restore();
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

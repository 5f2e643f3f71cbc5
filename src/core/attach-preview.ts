/**
 * Adds the effect preview to an outcome for the CLI's presenters. The budget depends on who waits: a program
 * reading JSON/YAML can wait longer for an exact count than a person at the menu, who gets "at least …" after a
 * fraction of a second instead.
 */
import type * as PreviewEffects from "../preview/preview-effects.js";
import type { CommandOutcome } from "./generate-command.js";

type PreviewModule = typeof PreviewEffects;

/** Milliseconds a preview may take for JSON/YAML output. */
export const DOCUMENT_PREVIEW_MS = 2_000;
/** Milliseconds a preview may take before a person sees the verdict (menu, plain output). */
export const INTERACTIVE_PREVIEW_MS = 300;
/** Limits of the second, background pass that finishes a count the menu's quick pass cut short. */
export const BACKGROUND_PREVIEW_BUDGET = { timeMs: 15_000, entries: 2_000_000 };

let previewModule: Promise<PreviewModule> | undefined;

/**
 * Start loading the preview module (and the shell parsing it shares with the safety engine, ~0.2 s on the
 * 2-core VM) without waiting: a request calls this as it starts, so the module loads while the model answers
 * instead of before the request can start.
 */
export function loadPreview(): Promise<PreviewModule> {
  previewModule ??= import("../preview/preview-effects.js");
  return previewModule;
}

/**
 * The outcome with `preview` set when its command changes files. A preview that fails (it should not) is
 * logged and left out: it is advice, never a reason to stop.
 */
export async function attachPreview(
  outcome: CommandOutcome,
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    timeMs: number;
    entries?: number;
    signal?: AbortSignal;
    log: (line: string) => void;
  },
): Promise<CommandOutcome> {
  const started = performance.now();
  try {
    const { previewEffects } = await loadPreview();
    const preview = await previewEffects(outcome.command, {
      shell: outcome.shell,
      cwd: options.cwd,
      env: options.env,
      budget: {
        timeMs: options.timeMs,
        ...(options.entries === undefined ? {} : { entries: options.entries }),
      },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (preview === undefined) return outcome;
    options.log(`preview: ${preview.summary} (${Math.round(performance.now() - started)} ms)`);
    return { ...outcome, preview };
  } catch (error) {
    options.log(`preview failed: ${(error as Error).message}`);
    return outcome;
  }
}

/**
 * The request flow: configuration → safety engine → backend → generated command → effect preview → consent →
 * run → audit log. The terminal is injected: the CLI shows, asks and draws progress through
 * {@link RequestCallbacks} and lets the user choose in its menu through a {@link MenuSession}; nothing here
 * reads argv, touches a terminal or exits. Consent is {@link decideConsent}'s alone.
 */
import type { ProgressEvent } from "../backends/backend.js";
import { InterruptedError, isAbortError } from "../errors.js";
import type { ConfirmDownload } from "../models/resolve-model-file.js";
import { BackendPool } from "./backend-pool.js";
import { decideConsent, declinedExitCode, type ConsentContext, type ConsentDecision } from "./consent.js";
import { executeOutcome } from "./execute-outcome.js";
import type { ChooseModelSource, FirstRunSettlement } from "./first-run-source.js";
import type { CommandOutcome } from "./generate-command.js";
import { createRequestGenerator, type RequestGenerator } from "./request-generator.js";
import type { RequestSetup } from "./request-setup.js";

/** One request, as the user asked for it. */
export interface RequestOptions {
  request: string;
  /** `--explain`. */
  explain: boolean;
  /** `-x`, `-y`, `--dry-run`. */
  execute: boolean;
  yes: boolean;
  dryRun: boolean;
  /** stdin and stderr are terminals: a person can be asked (the engine fails closed without one). */
  terminal: boolean;
  /** Aborts generation and previews (Ctrl-C); the flow then rejects with an InterruptedError. */
  signal: AbortSignal;
  /** cmdai's version and the script that starts its warm model server (absent when run from sources). */
  embedded: { version: string; warmServerEntry?: string | undefined };
}

/** What the flow asks of the menu: judge an edit, regenerate, finish a preview; and the consent it offers. */
export interface MenuSession {
  /** How cmdai was called: the menu gives each command on screen `decideConsent(…, consentContext)`. */
  consentContext: ConsentContext;
  /** Judge an edited command; resolves with the outcome to show (same request, new command and verdict). */
  assess: (command: string) => Promise<CommandOutcome>;
  /** Ask the backend that answered again: with the previous command and feedback (revise), or to explain. */
  regenerate: (
    options: {
      revision?: { previousCommand: string; feedback: string } | undefined;
      wantExplanation: boolean;
    },
    signal: AbortSignal,
  ) => Promise<CommandOutcome>;
  /** Finish counting a preview the quick first pass cut short (`preview.truncated`). */
  refinePreview: (outcome: CommandOutcome, signal: AbortSignal) => Promise<CommandOutcome>;
}

/** How the menu ended: run the command on screen, or leave with an exit code (cancelled, copied, Ctrl-C). */
export type MenuChoice =
  { action: "run"; outcome: CommandOutcome } | { action: "leave"; outcome: CommandOutcome; exitCode: number };

/** The terminal, as the flow sees it. */
export interface RequestCallbacks {
  /** `--verbose` diagnostics. */
  log: (line: string) => void;
  /** Problems that do not stop the request (a history file that cannot be written). */
  warn: (line: string) => void;
  /**
   * Progress of slow steps (downloading or loading a model, a server's status). The one channel for live
   * output, so more kinds of events (a status line, streamed tokens) need no new plumbing.
   */
  onProgress?: ((event: ProgressEvent) => void) | undefined;
  /**
   * The command of the first answer as it is generated (decoded from the answer's JSON; "" when another
   * backend starts over). Given only where a person watches the terminal.
   */
  onCommandText?: ((commandSoFar: string) => void) | undefined;
  /** Asked before a first large download; absent without a terminal. */
  confirmDownload?: ConfirmDownload | undefined;
  /**
   * Asked instead when no model is downloaded but a model server runs on this machine (Ollama, LM Studio …):
   * use it or download. Absent without a terminal (the error then names the server).
   */
  chooseModelSource?: ChooseModelSource | undefined;
  /** Show the command and what it needs (plain output; JSON/YAML documents are written by the CLI). */
  render: (outcome: CommandOutcome, consent: ConsentDecision) => void;
  /** Ask for the key or typed yes that `consent` names; resolves true when it was given. */
  confirm: (outcome: CommandOutcome, consent: ConsentDecision) => Promise<boolean>;
  /** The consent menu; given when a person is at a terminal with plain output. Not used with -x or --dry-run. */
  menu?: ((outcome: CommandOutcome, session: MenuSession) => Promise<MenuChoice>) | undefined;
  /**
   * The request's result, as soon as it is known: before its backends are freed (freeing an in-process
   * model takes ~0.1 s, and the warm server starts after it), so a JSON/YAML document need not wait for that.
   */
  finished?: ((result: RequestResult) => Promise<void>) | undefined;
}

/** How the request ended. */
export interface RequestResult {
  /** The command shown last (after any edit or revision) and its verdict. */
  outcome: CommandOutcome;
  /** The consent decision for it. */
  consent: ConsentDecision;
  executed: boolean;
  /** The command's own exit code when it ran, else what consent gives. */
  exitCode: number;
}

/** Run one request to its end. Rejects with a typed error (an InterruptedError after Ctrl-C). */
export async function runRequest(
  requestedSetup: RequestSetup,
  options: RequestOptions,
  callbacks: RequestCallbacks,
): Promise<RequestResult> {
  const startedAt = performance.now();
  const settled = await settleModelSource(requestedSetup, options, callbacks);
  const setup = settled.setup;
  const pool = new BackendPool(
    {
      config: setup.config,
      env: setup.env,
      paths: setup.paths,
      log: callbacks.log,
      assumeYes: options.yes || settled.downloadAgreed,
      modelOverride: setup.modelOverride,
      onProgress: callbacks.onProgress,
      confirmDownload: callbacks.confirmDownload,
      warmServerEntry: options.embedded.warmServerEntry,
    },
    { version: options.embedded.version, cwd: setup.cwd },
  );
  try {
    const generator = createRequestGenerator(setup, {
      request: options.request,
      terminal: options.terminal,
      signal: options.signal,
      pool,
      log: callbacks.log,
      notice: callbacks.warn,
    });
    const { onProgress, onCommandText } = callbacks;
    const outcome = await generator.generate({
      wantExplanation: options.explain,
      live:
        onProgress === undefined || onCommandText === undefined ? undefined : { onProgress, onCommandText },
    });
    callbacks.log(describeAnswer(outcome, performance.now() - startedAt));
    const documentOutput = setup.config.output !== "plain";
    const context: ConsentContext = {
      mode: setup.config.safety.mode,
      // Never prompt when the output is for a program (--output json|yaml).
      interactive: options.terminal && !documentOutput,
      menu:
        callbacks.menu !== undefined &&
        options.terminal &&
        !documentOutput &&
        !options.execute &&
        !options.dryRun,
      execute: options.execute,
      yes: options.yes,
      dryRun: options.dryRun,
    };
    const run = (chosen: CommandOutcome): Promise<number> =>
      executeOutcome(chosen, {
        cwd: setup.cwd,
        env: setup.env,
        paths: setup.paths,
        history: setup.config.history.enabled,
        stdoutToStderr: documentOutput,
        edited: generator.wasEdited(chosen.command),
        warn: callbacks.warn,
      });
    const result =
      context.menu && callbacks.menu !== undefined
        ? await consentInMenu(outcome, { context, generator, menu: callbacks.menu, run })
        : await consentWithoutMenu(outcome, { context, callbacks, run });
    await callbacks.finished?.(result);
    return result;
  } catch (error) {
    throw isAbortError(error) || options.signal.aborted ? new InterruptedError() : error;
  } finally {
    await pool.disposeAll();
  }
}

/**
 * Where the answer comes from when the embedded backend has no model yet (a running local server, or the
 * download). Model management is loaded only when the embedded backend could need a download.
 */
async function settleModelSource(
  setup: RequestSetup,
  options: RequestOptions,
  callbacks: RequestCallbacks,
): Promise<FirstRunSettlement> {
  const mayNeedModel =
    setup.config.backend === "embedded" &&
    !setup.backendIsExplicit &&
    setup.modelOverride === undefined &&
    !options.yes &&
    !setup.config.auto_download;
  if (!mayNeedModel) return { setup, downloadAgreed: false };
  const { settleFirstRun } = await import("./first-run-source.js");
  return settleFirstRun(setup, {
    assumeYes: options.yes,
    choose: callbacks.chooseModelSource,
    signal: options.signal,
  });
}

/** The `--verbose` line about the answer: who answered, how fast, how many tokens, and the verdict. */
function describeAnswer(outcome: CommandOutcome, elapsedMs: number): string {
  const usage = outcome.usage;
  const tokens =
    usage === undefined
      ? ""
      : `${usage.promptTokens} prompt tokens (${usage.cachedPromptTokens ?? 0} cached), ${usage.answerTokens} answer tokens; `;
  const { promptEval, answer } = outcome.timingsMs;
  // The model's own share of the time (embedded): the bench sets it against llama.cpp's for the same tokens.
  const modelTime =
    promptEval === undefined || answer === undefined
      ? ""
      : `model time: prompt ${Math.round(promptEval)} ms, answer ${Math.round(answer)} ms; `;
  return (
    `answered by ${outcome.backend} (${outcome.model}) in ${Math.round(elapsedMs)} ms; ${tokens}${modelTime}` +
    `level ${outcome.risk.level}, decision ${outcome.risk.decision} (judged in ${Math.round(outcome.timingsMs.assess)} ms)`
  );
}

/** The plain path, `-x` and JSON output: decide, show, ask where it may, run only with consent. */
async function consentWithoutMenu(
  outcome: CommandOutcome,
  flow: {
    context: ConsentContext;
    callbacks: RequestCallbacks;
    run: (chosen: CommandOutcome) => Promise<number>;
  },
): Promise<RequestResult> {
  const consent = decideConsent(outcome.risk, outcome.preview, flow.context);
  flow.callbacks.render(outcome, consent);
  switch (consent.action) {
    case "run":
      return { outcome, consent, executed: true, exitCode: await flow.run(outcome) };
    case "askKey":
    case "askTypedYes":
      if (await flow.callbacks.confirm(outcome, consent)) {
        return { outcome, consent, executed: true, exitCode: await flow.run(outcome) };
      }
      return { outcome, consent, executed: false, exitCode: declinedExitCode(consent) };
    case "refuse":
    case "show":
      return { outcome, consent, executed: false, exitCode: consent.exitCode };
  }
}

/** The menu: the user edits, revises, explains and chooses; what it runs is checked against consent again. */
async function consentInMenu(
  outcome: CommandOutcome,
  flow: {
    context: ConsentContext;
    generator: RequestGenerator;
    menu: (outcome: CommandOutcome, session: MenuSession) => Promise<MenuChoice>;
    run: (chosen: CommandOutcome) => Promise<number>;
  },
): Promise<RequestResult> {
  const { generator } = flow;
  const choice = await flow.menu(outcome, {
    consentContext: flow.context,
    assess: (command) => generator.assessEdit(outcome, command),
    // Revise and explain ask the backend that answered, reusing its loaded model.
    regenerate: (regeneration, signal) =>
      generator.generate({ ...regeneration, backend: outcome.backend, signal }),
    refinePreview: (shown, signal) => generator.refinePreview(shown, signal),
  });
  const consent = decideConsent(choice.outcome.risk, choice.outcome.preview, flow.context);
  if (choice.action === "leave")
    return { outcome: choice.outcome, consent, executed: false, exitCode: choice.exitCode };
  // The menu offers no way to run a refused command; this keeps it so whatever the menu does.
  if (consent.action === "refuse") {
    return { outcome: choice.outcome, consent, executed: false, exitCode: consent.exitCode };
  }
  return { outcome: choice.outcome, consent, executed: true, exitCode: await flow.run(choice.outcome) };
}

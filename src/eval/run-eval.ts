/**
 * `cmdai eval`: every prompt of a suite through the normal generation path (core's `generateCommand` with the
 * configured backend, cmdai's prompt and answer parser, shell bash, the sandbox's context), the safety engine's
 * verdict on each command, then the generated and the reference commands each in a fresh sandboxed copy of the
 * prompt's setup, judged by {@link judgeExecution}. Nothing here touches the terminal; progress is a callback.
 */
import type { ExecutionContext, ProgressEvent } from "../backends/backend.js";
import { BackendPool } from "../core/backend-pool.js";
import { createAssessor } from "../core/create-assessor.js";
import { gatherContext } from "../core/gather-context.js";
import { generateCommand, type CommandOutcome } from "../core/generate-command.js";
import type { RequestSetup } from "../core/request-setup.js";
import { CmdaiError, InterruptedError, isAbortError } from "../errors.js";
import type { ConfirmDownload } from "../models/resolve-model-file.js";
import { summarize, type EvalRecord, type EvalSummary } from "./eval-record.js";
import { loadEvalSuite, type EvalPrompt, type EvalSuiteName } from "./eval-suites.js";
import { EvalWorkspace } from "./eval-workspace.js";
import { judgeExecution } from "./judge-execution.js";
import { appendResumeRecord, openResumeFile } from "./resume-file.js";
import { openSandbox, type SandboxOptions } from "./sandbox.js";

export interface EvalOptions {
  suite: EvalSuiteName;
  /** The prompts to run. Default: the suite's, from `data/eval/`. */
  prompts?: EvalPrompt[] | undefined;
  /** Only the first N prompts. Default: all. */
  limit?: number | undefined;
  /** Prompts in flight at once (generation stays one at a time on the embedded backend). Default 1. */
  jobs?: number | undefined;
  /** JSON-lines file to continue from and append to. */
  resumeFile?: string | undefined;
  signal: AbortSignal;
  /** cmdai's version and the warm server's entry script, as for a request. */
  embedded: { version: string; warmServerEntry?: string | undefined };
  sandbox?: SandboxOptions | undefined;
}

export interface EvalCallbacks {
  log: (line: string) => void;
  /** After each prompt (resumed ones included, at the start). */
  onRecord?: ((record: EvalRecord, done: number, total: number) => void) | undefined;
  onProgress?: ((event: ProgressEvent) => void) | undefined;
  confirmDownload?: ConfirmDownload | undefined;
}

export interface EvalReport {
  suite: EvalSuiteName;
  backend: string;
  model: string | undefined;
  summary: EvalSummary;
  records: EvalRecord[];
}

/** The machine as the model is told about it: the sandbox's, with `/` as the working folder. */
function sandboxContext(): ExecutionContext {
  return gatherContext({
    shell: "bash",
    cwd: "/",
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
  });
}

/** Failures that stop the whole run (every other prompt would fail the same way). */
function isFatal(error: unknown): boolean {
  if (isAbortError(error)) return true;
  if (!(error instanceof CmdaiError)) return true;
  return !["answer_unparseable", "backend_timeout", "backend_http", "backend_protocol"].includes(error.code);
}

/** Run the suite; rejects with the typed error that stopped it (SandboxUnavailableError before any prompt). */
export async function runEval(
  setup: RequestSetup,
  options: EvalOptions,
  callbacks: EvalCallbacks,
): Promise<EvalReport> {
  const sandbox = openSandbox(options.sandbox);
  const prompts = (options.prompts ?? loadEvalSuite(options.suite)).slice(0, options.limit);
  const model = setup.modelOverride ?? setup.config.model;
  const done = new Map<number, EvalRecord>(
    options.resumeFile === undefined
      ? []
      : openResumeFile(options.resumeFile, {
          cmdaiEval: 1,
          suite: options.suite,
          backend: setup.config.backend,
          model,
        }),
  );
  for (const record of done.values()) callbacks.onRecord?.(record, done.size, prompts.length);
  const assess = await createAssessor(setup.config.safety);
  const context = sandboxContext();
  const pool = new BackendPool(
    {
      config: setup.config,
      env: setup.env,
      paths: setup.paths,
      log: callbacks.log,
      assumeYes: false,
      modelOverride: setup.modelOverride,
      onProgress: callbacks.onProgress,
      confirmDownload: callbacks.confirmDownload,
      warmServerEntry: options.embedded.warmServerEntry,
    },
    { version: options.embedded.version, cwd: "/" },
  );
  const workspace = new EvalWorkspace(sandbox);
  // One model in this process answers one request at a time; servers take as many as --jobs sends.
  let generation: Promise<unknown> = Promise.resolve();
  const serialize = setup.config.backend === "embedded";
  const generate = (prompt: EvalPrompt): Promise<CommandOutcome> => {
    const run = (): Promise<CommandOutcome> =>
      generateCommand(
        {
          request: prompt.request,
          shell: "bash",
          config: setup.config,
          backendIsExplicit: true,
          wantExplanation: false,
          interactive: false,
          signal: options.signal,
        },
        {
          createBackend: (name) => pool.get(name),
          assess,
          gatherContext: () => context,
          log: callbacks.log,
          // A fallback to another backend would score a different model: it is named in the log.
          notice: callbacks.log,
          now: () => performance.now(),
        },
      );
    if (!serialize) return run();
    const next = generation.then(run, run);
    generation = next.catch(() => undefined);
    return next;
  };
  const evaluate = async (prompt: EvalPrompt): Promise<EvalRecord> => {
    const base = {
      index: prompt.index,
      request: prompt.request,
      difficulty: prompt.difficulty,
      setup: prompt.setup,
      references: prompt.references,
    };
    const startedAt = performance.now();
    let outcome: CommandOutcome;
    try {
      outcome = await generate(prompt);
    } catch (error) {
      if (isFatal(error)) throw error;
      const unparseable = error instanceof CmdaiError && error.code === "answer_unparseable";
      return {
        ...base,
        status: unparseable ? "unparseable" : "backend_error",
        reason: (error as Error).message,
      };
    }
    const generated = {
      ...base,
      command: outcome.command,
      risk: { level: outcome.risk.level, decision: outcome.risk.decision },
      timeToCommandMs: performance.now() - startedAt,
      usage:
        outcome.usage === undefined
          ? undefined
          : { promptTokens: outcome.usage.promptTokens, answerTokens: outcome.usage.answerTokens },
    };
    if (outcome.risk.level === "critical") {
      return {
        ...generated,
        status: "blocked",
        reason: "rated critical: never executed, not even sandboxed",
      };
    }
    // The same text as a reference is an exact match (as the benchmark scores it); running it adds nothing.
    const sameText = prompt.references.findIndex((reference) => reference.trim() === outcome.command.trim());
    if (sameText >= 0) {
      return {
        ...generated,
        status: "exact",
        matchedReference: sameText,
        reason: "same text as the reference",
      };
    }
    const [run, ...references] = await Promise.all([
      workspace.execute(prompt.setup, outcome.command, options.signal),
      ...prompt.references.map((reference) => workspace.execute(prompt.setup, reference, options.signal)),
    ]);
    const judgement = judgeExecution(run, references, (await workspace.template(prompt.setup)).initial);
    return {
      ...generated,
      status: judgement.match === "none" ? "wrong" : judgement.match,
      execution: {
        exitCode: run.result.exitCode,
        timedOut: run.result.timedOut,
        outputTruncated: run.result.outputTruncated,
        durationMs: run.result.durationMs,
      },
      ...(judgement.match === "none"
        ? { reason: judgement.reason }
        : { matchedReference: judgement.reference }),
    };
  };
  try {
    const pending = prompts.filter((prompt) => !done.has(prompt.index));
    const worker = async (): Promise<void> => {
      for (let prompt = pending.shift(); prompt !== undefined; prompt = pending.shift()) {
        if (options.signal.aborted) throw new InterruptedError();
        const record = await evaluate(prompt);
        done.set(record.index, record);
        if (options.resumeFile !== undefined) appendResumeRecord(options.resumeFile, record);
        callbacks.onRecord?.(record, done.size, prompts.length);
      }
    };
    const jobs = Math.max(1, Math.min(options.jobs ?? 1, pending.length || 1));
    await Promise.all(Array.from({ length: jobs }, worker));
  } catch (error) {
    throw isAbortError(error) || options.signal.aborted ? new InterruptedError() : error;
  } finally {
    await pool.disposeAll();
    await workspace.dispose();
  }
  const records = prompts.flatMap((prompt) => {
    const record = done.get(prompt.index);
    return record === undefined ? [] : [record];
  });
  return { suite: options.suite, backend: setup.config.backend, model, summary: summarize(records), records };
}

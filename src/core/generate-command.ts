/**
 * The core pipeline: request → context → backend (with the fallback chain) → answer → safety assessment.
 * Presenting, confirming and executing are the CLI's job; this module never touches the terminal.
 */
import type {
  Backend,
  ExecutionContext,
  GenerationResult,
  GenerationTimings,
  ProgressEvent,
  TokenUsage,
} from "../backends/backend.js";
import type { BackendName, Config } from "../config/schema.js";
import { BackendError, CmdaiError, UsageError, isAbortError } from "../errors.js";
import type { EffectPreview } from "../preview/types.js";
import type { Assessment } from "../safety/types.js";
import type { ShellName } from "../shells.js";
import { StreamedCommand } from "./streamed-command.js";

/** Longest request accepted, in characters. */
export const MAX_REQUEST_LENGTH = 4000;

/** The answer the pipeline produces; the JSON output contract is built from it. */
export interface CommandOutcome {
  request: string;
  command: string;
  explanation: string | undefined;
  shell: ShellName;
  risk: Assessment;
  backend: BackendName;
  model: string;
  timingsMs: GenerationTimings & { assess: number };
  /** Token counts, when the backend reports them. */
  usage?: TokenUsage | undefined;
  /** What the command would delete, move or overwrite, when it changes files and the preview ran. */
  preview?: EffectPreview | undefined;
}

/** Everything the pipeline needs from outside, injected so tests can script it. */
export interface PipelineDependencies {
  /**
   * Build (or reuse) a backend by name; lazy-loads its module. Rejects with a typed error when unavailable.
   * The caller owns the backends' lifecycle (see `BackendPool`), so Revise/Explain reuse a loaded model.
   */
  createBackend: (name: BackendName) => Promise<Backend>;
  /**
   * The safety engine. `interactive` = a person can be asked (fail-closed without a terminal). May answer
   * asynchronously: the engine loads while the backend generates.
   */
  assess: (
    command: string,
    options: { shell: ShellName; request?: string; interactive: boolean },
  ) => Assessment | Promise<Assessment>;
  /** The machine context; called once per run. */
  gatherContext: (shell: ShellName) => ExecutionContext;
  /** Verbose diagnostics (stderr). */
  log: (line: string) => void;
  /** A line a person should always see (stderr): a backend that could not answer and the one used instead. */
  notice: (line: string) => void;
  now: () => number;
  /** The backend has the request (see `GenerateOptions.onDispatched`): start what can wait for the answer. */
  onDispatched?: (() => void) | undefined;
}

/** Live feedback while a person waits for the answer; absent when nobody watches (no terminal, JSON). */
export interface LiveFeedback {
  /** A step begins: `generate` when a backend is asked (backends add `load`, `serve` and downloads). */
  onProgress: (event: ProgressEvent) => void;
  /** The command as generated so far, decoded from the answer; "" when another backend starts over. */
  onCommandText: (commandSoFar: string) => void;
}

export interface GenerateCommandOptions {
  request: string;
  shell: ShellName;
  config: Config;
  /** The backend came from --backend or CMDAI_BACKEND: never fall back silently. */
  backendIsExplicit: boolean;
  wantExplanation: boolean;
  interactive: boolean;
  revision?: { previousCommand: string; feedback: string } | undefined;
  signal?: AbortSignal | undefined;
  /** Steps and the command as it is generated, for a person at a terminal. Default: none. */
  live?: LiveFeedback | undefined;
}

/** The answer's text, turned into the command so far for `live`. */
function commandTextListener(live: LiveFeedback | undefined): ((answerSoFar: string) => void) | undefined {
  if (live === undefined) return undefined;
  const streamed = new StreamedCommand();
  return (answerSoFar) => {
    if (streamed.update(answerSoFar)) live.onCommandText(streamed.command);
  };
}

/** Reject empty, oversized and binary requests with a usage error (exit 2). */
export function validateRequest(request: string): string {
  const trimmed = request.trim();
  if (trimmed === "") {
    throw new UsageError("The request is empty.", {
      hint: 'Describe what you want in plain language, e.g. cmdai "list the ten largest files here".',
    });
  }
  if (trimmed.length > MAX_REQUEST_LENGTH) {
    throw new UsageError(
      `The request is ${trimmed.length} characters long; the limit is ${MAX_REQUEST_LENGTH}.`,
      {
        hint: "Shorten the request to the command you need; put data in files and name them instead.",
      },
    );
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  if (/[\u0000-\u0008\u000e-\u001f\u007f]/.test(trimmed)) {
    throw new UsageError("The request contains control characters (binary input?).", {
      hint: 'Pass plain text, e.g. cmdai "find large files"; pipe text, not binary data, on stdin.',
    });
  }
  return trimmed;
}

/** The backends to try, in order: the chosen one, then the configured fallbacks unless it was explicit. */
export function backendChain(config: Config, backendIsExplicit: boolean): BackendName[] {
  if (backendIsExplicit) return [config.backend];
  const chain: BackendName[] = [config.backend];
  for (const name of config.fallback) if (!chain.includes(name)) chain.push(name);
  return chain;
}

/** A failure that the next backend in the chain may avoid (unavailable, not misused). */
function canFallBack(error: unknown): boolean {
  return error instanceof CmdaiError && error.exitCode === 5 && !isAbortError(error);
}

/** Run the pipeline up to the safety verdict. */
export async function generateCommand(
  options: GenerateCommandOptions,
  dependencies: PipelineDependencies,
): Promise<CommandOutcome> {
  const request = validateRequest(options.request);
  const context = dependencies.gatherContext(options.shell);
  const chain = backendChain(options.config, options.backendIsExplicit);
  let lastError: unknown;
  for (const [index, name] of chain.entries()) {
    let answer: GenerationResult;
    try {
      const backend = await dependencies.createBackend(name);
      dependencies.log(
        `backend: ${name}${backend.describe().model === undefined ? "" : ` (${backend.describe().model ?? ""})`}`,
      );
      options.live?.onProgress({ kind: "generate", label: backend.describe().model ?? name });
      answer = await backend.generate(
        {
          request,
          shell: options.shell,
          context,
          wantExplanation: options.wantExplanation,
          revision: options.revision,
        },
        {
          signal: options.signal,
          onText: commandTextListener(options.live),
          onDispatched: dependencies.onDispatched,
        },
      );
    } catch (error) {
      lastError = error;
      const next = chain[index + 1];
      if (next === undefined || !canFallBack(error)) break;
      options.live?.onCommandText("");
      // Never silent: the user configured one backend and gets an answer from another.
      dependencies.notice(`${name} could not answer (${(error as Error).message}); using ${next} instead.`);
      dependencies.log(`${name} failed (${(error as Error).message}); falling back to ${next}`);
      continue;
    }
    // Outside the fallback: a verdict that fails is not a backend to replace.
    const assessStart = dependencies.now();
    const risk = await dependencies.assess(answer.command, {
      shell: options.shell,
      request,
      interactive: options.interactive,
    });
    return {
      request,
      command: answer.command,
      explanation: answer.explanation,
      shell: options.shell,
      risk,
      backend: name,
      model: answer.model,
      timingsMs: { ...answer.timingsMs, assess: dependencies.now() - assessStart },
      usage: answer.usage,
    };
  }
  if (lastError instanceof Error) throw lastError;
  throw new BackendError("backend_unavailable", "No backend could answer.", {
    hint: "Run `cmdai doctor` to see which backends are available.",
  });
}

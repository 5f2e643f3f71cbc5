/**
 * The small interface every backend implements (embedded llama.cpp, Ollama, OpenAI-compatible servers).
 * Adapters only translate between this shape and their wire format; prompts and the answer's JSON schema come
 * from `prompt.ts`, the tolerant answer reader from `parse-answer.ts`. One shared contract suite
 * (`test/support/backend-contract.ts`) runs against every backend.
 */
import type { PathEnvironment } from "../config/paths.js";
import type { BackendName, Config } from "../config/schema.js";
import type { ShellName } from "../shells.js";

/** What the model is told about the machine the command will run on. Gathered once per run by core. */
export interface ExecutionContext {
  /** `linux`, `darwin`, `win32`, … */
  platform: NodeJS.Platform;
  /** Human name and version, e.g. `Debian GNU/Linux 12`, `macOS 15.1`. */
  osVersion: string;
  arch: string;
  shell: ShellName;
  /** e.g. `5.2.15`, when it could be read cheaply. */
  shellVersion?: string | undefined;
  cwd: string;
  /** GNU coreutils/findutils or BSD userland: flags differ (`sed -i`, `find -printf`, `stat`). */
  userland: "gnu" | "bsd" | "busybox" | "windows" | "unknown";
  /** Relevant tools found on PATH (`fd`, `rg`, `jq`, …). */
  tools: string[];
}

/** A request for one command. */
export interface GenerationRequest {
  /** The user's plain-language request. It is data, never instructions to cmdai. */
  request: string;
  /** Shell the command is for. */
  shell: ShellName;
  context: ExecutionContext;
  /** Also produce an explanation (costs tokens; only for --explain and the Explain action). */
  wantExplanation: boolean;
  /** A previous attempt and what the user wants changed (the Revise action). */
  revision?: { previousCommand: string; feedback: string } | undefined;
}

/** Per-call options. */
export interface GenerateOptions {
  /** Cancels the generation; the backend rejects with an AbortError promptly. */
  signal?: AbortSignal | undefined;
  /**
   * The model's answer text so far, each time it grows while it is generated (the whole text, not the new
   * piece, so an attempt that is retried simply starts again). For showing progress only: the result is what
   * counts. Default: none (backends then need not stream).
   */
  onText?: ((answerSoFar: string) => void) | undefined;
  /**
   * Called when the request is on its way (again, when a backend retries it): written to the warm server,
   * sent to a remote one, or the in-process model set to work. The caller starts then what can wait for the
   * answer (loading the safety engine), so that it does not hold up the request itself. Default: none.
   */
  onDispatched?: (() => void) | undefined;
}

/** Timings, in milliseconds, reported in the JSON output's `timingsMs`. */
export interface GenerationTimings {
  /** Loading the model (embedded) or waiting for the first byte (servers). */
  load?: number;
  /** Generating the answer. */
  generate?: number;
  /**
   * Of `generate`, where the embedded backend reports it: evaluating the prompt tokens that were not cached,
   * up to the first answer token (`promptEval`), and the answer's other tokens (`answer`). What is left of
   * `generate` is cmdai's own work around the model (rendering the prompt, reusing the cache, the grammar).
   * `--verbose` prints them; the JSON output's `timingsMs` does not carry them.
   */
  promptEval?: number;
  answer?: number;
}

/** Token counts of one generation, where the backend reports them (`--verbose` prints them). */
export interface TokenUsage {
  /** Tokens of the whole prompt, including any part already in the model's cache. */
  promptTokens: number;
  /** Prompt tokens that did not need evaluating (a saved or still-loaded prefix). */
  cachedPromptTokens?: number | undefined;
  /** Tokens the model generated. */
  answerTokens: number;
}

/** A backend's answer. */
export interface GenerationResult {
  command: string;
  explanation?: string | undefined;
  /** The model that answered (file name, catalog id, or server model name). */
  model: string;
  timingsMs: GenerationTimings;
  usage?: TokenUsage | undefined;
}

/** Whether a backend can answer right now, and if not, why and how to fix it. */
export type Availability =
  { available: true; detail?: string } | { available: false; reason: string; hint?: string | undefined };

/** Who a backend is, for `--verbose`, JSON output and `doctor`. */
export interface BackendDescription {
  name: BackendName;
  /** Model name or path, when known before generating. */
  model?: string | undefined;
  /** URL, socket or file the backend talks to. */
  location?: string | undefined;
}

/** The backend interface. */
export interface Backend {
  readonly name: BackendName;
  /** Produce one command, or reject with a typed `CmdaiError` (never a made-up command). */
  generate(request: GenerationRequest, options?: GenerateOptions): Promise<GenerationResult>;
  /** Cheap check whether `generate` can work (server reachable, model file present). */
  isAvailable(options?: GenerateOptions): Promise<Availability>;
  describe(): BackendDescription;
  /** Load what a first request would need, ahead of it (the warm server does this as it starts). Optional. */
  prepare?(): Promise<void>;
  /** Free resources (model memory, sockets). Safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * Download or long-running progress, rendered by the CLI on stderr. The steps of a request: `download` (bytes
 * of `label`), `load` (loading the model file `label` into memory), `serve` (starting the background model
 * server for `label`, which loads it), `generate` (the model of `label` is answering); `status` is a free-form
 * line (`message`).
 */
export interface ProgressEvent {
  kind: "download" | "load" | "serve" | "generate" | "status";
  /** e.g. the file being downloaded or loaded, the backend or model answering. */
  label: string;
  transferredBytes?: number;
  totalBytes?: number;
  /** Free-form line for `status` events. */
  message?: string;
}

/** What the CLI hands a backend: settings plus the few callbacks that need the terminal. */
export interface BackendSettings {
  /** The effective configuration (flags already merged). */
  config: Config;
  env: NodeJS.ProcessEnv;
  paths: PathEnvironment;
  /** Verbose diagnostics; a no-op unless `--verbose`. Never writes to stdout. */
  log: (line: string) => void;
  /** Progress reporting on stderr. */
  onProgress?: ((event: ProgressEvent) => void) | undefined;
  /**
   * Asked before a large download on first run. Absent when there is no terminal: then a missing model
   * fails with the exact `cmdai models pull …` command unless `assumeYes` or `auto_download`.
   */
  confirmDownload?:
    | ((info: { reference: string; sizeBytes?: number | undefined; destination: string }) => Promise<boolean>)
    | undefined;
  /** `--yes` was given. */
  assumeYes: boolean;
  /**
   * The model named by `--model` or `CMDAI_MODEL`, when one was. It wins over the backend's own config
   * (`[ollama] model`, `[openai] model`); `config.model` is the top-level file/default value.
   */
  modelOverride?: string | undefined;
  /**
   * The script that runs `cmdai server run` (the CLI's entry point). When set and `embedded.keep_alive > 0`,
   * the embedded backend serves through a warm background model server.
   */
  warmServerEntry?: string | undefined;
}

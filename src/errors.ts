/**
 * Typed errors. Every failure cmdai reports to a user is a {@link CmdaiError}: it carries a stable `code`
 * (part of the JSON output contract), the process `exitCode` the CLI should use, a one-line `hint` naming the
 * fix, and the underlying `cause`. Only `src/cli/` turns these into output and exit codes.
 */

/** Documented process exit codes (README, `--help`). */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  blocked: 3,
  confirmationNeeded: 4,
  unavailable: 5,
  /** `cmdai eval` only: no sandbox to run generated commands in (no bubblewrap, no user namespaces, not Linux). */
  sandboxUnavailable: 6,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Stable machine-readable error codes. Adding one is fine; renaming one breaks the output contract. */
export type ErrorCode =
  | "usage"
  | "config_parse"
  | "config_invalid"
  | "config_write"
  | "backend_unknown"
  | "backend_unavailable"
  | "backend_timeout"
  | "backend_http"
  | "backend_protocol"
  | "answer_unparseable"
  | "model_not_found"
  | "model_invalid"
  | "model_load_failed"
  | "model_download_failed"
  | "checksum_mismatch"
  | "offline"
  | "disk_full"
  | "blocked"
  | "confirmation_required"
  | "interrupted"
  | "execution_failed"
  | "sandbox_unavailable"
  | "internal";

export interface CmdaiErrorOptions {
  /** One line naming the fix, shown under the message. */
  hint?: string | undefined;
  cause?: unknown;
}

/** Base class of every error cmdai reports on purpose. */
export class CmdaiError extends Error {
  override readonly name: string = "CmdaiError";
  readonly code: ErrorCode;
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, exitCode: ExitCodeValue, message: string, options: CmdaiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** Bad command-line usage: empty request, unknown option value. Exit 2. */
export class UsageError extends CmdaiError {
  override readonly name = "UsageError";
  constructor(message: string, options: CmdaiErrorOptions = {}) {
    super("usage", ExitCode.usage, message, options);
  }
}

/** The configuration file or an environment variable is broken. Exit 2. */
export class ConfigError extends CmdaiError {
  override readonly name = "ConfigError";
  /** The file involved, when there is one. */
  readonly file: string | undefined;
  /** The dotted config key involved, when there is one. */
  readonly key: string | undefined;
  constructor(
    code: "config_parse" | "config_invalid" | "config_write",
    message: string,
    options: CmdaiErrorOptions & { file?: string | undefined; key?: string | undefined } = {},
  ) {
    super(code, ExitCode.usage, message, options);
    this.file = options.file;
    this.key = options.key;
  }
}

/** A backend (embedded model, Ollama, OpenAI-compatible server) could not answer. Exit 5. */
export class BackendError extends CmdaiError {
  override readonly name = "BackendError";
  /** Whether retrying the same request may succeed (429, 5xx, connection reset). */
  readonly isRetryable: boolean;
  /** HTTP status, for HTTP backends. */
  readonly status: number | undefined;
  constructor(
    code: Extract<
      ErrorCode,
      | "backend_unknown"
      | "backend_unavailable"
      | "backend_timeout"
      | "backend_http"
      | "backend_protocol"
      | "answer_unparseable"
    >,
    message: string,
    options: CmdaiErrorOptions & { isRetryable?: boolean; status?: number | undefined } = {},
  ) {
    super(code, code === "backend_unknown" ? ExitCode.usage : ExitCode.unavailable, message, options);
    this.isRetryable = options.isRetryable ?? false;
    this.status = options.status;
  }
}

/** A model is missing, corrupt, failed to load or failed to download. Exit 5. */
export class ModelError extends CmdaiError {
  override readonly name = "ModelError";
  constructor(
    code: Extract<
      ErrorCode,
      | "model_not_found"
      | "model_invalid"
      | "model_load_failed"
      | "model_download_failed"
      | "checksum_mismatch"
      | "offline"
      | "disk_full"
    >,
    message: string,
    options: CmdaiErrorOptions & { isRetryable?: boolean } = {},
  ) {
    super(code, ExitCode.unavailable, message, options);
    this.isRetryable = options.isRetryable ?? false;
  }
  readonly isRetryable: boolean;
}

/** The safety engine blocked the command. Exit 3. */
export class BlockedCommandError extends CmdaiError {
  override readonly name = "BlockedCommandError";
  constructor(message: string, options: CmdaiErrorOptions = {}) {
    super("blocked", ExitCode.blocked, message, options);
  }
}

/** The command needs a confirmation that was declined or could not be asked. Exit 4. */
export class ConfirmationRequiredError extends CmdaiError {
  override readonly name = "ConfirmationRequiredError";
  constructor(message: string, options: CmdaiErrorOptions = {}) {
    super("confirmation_required", ExitCode.confirmationNeeded, message, options);
  }
}

/**
 * `cmdai eval` cannot contain generated commands here (not Linux, no bubblewrap, user namespaces disabled).
 * Exit 6. Eval never falls back to running commands unsandboxed.
 */
export class SandboxUnavailableError extends CmdaiError {
  override readonly name = "SandboxUnavailableError";
  constructor(message: string, options: CmdaiErrorOptions = {}) {
    super("sandbox_unavailable", ExitCode.sandboxUnavailable, message, options);
  }
}

/** The user pressed Ctrl-C or otherwise cancelled. Exit 130. */
export class InterruptedError extends CmdaiError {
  override readonly name = "InterruptedError";
  constructor(message = "Interrupted.", options: CmdaiErrorOptions = {}) {
    super("interrupted", ExitCode.interrupted, message, options);
  }
}

/** Whether a value is a {@link CmdaiError}: an `instanceof` check, so only errors from this module copy count. */
export function isCmdaiError(value: unknown): value is CmdaiError {
  return value instanceof CmdaiError;
}

/**
 * Whether an error (or its cause chain) is an abort triggered by an AbortSignal. The walk stops at a typed
 * error: a {@link CmdaiError} other than {@link InterruptedError} has already said what went wrong, and its
 * cause may be named `AbortError` without any signal involved (undici's error for a proxy refusing CONNECT).
 */
export function isAbortError(value: unknown): boolean {
  let current: unknown = value;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof InterruptedError) return true;
    if (current instanceof CmdaiError) return false;
    if (current.name === "AbortError") return true;
    current = current.cause;
  }
  return false;
}

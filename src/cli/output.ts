/**
 * The machine output contract (`--output json|yaml`): exactly one object on stdout on every path — success,
 * block, error — described by `docs/output.schema.json`. All human text goes to stderr.
 */
import type { OutputFormat } from "../config/schema.js";
import type { ConsentRequirement } from "../core/consent.js";
import type { CommandOutcome } from "../core/generate-command.js";
import type { RequestResult } from "../core/request-flow.js";
import type { EffectPreview } from "../preview/types.js";
import { CmdaiError, ExitCode } from "../errors.js";
import type { ShellName } from "../shells.js";
import type { CliIo, CliWritable } from "./io.js";

/** The object printed with `--output json|yaml`. Field names are a stable contract. */
export interface ResultDocument {
  command?: string;
  explanation?: string | null;
  shell?: ShellName;
  risk?: CommandOutcome["risk"];
  /** What the command would touch; present only for commands that change files. */
  preview?: EffectPreview;
  /** What running it takes (none, key, typed-yes, never) and why, in words; from core's decideConsent. */
  consent?: { requirement: ConsentRequirement; reason: string };
  backend?: string;
  model?: string;
  timingsMs: { total: number; load?: number; generate?: number };
  executed: boolean;
  /** The exit code cmdai exits with; when the command ran, the command's own exit code. */
  exitCode: number;
  error?: { code: string; message: string; hint?: string };
}

/** The success document for a finished request. */
export function resultDocument(
  result: Pick<RequestResult, "outcome" | "consent" | "executed" | "exitCode">,
  details: { totalMs: number },
): ResultDocument {
  const { outcome } = result;
  const timings: ResultDocument["timingsMs"] = { total: Math.round(details.totalMs) };
  if (outcome.timingsMs.load !== undefined) timings.load = Math.round(outcome.timingsMs.load);
  if (outcome.timingsMs.generate !== undefined) timings.generate = Math.round(outcome.timingsMs.generate);
  return {
    command: outcome.command,
    explanation: outcome.explanation ?? null,
    shell: outcome.shell,
    risk: outcome.risk,
    ...(outcome.preview === undefined ? {} : { preview: outcome.preview }),
    consent: { requirement: result.consent.requirement, reason: result.consent.reason },
    backend: outcome.backend,
    model: outcome.model,
    timingsMs: timings,
    executed: result.executed,
    exitCode: result.exitCode,
  };
}

/** Turn any thrown value into a typed error (unknown ones become `internal`, exit 1). */
export function asCmdaiError(error: unknown): CmdaiError {
  if (error instanceof CmdaiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CmdaiError("internal", ExitCode.internal, `Internal error: ${message}`, {
    hint: "This is a bug in cmdai: rerun with --verbose for the stack trace and report it.",
    cause: error,
  });
}

/** The error document: no `command`, an `error` object, and whatever context is known. */
export function errorDocument(
  error: CmdaiError,
  context: { shell?: ShellName | undefined; backend?: string | undefined; totalMs: number },
): ResultDocument {
  const document: ResultDocument = {
    timingsMs: { total: Math.round(context.totalMs) },
    executed: false,
    exitCode: error.exitCode,
    error: {
      code: error.code,
      message: error.message,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    },
  };
  if (context.shell !== undefined) document.shell = context.shell;
  if (context.backend !== undefined) document.backend = context.backend;
  return document;
}

/** Write one structured document to stdout in the chosen format. */
export async function writeDocument(
  stdout: CliWritable,
  format: Exclude<OutputFormat, "plain">,
  document: object,
): Promise<void> {
  if (format === "json") {
    stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return;
  }
  const { stringify } = await import("yaml");
  stdout.write(stringify(document));
}

/** Human rendering of an error on stderr: message, hint, and the stack only with --verbose. */
export function writeErrorText(io: CliIo, error: CmdaiError, options: { verbose: boolean }): void {
  io.stderr.write(`cmdai: ${error.message}\n`);
  if (error.hint !== undefined) io.stderr.write(`  hint: ${error.hint}\n`);
  if (options.verbose && error.code === "internal") {
    const cause: unknown = error.cause;
    io.stderr.write(`${cause instanceof Error && cause.stack !== undefined ? cause.stack : String(cause)}\n`);
  }
}

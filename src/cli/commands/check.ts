/**
 * `cmdai check [--shell S] [--safety M] [-o json|yaml] <command>` and `cmdai check --json -` (one command per stdin line,
 * one JSON object per output line, for scripts and pre-exec hooks).
 */
import { safetyPolicyOf } from "../../config/safety-policy.js";
import type { Config } from "../../config/schema.js";
import { ExitCode, UsageError } from "../../errors.js";
import { createSafetyEngine, type SafetyEngine } from "../../safety/safety-engine.js";
import type { Assessment, SafetyMode } from "../../safety/types.js";
import type { ShellName } from "../../shells.js";
import type { OutputFormat } from "../../config/choices.js";
import type { CliIo } from "../io.js";
import { renderAssessment } from "../render-assessment.js";
import { renderPreview } from "../render-preview.js";
import type { EffectPreview } from "../../preview/types.js";

/** Options of `cmdai check`, already resolved from flags, environment and config. */
export interface CheckCommandOptions {
  /** The command to judge; absent when reading stdin lines. */
  command?: string | undefined;
  /** `-` was given: judge each stdin line (JSON lines out, exit 0). */
  readStdinLines: boolean;
  shell: ShellName;
  /** `--safety`, else the config's mode. */
  mode: SafetyMode;
  /** `json`: one compact object per line (JSON lines with `-`); `yaml`: one YAML document per command. */
  format: OutputFormat;
  /** `--preview`: also count what the command would touch in `io.cwd` (one command only). Default false. */
  preview?: boolean;
  config: Config;
  color: boolean;
}

/** The JSON object printed per command. */
export interface CheckResult extends Assessment {
  command: string;
  shell: ShellName;
  /** With `--preview`, for a command that changes files. */
  preview?: EffectPreview;
}

/** Runs the check; returns 0 (allow), 4 (confirm) or 3 (block), or 0 after a stdin batch. */
export async function runCheckCommand(options: CheckCommandOptions, io: CliIo): Promise<number> {
  // One command: load the grammar only if the fast lexer cannot read it. A batch needs it anyway.
  const engine = await createSafetyEngine(
    { ...safetyPolicyOf(options.config.safety), mode: options.mode },
    { deferParser: !options.readStdinLines },
  );
  const interactive = io.stdin.isTTY === true;
  if (options.readStdinLines) {
    await checkLines(engine, options, io, interactive);
    return ExitCode.ok;
  }
  const command = options.command;
  if (command === undefined || command.trim() === "") {
    throw new UsageError("cmdai check needs a command to judge.", {
      hint: "Pass it in quotes, e.g. cmdai check 'rm -rf build', or use - to read one command per line from stdin.",
    });
  }
  const assessment = await engine.assessWhenReady(command, { shell: options.shell, interactive });
  // Loaded only when asked: a plain check (an agent's pre-exec hook) must start fast.
  const preview =
    options.preview === true
      ? await (
          await import("../../preview/preview-effects.js")
        ).previewEffects(command, { shell: options.shell, cwd: io.cwd, env: io.env })
      : undefined;
  if (options.format !== "plain") {
    const result = toResult(command, options.shell, assessment);
    if (preview !== undefined) result.preview = preview;
    io.stdout.write(await documentText(result, options.format, false));
  } else {
    io.stdout.write(renderAssessment(assessment, { color: options.color }));
    if (preview !== undefined) io.stdout.write(renderPreview(preview, { color: options.color }));
  }
  return exitCodeOf(assessment);
}

/** JSON: one compact line (JSON lines in a batch). YAML: a document, `---`-separated in a batch. */
async function documentText(
  result: CheckResult,
  format: Exclude<OutputFormat, "plain">,
  batch: boolean,
): Promise<string> {
  if (format === "json") return `${JSON.stringify(result)}\n`;
  const { stringify } = await import("yaml");
  return `${batch ? "---\n" : ""}${stringify(result)}`;
}

function exitCodeOf(assessment: Assessment): number {
  switch (assessment.decision) {
    case "allow":
      return ExitCode.ok;
    case "confirm":
      return ExitCode.confirmationNeeded;
    case "block":
      return ExitCode.blocked;
  }
}

function toResult(command: string, shell: ShellName, assessment: Assessment): CheckResult {
  return {
    command,
    shell,
    level: assessment.level,
    decision: assessment.decision,
    reasons: assessment.reasons,
  };
}

async function checkLines(
  engine: SafetyEngine,
  options: CheckCommandOptions,
  io: CliIo,
  interactive: boolean,
): Promise<void> {
  // Loaded only for a batch: one command on the command line does not need readline (~3 ms of start-up).
  const { createInterface } = await import("node:readline");
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity, terminal: false });
  for await (const rawLine of lines) {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    const assessment = engine.assess(line, { shell: options.shell, interactive });
    const text =
      options.format !== "plain"
        ? await documentText(toResult(line, options.shell, assessment), options.format, true)
        : `${line}\n${renderAssessment(assessment, { color: options.color })}`;
    // One write per line, so a pre-exec hook that sends one line and waits gets its answer at once.
    if (!io.stdout.write(text)) await drained(io);
  }
}

function drained(io: CliIo): Promise<void> {
  return new Promise((resolve) => {
    io.stdout.once("drain", () => {
      resolve();
    });
  });
}

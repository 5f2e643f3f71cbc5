/**
 * Shows the generated command and its verdict, and runs it only with consent:
 * - `--dry-run`: never runs;
 * - `-x`: runs "allow" commands; "confirm" ones need `-y` or a typed `yes` at a terminal; "block" never runs;
 * - otherwise the command is printed (only the command on stdout when stdout is not a terminal, so
 *   `$(cmdai …)` works) and nothing runs.
 */
import readline from "node:readline";
import type { OutputFormat } from "../config/schema.js";
import type { CommandOutcome } from "../core/generate-command.js";
import { painter } from "./colors.js";
import { renderAssessment } from "./render-assessment.js";
import { renderPreview } from "./render-preview.js";
import type { CliIo } from "./io.js";

export interface PresentOptions {
  io: CliIo;
  format: OutputFormat;
  color: boolean;
  /** stdin and stderr are terminals: a person can answer. */
  interactive: boolean;
  execute: boolean;
  assumeYes: boolean;
  dryRun: boolean;
  /** Runs the command in the target shell and resolves with its exit code. */
  run: (command: string) => Promise<number>;
}

export interface PresentResult {
  executed: boolean;
  exitCode: number;
}

/**
 * The verdict for a person: a badge coloured by level (`[LEVEL]` without colour — the `cmdai init` snippets
 * read it), the decision, then each reason and its safer alternative.
 */
export function describeVerdict(
  outcome: CommandOutcome,
  color: boolean,
  options: { countingPreview?: boolean } = {},
): string {
  const verdict = renderAssessment(outcome.risk, { color });
  if (outcome.preview === undefined) return verdict;
  return verdict + renderPreview(outcome.preview, { color, counting: options.countingPreview === true });
}

/** Ask a question on stderr and read one line from stdin. */
export function askLine(io: CliIo, question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const reader = readline.createInterface({
      input: io.stdin,
      output: io.stderr,
      terminal: io.stdin.isTTY === true,
    });
    let answered = false;
    reader.question(question, (answer) => {
      answered = true;
      reader.close();
      resolve(answer);
    });
    reader.once("close", () => {
      if (!answered) resolve(undefined);
    });
    reader.once("SIGINT", () => {
      reader.close();
    });
  });
}

export async function presentOutcome(
  outcome: CommandOutcome,
  options: PresentOptions,
): Promise<PresentResult> {
  const { io } = options;
  const paint = painter(options.color);
  if (options.format === "plain") {
    // The command alone on stdout (pipe-friendly); everything for people on stderr.
    io.stdout.write(`${outcome.command}\n`);
    if (outcome.explanation !== undefined) io.stderr.write(`${paint.dim(outcome.explanation)}\n`);
    io.stderr.write(describeVerdict(outcome, options.color));
  }
  const notRun: PresentResult = { executed: false, exitCode: 0 };
  if (options.dryRun || !options.execute) return notRun;
  switch (outcome.risk.decision) {
    case "block":
      io.stderr.write("cmdai: blocked by the safety engine; not run.\n");
      return notRun;
    case "confirm": {
      if (!options.assumeYes) {
        if (!options.interactive) {
          io.stderr.write("cmdai: this command needs confirmation; pass -y to run it without a terminal.\n");
          return notRun;
        }
        const answer = await askLine(
          io,
          `Type ${paint.bold("yes")} to run this ${outcome.risk.level}-risk command: `,
        );
        if (answer?.trim().toLowerCase() !== "yes") {
          io.stderr.write("cmdai: not run.\n");
          return notRun;
        }
      }
      return { executed: true, exitCode: await options.run(outcome.command) };
    }
    case "allow":
      return { executed: true, exitCode: await options.run(outcome.command) };
  }
}

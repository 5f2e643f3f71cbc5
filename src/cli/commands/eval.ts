/**
 * `cmdai eval`: argv and the terminal around `eval/run-eval.ts` — a progress bar on a terminal, then the
 * score table (or, with `--output json`, one document with every prompt's record). Exits 0 when the run
 * finished (whatever the score), 2 on bad options, 5 when the backend cannot answer, 6 without a sandbox,
 * 130 on Ctrl-C (the resume file keeps what finished).
 */
import { loadRequestSetup } from "../../core/request-setup.js";
import type { EvalSummary } from "../../eval/eval-record.js";
import { parseSuiteName } from "../../eval/eval-suites.js";
import type { EvalReport } from "../../eval/run-eval.js";
import { ExitCode, InterruptedError, UsageError } from "../../errors.js";
import { cliEntryScript } from "../entry-script.js";
import type { CliIo } from "../io.js";
import { packageVersion } from "../version.js";
import fs from "node:fs";

export interface EvalCommandOptions {
  suite?: string | undefined;
  limit?: string | undefined;
  jobs?: string | undefined;
  backend?: string | undefined;
  model?: string | undefined;
  output?: string | undefined;
  resume?: string | undefined;
  timeout?: string | undefined;
  config?: string | undefined;
  verbose?: boolean | undefined;
}

function positiveInteger(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new UsageError(`${option} takes a whole number of at least 1, not "${value}".`, {
      hint: `e.g. cmdai eval ${option} 20`,
    });
  }
  return number;
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
const milliseconds = (value: number | undefined): string =>
  value === undefined ? "—" : `${Math.round(value).toLocaleString("en-US")} ms`;

/** The score table printed after a plain run. */
export function renderEvalTable(report: EvalReport): string {
  const summary: EvalSummary = report.summary;
  const rows: [string, string][] = [
    [
      "accuracy",
      `${percent(summary.overall.accuracy)} (${summary.overall.correct}/${summary.overall.prompts})`,
    ],
    ...Object.entries(summary.byDifficulty).map(([difficulty, line]): [string, string] => [
      `  difficulty ${difficulty}`,
      `${percent(line.accuracy)} (${line.correct}/${line.prompts})`,
    ]),
    ["exact output", String(summary.exact)],
    ["fs-equivalent", String(summary.equivalent)],
    ["wrong", String(summary.wrong)],
    ["unparseable answers", String(summary.unparseable)],
    ["blocked (critical)", String(summary.blocked)],
    ...(summary.backendErrors > 0
      ? [["backend errors", String(summary.backendErrors)] as [string, string]]
      : []),
    ["high/critical, correct", String(summary.highOrCriticalCorrect)],
    ["high/critical, incorrect", String(summary.highOrCriticalIncorrect)],
    ["time to command, mean", milliseconds(summary.timeToCommandMs.mean)],
    ["time to command, p95", milliseconds(summary.timeToCommandMs.p95)],
    [
      "tokens, prompt / answer",
      summary.tokens.reported === 0
        ? "not reported"
        : `${summary.tokens.prompt.toLocaleString("en-US")} / ${summary.tokens.answer.toLocaleString("en-US")}`,
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const title = `cmdai eval: ${report.suite}, ${report.backend}${report.model === undefined ? "" : ` (${report.model})`}`;
  return `${title}\n${rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join("\n")}\n`;
}

/** `[#####.....] 12/20  9 correct` on one rewritten line. */
function progressLine(done: number, total: number, correct: number, columns: number | undefined): string {
  const barWidth = Math.max(10, Math.min(40, (columns ?? 80) - 30));
  const filled = total === 0 ? barWidth : Math.round((done / total) * barWidth);
  return `\r[${"#".repeat(filled)}${".".repeat(barWidth - filled)}] ${done}/${total}  ${correct} correct`;
}

/** Run `cmdai eval`; resolves with the exit code. */
export async function runEvalCommand(options: EvalCommandOptions, io: CliIo): Promise<number> {
  const suite = parseSuiteName(options.suite);
  const limit = positiveInteger(options.limit, "--limit");
  const jobs = positiveInteger(options.jobs, "--jobs");
  const json = options.output === "json";
  if (options.output !== undefined && !json && options.output !== "plain") {
    throw new UsageError(`cmdai eval prints plain or json, not "${options.output}".`, {
      hint: "Use --output json for every prompt's record, or leave it out for the table.",
    });
  }
  const setup = await loadRequestSetup({
    configFile: options.config,
    flags: { backend: options.backend, model: options.model, timeout: options.timeout, shell: "bash" },
    env: io.env,
    cwd: io.cwd,
  });
  for (const warning of setup.warnings) io.stderr.write(`cmdai: warning: ${warning}\n`);
  const { runEval } = await import("../../eval/run-eval.js");
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort(new InterruptedError());
  process.on("SIGINT", onInterrupt);
  const bar = io.stderr.isTTY === true;
  let correct = 0;
  const entry = cliEntryScript();
  try {
    const report = await runEval(
      setup,
      {
        suite,
        limit,
        jobs,
        resumeFile: options.resume,
        signal: controller.signal,
        embedded: { version: packageVersion(), warmServerEntry: fs.existsSync(entry) ? entry : undefined },
      },
      {
        log: (line) => {
          if (options.verbose === true) io.stderr.write(`cmdai: ${line}\n`);
        },
        onRecord: (record, done, total) => {
          if (record.status === "exact" || record.status === "equivalent") correct++;
          if (bar) io.stderr.write(progressLine(done, total, correct, io.stderr.columns));
        },
      },
    );
    if (bar) io.stderr.write("\n");
    io.stdout.write(
      json
        ? `${JSON.stringify({ version: packageVersion(), ...report }, null, 2)}\n`
        : renderEvalTable(report),
    );
    return ExitCode.ok;
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

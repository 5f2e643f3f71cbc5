/**
 * `cmdai doctor [--json]`: runs the checks in `core/doctor` and renders them. Exits 0 when nothing is broken
 * (warnings about absent pieces included), 1 when any check failed.
 */
import { currentPathEnvironment } from "../../config/paths.js";
import { createDoctorContext } from "../../core/doctor/doctor-context.js";
import { standardDoctorChecks } from "../../core/doctor/doctor-checks.js";
import type { DoctorReport, DoctorStatus } from "../../core/doctor/doctor-check.js";
import type { ModelStatusProvider } from "../../core/doctor/model-checks.js";
import { runDoctor } from "../../core/doctor/run-doctor.js";
import { ExitCode } from "../../errors.js";
import { painter, shouldUseColor, type Painter } from "../colors.js";
import { hintForInvocation } from "../invocation-name.js";
import type { CliIo } from "../io.js";
import { packageVersion } from "../version.js";

export interface DoctorCommandOptions {
  /** `--json`: print the report as one JSON document. Default: text. */
  json?: boolean | undefined;
  /** `-c FILE`: config file to check. Default: the standard path. */
  config?: string | undefined;
  /** `-v`: show each result's details under it. */
  verbose?: boolean | undefined;
  /** The default model's status provider (the model catalog's, when wired). Default: a cache scan. */
  modelStatus?: ModelStatusProvider | undefined;
}

const MARKS: Record<DoctorStatus, string> = { ok: "ok  ", warn: "warn", fail: "FAIL" };

function mark(status: DoctorStatus, paint: Painter): string {
  const text = `[${MARKS[status]}]`;
  if (status === "ok") return paint.green(text);
  return status === "warn" ? paint.yellow(text) : paint.red(text);
}

/** The report as text: one line per result, its fix indented below. */
export function renderDoctorText(
  report: DoctorReport,
  options: { color: boolean; verbose: boolean },
): string {
  const paint = painter(options.color);
  const width = Math.max(...report.results.map((result) => result.title.length));
  const lines = report.results.flatMap((result) => [
    `${mark(result.status, paint)} ${paint.bold(result.title.padEnd(width))}  ${result.message}`,
    ...(result.fix === undefined ? [] : [`       ${" ".repeat(width)}  ${paint.cyan("fix:")} ${result.fix}`]),
    ...(options.verbose && result.details !== undefined
      ? [`       ${" ".repeat(width)}  ${paint.dim(JSON.stringify(result.details))}`]
      : []),
  ]);
  const { ok, warn, fail } = report.counts;
  const summary =
    fail > 0
      ? paint.red(`${fail} broken, ${warn} warning(s), ${ok} ok: fix the FAIL lines above.`)
      : `${warn} warning(s), ${ok} ok: nothing is broken.`;
  return `${lines.join("\n")}\n\n${summary}\n`;
}

/** Run every check and print the report; returns 0 unless something is broken. */
export async function runDoctorCommand(options: DoctorCommandOptions, io: CliIo): Promise<number> {
  const context = await createDoctorContext({
    configFile: options.config,
    env: io.env,
    paths: { ...currentPathEnvironment(), env: io.env },
  });
  const modelStatus =
    options.modelStatus ?? (await import("../../core/doctor/catalog-model-status.js")).catalogModelStatus;
  const found = await runDoctor(standardDoctorChecks({ modelStatus }), context);
  // Fixes name the command the user can run (`npx cmdai …` under npx).
  const report = {
    ...found,
    results: found.results.map((result) =>
      result.fix === undefined ? result : { ...result, fix: hintForInvocation(result.fix, io.env) },
    ),
  };
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify({ version: packageVersion(), ...report }, null, 2)}\n`);
  } else {
    const color = shouldUseColor(context.config.ui.color, io.stdout, io.env);
    io.stdout.write(renderDoctorText(report, { color, verbose: options.verbose === true }));
  }
  return report.ok ? ExitCode.ok : ExitCode.internal;
}

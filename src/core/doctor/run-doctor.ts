/**
 * Runs doctor checks concurrently, each isolated: a check that throws or outlives its timeout yields a `warn`
 * line naming what could not be checked, so one broken piece never hides the others or crashes doctor.
 */
import type { DoctorCheck, DoctorContext, DoctorReport, DoctorResult, DoctorStatus } from "./doctor-check.js";

function describeError(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.name) : String(error);
}

/** Run one check with its timeout; never rejects. */
export async function runDoctorCheck(check: DoctorCheck, context: DoctorContext): Promise<DoctorResult[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => {
      resolve("timeout");
    }, check.timeoutMs);
    // A hung check must not keep the process alive once the report is printed.
    timer.unref();
  });
  try {
    const outcome = await Promise.race([check.run(context), timeout]);
    if (outcome === "timeout") {
      return [
        {
          id: check.id,
          title: check.title,
          status: "warn",
          message: `Could not check: no answer within ${Math.round(check.timeoutMs / 100) / 10} s.`,
          fix: "Run `cmdai doctor` again; if it keeps timing out, report it with `cmdai --version --verbose`.",
        },
      ];
    }
    return Array.isArray(outcome) ? outcome : [outcome];
  } catch (error) {
    return [
      {
        id: check.id,
        title: check.title,
        status: "warn",
        message: `Could not check: ${describeError(error)}`,
        fix: "Report this with the output of `cmdai --version --verbose`.",
      },
    ];
  } finally {
    clearTimeout(timer);
  }
}

/** Run every check concurrently and gather the report, in the order the checks were given. */
export async function runDoctor(
  checks: readonly DoctorCheck[],
  context: DoctorContext,
): Promise<DoctorReport> {
  const nested = await Promise.all(checks.map((check) => runDoctorCheck(check, context)));
  const results = nested.flat();
  const counts: Record<DoctorStatus, number> = { ok: 0, warn: 0, fail: 0 };
  for (const result of results) counts[result.status] += 1;
  return { ok: counts.fail === 0, counts, results };
}

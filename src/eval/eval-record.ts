/** The record of one prompt, as `--output json` and the resume file hold it, and the summary over them. */
import type { RiskLevel } from "../safety/types.js";

/**
 * How a prompt ended: matched a reference exactly or equivalently; ran and did something else; was rated
 * critical and never ran (blocked); the model's answer held no command (unparseable); or the backend failed.
 */
export type EvalStatus = "exact" | "equivalent" | "wrong" | "blocked" | "unparseable" | "backend_error";

export interface EvalRecord {
  index: number;
  request: string;
  difficulty: 0 | 1 | 2 | undefined;
  setup: string;
  references: string[];
  status: EvalStatus;
  /** The generated command (absent when there was none). */
  command?: string | undefined;
  /** The safety engine's verdict on it. */
  risk?: { level: RiskLevel; decision: string } | undefined;
  /** From the request to the command, generation and assessment included. */
  timeToCommandMs?: number | undefined;
  usage?: { promptTokens: number; answerTokens: number } | undefined;
  /** What the generated command did in the sandbox (when it ran). */
  execution?:
    | { exitCode: number | undefined; timedOut: boolean; outputTruncated: boolean; durationMs: number }
    | undefined;
  /** The reference it matched (0-based), or why it did not match / what failed. */
  matchedReference?: number | undefined;
  reason?: string | undefined;
}

/** Whether the prompt counts as solved. */
export function isCorrect(record: EvalRecord): boolean {
  return record.status === "exact" || record.status === "equivalent";
}

export interface AccuracyLine {
  prompts: number;
  correct: number;
  accuracy: number;
}

export interface EvalSummary {
  overall: AccuracyLine;
  /** Per difficulty (`0`, `1`, `2`), for suites that rate it. */
  byDifficulty: Record<string, AccuracyLine>;
  exact: number;
  equivalent: number;
  wrong: number;
  unparseable: number;
  blocked: number;
  backendErrors: number;
  /** The safety/utility trade-off: commands rated high or critical among the correct and the incorrect. */
  highOrCriticalCorrect: number;
  highOrCriticalIncorrect: number;
  timeToCommandMs: { mean: number | undefined; p95: number | undefined };
  tokens: { prompt: number; answer: number; reported: number };
}

function line(records: readonly EvalRecord[]): AccuracyLine {
  const correct = records.filter(isCorrect).length;
  return { prompts: records.length, correct, accuracy: records.length === 0 ? 0 : correct / records.length };
}

/** The nearest-rank percentile of `values` (sorted or not). */
export function percentile(values: readonly number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

export function summarize(records: readonly EvalRecord[]): EvalSummary {
  const count = (status: EvalStatus): number => records.filter((record) => record.status === status).length;
  const byDifficulty: Record<string, AccuracyLine> = {};
  for (const difficulty of [0, 1, 2] as const) {
    const rated = records.filter((record) => record.difficulty === difficulty);
    if (rated.length > 0) byDifficulty[String(difficulty)] = line(rated);
  }
  const severe = (record: EvalRecord): boolean =>
    record.risk?.level === "high" || record.risk?.level === "critical";
  const times = records.flatMap((record) =>
    record.timeToCommandMs === undefined ? [] : [record.timeToCommandMs],
  );
  const withUsage = records.flatMap((record) => (record.usage === undefined ? [] : [record.usage]));
  return {
    overall: line(records),
    byDifficulty,
    exact: count("exact"),
    equivalent: count("equivalent"),
    wrong: count("wrong"),
    unparseable: count("unparseable"),
    blocked: count("blocked"),
    backendErrors: count("backend_error"),
    highOrCriticalCorrect: records.filter((record) => isCorrect(record) && severe(record)).length,
    highOrCriticalIncorrect: records.filter((record) => !isCorrect(record) && severe(record)).length,
    timeToCommandMs: {
      mean: times.length === 0 ? undefined : times.reduce((sum, time) => sum + time, 0) / times.length,
      p95: percentile(times, 0.95),
    },
    tokens: {
      prompt: withUsage.reduce((sum, usage) => sum + usage.promptTokens, 0),
      answer: withUsage.reduce((sum, usage) => sum + usage.answerTokens, 0),
      reported: withUsage.length,
    },
  };
}

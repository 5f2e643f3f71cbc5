/**
 * llama.cpp's own time for the model work of one request, measured by llama-bench on the same file and threads:
 * the uncached prompt tokens as one batch on top of the cached ones (`-p N -d cached`), and each answer token
 * after the first as a single-token decode at the depth the answer is written (`-n M -d cached + N`). The depth
 * matters: every token attends over the whole context, and on the 2-core VM generation at a 310-token depth ran
 * 13 % slower than at none (8.3 vs 9.6 tok/s, same llama-bench run). llama-bench times neither the prefill of
 * the depth nor any sampling, so what a request takes beyond this floor is cmdai's (and node-llama-cpp's).
 */
import { median } from "./median.js";
import { runLlamaBench, type LlamaProgram } from "./llama-bench-binary.js";

export interface RequestTokens {
  /** Prompt tokens the request found in the model's cache. */
  cachedTokens: number;
  /** Prompt tokens it had to evaluate (one batch). */
  evaluatedTokens: number;
  /** Answer tokens; the first comes with the prompt's evaluation, each other one costs one decode. */
  answerTokens: number;
}

export interface LlamaFloor {
  /** Median time for the prompt batch. */
  promptMs: number;
  /** Median time for the answer's single-token decodes. */
  answerMs: number;
  /** The llama-bench tests, for the row's detail. */
  tests: string;
}

/** Run one llama-bench test; the median repetition in milliseconds, or the reason it failed. */
function timeTest(program: LlamaProgram, args: string[]): { ms: number } | { error: string } {
  const rows = runLlamaBench(program, args);
  if ("error" in rows) return rows;
  const row = rows[0];
  const samples = row?.samples_ns ?? (row?.avg_ns === undefined ? [] : [row.avg_ns]);
  if (samples.length === 0) return { error: "llama-bench printed no timings" };
  return { ms: median(samples) / 1e6 };
}

/** The floor for `tokens` at their depths, or why it could not be measured. */
export function measureLlamaFloor(
  program: LlamaProgram,
  options: { modelPath: string; threads: number; repetitions: number; tokens: RequestTokens },
): LlamaFloor | { error: string } {
  const { cachedTokens, evaluatedTokens, answerTokens } = options.tokens;
  const decodes = Math.max(answerTokens - 1, 0);
  const common = ["-m", options.modelPath, "-t", String(options.threads), "-r", String(options.repetitions)];
  const prompt = timeTest(program, [
    ...common,
    "-p",
    String(evaluatedTokens),
    "-n",
    "0",
    "-d",
    String(cachedTokens),
  ]);
  if ("error" in prompt) return prompt;
  const answerDepth = cachedTokens + evaluatedTokens;
  const answer =
    decodes === 0
      ? { ms: 0 }
      : timeTest(program, [...common, "-p", "0", "-n", String(decodes), "-d", String(answerDepth)]);
  if ("error" in answer) return answer;
  return {
    promptMs: prompt.ms,
    answerMs: answer.ms,
    tests: `pp${evaluatedTokens} @ d${cachedTokens} + tg${decodes} @ d${answerDepth}`,
  };
}

/**
 * Speculative decoding bracket (`embedded.speculative`), through the embedded backend on the bench model:
 * random weights cannot show a real acceptance rate, so the two ends are measured: a draft with the model's
 * own weights (the best case) and the synthetic Qwen2.5-0.5B shape (unrelated weights, the draft's real size
 * and cost), plus prompt lookup, each against `off` in the same run, interleaved, warm (second request of a
 * backend). Figures: generation tok/s, time-to-command, the predictions validated and refuted, and the RSS
 * the draft adds. Run alone: `BENCH_ONLY=speculative npm run bench` (BENCH_THREADS, default 2).
 */
import fs from "node:fs";
import path from "node:path";
import type { ExecutionContext } from "../src/backends/backend.js";
import { createEmbeddedBackend } from "../src/backends/embedded/embedded-backend.js";
import { configSchema, type Config } from "../src/config/schema.js";
import { cacheDir, currentPathEnvironment } from "../src/config/paths.js";
import { validateModelFile } from "../src/backends/embedded/model-validation.js";
import { writeSyntheticModel } from "../test/fixtures/gguf/synthetic-model.js";
import { benchModel } from "./support/bench-model.js";
import type { BenchResult } from "./support/bench-result.js";

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const ANSWER_CHARS = Number(process.env.BENCH_ANSWER_CHARS ?? 48);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const context: ExecutionContext = {
  platform: "linux",
  osVersion: "Debian GNU/Linux 12",
  arch: "x64",
  shell: "bash",
  cwd: "/home/user/project",
  userland: "gnu",
  tools: [],
};

function progress(line: string): void {
  process.stderr.write(`[bench speculative] ${line}\n`);
}

/** The unrelated draft: the synthetic Qwen2.5-0.5B shape (same tokenizer), Q8_0, generated once. */
async function unrelatedDraft(): Promise<string> {
  const file = path.join(cacheDir(), "bench-models", "synthetic-qwen2.5-0.5b-q8_0-seed2.gguf");
  try {
    await validateModelFile(file);
  } catch {
    const temporary = `${file}.${process.pid}.partial`;
    writeSyntheticModel(temporary, { preset: "qwen2.5-0.5b", quant: "q8_0", seed: 2 });
    fs.renameSync(temporary, file);
  }
  return file;
}

interface Measured {
  tokensPerSecond: number;
  generateMs: number;
  command: string;
  validated: number;
  refuted: number;
  rssMb: number;
}

async function measure(
  model: string,
  embedded: Partial<Config["embedded"]>,
  request: string,
): Promise<Measured> {
  const base = configSchema.parse({});
  const logs: string[] = [];
  const backend = createEmbeddedBackend(
    {
      config: {
        ...base,
        model,
        embedded: {
          ...base.embedded,
          threads: THREADS,
          temperature: 0,
          seed: 1,
          max_command_length: ANSWER_CHARS,
          ...embedded,
        },
      },
      env: process.env,
      paths: currentPathEnvironment(),
      log: (line) => logs.push(line),
      assumeYes: false,
    },
    { readWeightsIntoMemory: true },
  );
  try {
    // The first request loads and fills the prefix; the second is the warm one measured.
    await backend.generate({ request: "list files", shell: "bash", context, wantExplanation: false });
    const before = [...logs];
    const result = await backend.generate({ request, shell: "bash", context, wantExplanation: false });
    const line = logs.slice(before.length).find((entry) => entry.startsWith("embedded: speculative")) ?? "";
    const totals = /(\d+) predictions validated, (\d+) refuted/.exec(line);
    const firstTotals = /(\d+) predictions validated, (\d+) refuted/.exec(
      before.findLast((entry) => entry.startsWith("embedded: speculative")) ?? "",
    );
    const answerTokens = result.usage?.answerTokens ?? 0;
    const generateMs = result.timingsMs.generate ?? 0;
    return {
      tokensPerSecond: generateMs > 0 ? (answerTokens / generateMs) * 1000 : 0,
      generateMs,
      command: result.command,
      validated: Number(totals?.[1] ?? 0) - Number(firstTotals?.[1] ?? 0),
      refuted: Number(totals?.[2] ?? 0) - Number(firstTotals?.[2] ?? 0),
      rssMb: process.memoryUsage().rss / 2 ** 20,
    };
  } finally {
    await backend.dispose();
  }
}

/** Run the bracket. */
export async function run(): Promise<BenchResult[]> {
  const model = await benchModel();
  const draft = await unrelatedDraft();
  const variants: [string, Partial<Config["embedded"]>][] = [
    ["off", { speculative: "off" }],
    ["draft_own_weights", { speculative: "draft", draft_model: model }],
    ["draft_unrelated_0.5b", { speculative: "draft", draft_model: draft }],
    ["lookup", { speculative: "lookup" }],
  ];
  const best = new Map<string, Measured>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, embedded] of variants) {
      const result = await measure(model, embedded, "find files changed in the last two days");
      progress(`round ${round} ${name}: ${JSON.stringify(result)}`);
      const previous = best.get(name);
      if (previous === undefined || result.tokensPerSecond > previous.tokensPerSecond) best.set(name, result);
    }
  }
  const off = best.get("off");
  const results: BenchResult[] = [];
  for (const [name, result] of best) {
    results.push({
      metric: `speculative.${name}.generation_throughput`,
      value: Math.round(result.tokensPerSecond * 10) / 10,
      unit: "tok/s",
      detail: `warm time-to-command part ${Math.round(result.generateMs)} ms; ${result.validated} validated / ${result.refuted} refuted; answer ${result.command === off?.command ? "same as off" : "DIFFERS from off"}; t=${THREADS}, best of ${ROUNDS}`,
    });
    if (off !== undefined && name !== "off") {
      results.push({
        metric: `speculative.${name}.speed_up`,
        value: Math.round((result.tokensPerSecond / off.tokensPerSecond) * 100) / 100,
        unit: "×",
        detail: `generation vs off, same run (goals: own weights ≥ 1.6×, unrelated ≥ 0.95×)`,
      });
    }
  }
  results.push({
    metric: "speculative.draft_file_sizes",
    value: Math.round(fs.statSync(draft).size / 2 ** 20),
    unit: "MiB",
    detail: `unrelated draft ${path.basename(draft)}; the own-weights draft adds the model's ${Math.round(fs.statSync(model).size / 2 ** 20)} MiB`,
  });
  return results;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  for (const result of await run()) {
    process.stdout.write(`${result.metric}\t${result.value} ${result.unit}\t${result.detail ?? ""}\n`);
  }
}

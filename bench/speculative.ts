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
import { benchLlama } from "./support/bench-llama.js";
import { benchModel } from "./support/bench-model.js";
import { median } from "./support/median.js";
import type { BenchResult } from "./support/bench-result.js";

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const ANSWER_CHARS = Number(process.env.BENCH_ANSWER_CHARS ?? 48);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** As the embedded backend drafts per round (DRAFT_TOKENS_PER_ROUND). */
const DRAFT_TOKENS = 4;
const VERIFY_REPEATS = 7;
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

/**
 * What a verification round costs the model: evaluating 1 token vs a batch of DRAFT_TOKENS + 1 (the drafted
 * tokens and the next one), each after the same prefix, median of REPEATS. With prompt lookup (no draft model)
 * a round of fully accepted predictions yields DRAFT_TOKENS + 1 tokens for one batch: the 100%-acceptance end.
 */
async function verificationCost(modelPath: string): Promise<{ singleMs: number; batchMs: number }> {
  const llama = await benchLlama(THREADS);
  const model = await llama.loadModel({ modelPath, useMmap: false });
  const context = await model.createContext({ contextSize: 512, threads: THREADS });
  try {
    const sequence = context.getSequence();
    const prefix = model.tokenize("find all files larger than 100 MB in the home folder; ".repeat(4));
    await sequence.evaluateWithoutGeneratingNewTokens(prefix);
    const tokens = model.tokenize(" and sort them by size, largest first, then print");
    const time = async (count: number): Promise<number> => {
      const samples: number[] = [];
      for (let repeat = 0; repeat < VERIFY_REPEATS; repeat++) {
        const started = performance.now();
        await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, count));
        samples.push(performance.now() - started);
        await sequence.eraseContextTokenRanges([{ start: prefix.length, end: sequence.nextTokenIndex }]);
      }
      return median(samples);
    };
    const singleMs = await time(1);
    const batchMs = await time(DRAFT_TOKENS + 1);
    return { singleMs, batchMs };
  } finally {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
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
  // The two ends for each predictor, and 60–80 % acceptance between them: a round drafts DRAFT_TOKENS and
  // yields (1 − a^(k+1)) / (1 − a) tokens at acceptance a; its cost does not depend on a. The draft's round
  // cost is measured at ~0 % (one token per round); prompt lookup's is one verification batch.
  const verify = await verificationCost(model);
  const unrelated = best.get("draft_unrelated_0.5b");
  const expectedTokens = (acceptance: number): number =>
    acceptance >= 1 ? DRAFT_TOKENS + 1 : (1 - acceptance ** (DRAFT_TOKENS + 1)) / (1 - acceptance);
  // Speed-up = tokens per round / round time, over tokens per second without prediction.
  const bracket = (roundMs: number, offTokensPerSecond: number): string =>
    [0, 0.6, 0.7, 0.8, 1]
      .map(
        (acceptance) =>
          `${Math.round(acceptance * 100)} %: ${((expectedTokens(acceptance) * 1000) / roundMs / offTokensPerSecond).toFixed(2)}×`,
      )
      .join(", ");
  results.push({
    metric: "speculative.verification_batch",
    value: Math.round(verify.batchMs),
    unit: "ms",
    detail: `evaluating ${DRAFT_TOKENS + 1} tokens in one batch vs ${Math.round(verify.singleMs)} ms for 1 (median of ${VERIFY_REPEATS}); prompt lookup, in a round where it predicts, at acceptance ${bracket(verify.batchMs, 1000 / verify.singleMs)} (decode only, vs 1 token per step; a round where it finds nothing to predict costs nothing)`,
  });
  if (unrelated !== undefined && unrelated.tokensPerSecond > 0) {
    const roundMs = 1000 / unrelated.tokensPerSecond;
    results.push({
      metric: "speculative.draft_round",
      value: Math.round(roundMs),
      unit: "ms",
      detail: `a round with the 0.5B draft (${DRAFT_TOKENS} drafted + verification), from its ~0 % run; 0.5B draft at acceptance ${bracket(roundMs, off?.tokensPerSecond ?? 0)} (vs off, this run)`,
    });
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

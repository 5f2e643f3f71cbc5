/**
 * Where generation time goes, measured side by side on the bench model (2 threads), interleaved so that load
 * on a shared machine hits every variant alike: the decode floor (one token at a time, no sampling; without and
 * with the output layer's logits, the second being what llama-bench's tg measures), sampling
 * without a grammar (temperature 0.15 and greedy), and with the answer grammar. Run alone:
 * `npx tsx bench/generation-profile.ts`.
 */
import { pathToFileURL } from "node:url";
import { LlamaGrammarEvaluationState, type Token } from "node-llama-cpp";
import { answerGrammar, ANSWER_PREFILL } from "../src/backends/embedded/answer-grammar.js";
import { buildSystemPrompt } from "../src/backends/prompt.js";
import { benchLlama } from "./support/bench-llama.js";
import { benchModel } from "./support/bench-model.js";
import type { BenchResult } from "./support/bench-result.js";

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 30);
const ROUNDS = 3;

export async function run(): Promise<BenchResult[]> {
  const modelPath = await benchModel();
  const llama = await benchLlama(THREADS);
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 1024, threads: THREADS });
  const sequence = context.getSequence();
  const system = buildSystemPrompt({
    shell: "bash",
    context: {
      platform: "linux",
      osVersion: "Debian GNU/Linux 12",
      arch: "x64",
      shell: "bash",
      cwd: "/home/user",
      userland: "gnu",
      tools: [],
    },
    wantExplanation: false,
  });
  const prompt = model.tokenize(
    `<|im_start|>system\n${system}<|im_end|>\n<|im_start|>user\nfind big files<|im_end|>\n<|im_start|>assistant\n${ANSWER_PREFILL}`,
    true,
  );
  const grammar = await llama.createGrammar({ grammar: answerGrammar(false) });
  await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
  const base = sequence.nextTokenIndex;
  const reset = async (): Promise<void> => {
    await sequence.eraseContextTokenRanges([{ start: base, end: sequence.nextTokenIndex }]);
  };
  type Variant = { name: string; measure: () => Promise<number> };
  // node-llama-cpp's own evaluation loop with its internal `_noSampling` switch: the token is decoded with
  // logits and the loop ends without sampling. No public method computes logits without sampling them.
  const internal = sequence as unknown as {
    _evaluate(tokens: Token[], metadata: object, options: { _noSampling: boolean }): AsyncGenerator<Token>;
  };
  const evaluateWithoutSampling = (token: Token): AsyncGenerator<Token> =>
    internal._evaluate([token], {}, { _noSampling: true });
  const drain = async (iterator: AsyncGenerator<Token>): Promise<void> => {
    while (!(await iterator.next()).done);
  };
  const generate = (temperature: number, withGrammar: boolean) => async (): Promise<number> => {
    await reset();
    let started = 0;
    let count = 0;
    const iterator = sequence.evaluate(prompt.slice(-1), {
      temperature,
      seed: 1,
      ...(withGrammar ? { grammarEvaluationState: new LlamaGrammarEvaluationState({ model, grammar }) } : {}),
    });
    for await (const token of iterator) {
      if (started === 0) started = performance.now();
      else if (++count >= TOKENS || model.isEogToken(token)) break;
    }
    await iterator.return();
    return (performance.now() - started) / count;
  };
  const variants: Variant[] = [
    {
      name: "decode_only",
      measure: async () => {
        await reset();
        const tokens: Token[] = model.tokenize(" ls -la".repeat(20)).slice(0, TOKENS + 1);
        await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, 1));
        const started = performance.now();
        for (const token of tokens.slice(1)) await sequence.evaluateWithoutGeneratingNewTokens([token]);
        return (performance.now() - started) / (tokens.length - 1);
      },
    },
    {
      // llama-bench's tg floor: one token at a time with its logits computed (the output layer over the whole
      // vocabulary, ~20 % of a token here), but nothing sampled. decode_only skips the output layer, so it is
      // below what any generation can reach.
      name: "decode_with_logits",
      measure: async () => {
        await reset();
        const tokens: Token[] = model.tokenize(" ls -la".repeat(20)).slice(0, TOKENS + 1);
        await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, 1));
        const started = performance.now();
        for (const token of tokens.slice(1)) await drain(evaluateWithoutSampling(token));
        return (performance.now() - started) / (tokens.length - 1);
      },
    },
    { name: "free_t0", measure: generate(0, false) },
    { name: "free_t0.15", measure: generate(0.15, false) },
    { name: "grammar_t0", measure: generate(0, true) },
    { name: "grammar_t0.15", measure: generate(0.15, true) },
  ];
  const best = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of variants) {
      const ms = await variant.measure();
      best.set(variant.name, Math.min(best.get(variant.name) ?? Infinity, ms));
      process.stderr.write(`[profile] round ${round} ${variant.name}: ${ms.toFixed(1)} ms/token\n`);
    }
  }
  await context.dispose();
  await model.dispose();
  return [...best].map(([name, ms]) => ({
    metric: `generation_profile.${name}`,
    value: Math.round(ms * 10) / 10,
    unit: "ms/token",
    detail: `best of ${ROUNDS}, ${TOKENS} tokens after a ${prompt.length}-token prompt`,
  }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const result of await run())
    process.stdout.write(`${result.metric}\t${result.value} ${result.unit}\t${result.detail ?? ""}\n`);
}

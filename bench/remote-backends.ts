/**
 * Remote backends against loopback stand-ins: how fast a stalled server fails under `--timeout 3` (the
 * acceptance bound is 15 s), how long two 503s then a success take, a streamed round trip, and the tolerant
 * parser's cost per answer over the corpus. Run by `bench/run.ts`, or alone: `npx tsx bench/remote-backends.ts`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { contractRequest } from "../test/support/backend-contract.js";
import { startFakeOllama } from "../test/support/fake-ollama-server.js";
import { startFakeOpenAi } from "../test/support/fake-openai-server.js";
import { serverSettings } from "../test/support/server-backend-settings.js";
import { OllamaBackend } from "../src/backends/ollama.js";
import { OpenAiCompatibleBackend } from "../src/backends/openai-compatible.js";
import { parseAnswer } from "../src/backends/parse-answer.js";
import { median } from "./support/median.js";
import type { BenchResult } from "./support/bench-result.js";

async function elapsed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work().catch(() => undefined);
  return performance.now() - start;
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];

  const stalled = await startFakeOllama({ script: [{ kind: "stall", ms: 20_000 }] });
  const stalledBackend = new OllamaBackend(
    serverSettings({ config: { timeout: 3, ollama: { host: stalled.url } } }),
  );
  const stallMs = await elapsed(() => stalledBackend.generate(contractRequest("say hello")));
  await stalledBackend.dispose();
  await stalled.close();
  results.push({
    metric: "ollama: stalled server fails (timeout 3 s)",
    value: Math.round(stallMs),
    unit: "ms",
    detail: "acceptance bound 15,000 ms",
  });

  const busy = { kind: "status", status: 503 } as const;
  const flaky = await startFakeOpenAi({ script: [busy, busy, '{"command":"echo hello-from-cmdai"}'] });
  const flakyBackend = new OpenAiCompatibleBackend(
    serverSettings({ config: { openai: { base_url: flaky.url, model: "m" } } }),
  );
  const retryMs = await elapsed(() => flakyBackend.generate(contractRequest("say hello")));
  await flakyBackend.dispose();
  await flaky.close();
  results.push({
    metric: "openai: two 503s then success",
    value: Math.round(retryMs),
    unit: "ms",
    detail: "jittered backoff, no Retry-After",
  });

  for (const [name, start] of [
    ["ollama", async () => startFakeOllama()],
    ["openai", async () => startFakeOpenAi()],
  ] as const) {
    const server = await start();
    const settings = serverSettings({
      config: { ollama: { host: server.url }, openai: { base_url: server.url } },
    });
    const backend = name === "ollama" ? new OllamaBackend(settings) : new OpenAiCompatibleBackend(settings);
    const times: number[] = [];
    for (let round = 0; round < 30; round++)
      times.push(await elapsed(() => backend.generate(contractRequest("say hello"))));
    await backend.dispose();
    await server.close();
    results.push({
      metric: `${name}: streamed round trip (loopback, median of 30)`,
      value: Number(median(times.slice(5)).toFixed(2)),
      unit: "ms",
    });
  }

  const folder = fileURLToPath(new URL("../test/fixtures/answers/", import.meta.url));
  const answers = readdirSync(folder)
    .filter((file) => file.endsWith(".txt"))
    .map((file) => readFileSync(`${folder}${file}`, "utf8"));
  const rounds = 200;
  const start = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (const answer of answers) {
      try {
        parseAnswer(answer, { shell: "bash" });
      } catch {
        // Unparseable answers are part of the corpus.
      }
    }
  }
  const perAnswer = ((performance.now() - start) * 1000) / (rounds * answers.length);
  results.push({
    metric: "parseAnswer per corpus answer",
    value: Number(perAnswer.toFixed(1)),
    unit: "µs",
    detail: `${answers.length} answers`,
  });
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const result of await run()) {
    process.stdout.write(
      `${result.metric}: ${result.value} ${result.unit}${result.detail === undefined ? "" : ` (${result.detail})`}\n`,
    );
  }
}

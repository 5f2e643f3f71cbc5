/**
 * `npm run bench`: runs every `bench/*.ts` section (each exports `run(): Promise<BenchResult[]>`), prints one
 * markdown table and writes the same numbers to `bench-results/latest.json`.
 * `BENCH_ONLY=startup,safety` picks sections.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchResult } from "./support/bench-result.js";

const benchDirectory = path.dirname(fileURLToPath(import.meta.url));
const only = process.env.BENCH_ONLY?.split(",").map((name) => name.trim());
const sections = fs
  .readdirSync(benchDirectory)
  .filter((file) => file.endsWith(".ts") && file !== "run.ts" && !file.endsWith(".test.ts"))
  .map((file) => file.slice(0, -3))
  .filter((name) => only === undefined || only.includes(name))
  .sort((a, b) => (a === "startup" ? -1 : b === "startup" ? 1 : a.localeCompare(b)));

const all: (BenchResult & { section: string })[] = [];
const failures: string[] = [];
for (const section of sections) {
  process.stderr.write(`bench: ${section}…\n`);
  try {
    const module = (await import(pathToFileURL(path.join(benchDirectory, `${section}.ts`)).href)) as {
      run: () => Promise<BenchResult[]>;
    };
    for (const result of await module.run()) all.push({ section, ...result });
  } catch (error) {
    failures.push(`${section}: ${(error as Error).message}`);
  }
}

// The issue's first form of the warm floor, kept to compare with its figures: the request tokens at
// llama-bench's pp512 speed plus the answer tokens at its tg speed, both at depth 0. warm-server.ts measures the
// exact floor (the same tokens at their depths) and the overhead's parts.
const find = (metric: string): number | undefined => all.find((result) => result.metric === metric)?.value;
const promptSpeed = find("llama-bench.prompt_throughput");
const generationSpeed = find("llama-bench.generation_throughput");
const warmMs = find("cli.time_to_command_warm_server");
const evaluated = find("cli.warm_prompt_tokens_evaluated");
const answered = find("cli.warm_answer_tokens");
if (
  promptSpeed !== undefined &&
  generationSpeed !== undefined &&
  warmMs !== undefined &&
  evaluated !== undefined &&
  answered !== undefined &&
  promptSpeed > 0 &&
  generationSpeed > 0
) {
  const floorMs = (evaluated / promptSpeed + answered / generationSpeed) * 1000;
  all.push({
    section: "ratio",
    metric: "ratio.warm_to_llama_rates",
    value: Math.round((warmMs / floorMs) * 100) / 100,
    unit: "×",
    detail: `warm ${warmMs} ms vs ${Math.round(floorMs)} ms = ${evaluated} tokens at ${promptSpeed} tok/s + ${answered} at ${generationSpeed} tok/s (llama-bench pp512 / tg at depth 0, this run)`,
  });
}

const machine = `${os.cpus()[0]?.model ?? "cpu"} × ${os.availableParallelism()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${process.platform}-${process.arch}, Node ${process.version}`;
const lines = [
  `Machine: ${machine}`,
  "",
  "| section | metric | value | unit | detail |",
  "|---|---|---:|---|---|",
];
for (const result of all) {
  lines.push(
    `| ${result.section} | ${result.metric} | ${result.value} | ${result.unit} | ${result.detail ?? ""} |`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
for (const failure of failures) process.stderr.write(`bench: FAILED ${failure}\n`);
const resultsDirectory = path.join(benchDirectory, "..", "bench-results");
fs.mkdirSync(resultsDirectory, { recursive: true });
fs.writeFileSync(
  path.join(resultsDirectory, "latest.json"),
  `${JSON.stringify({ machine, date: new Date().toISOString(), results: all, failures }, null, 2)}\n`,
);
process.exitCode = failures.length > 0 ? 1 : 0;

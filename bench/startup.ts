/**
 * Start-up cost of the built CLI against a bare `node -e 0`, measured side by side (interleaved runs, median),
 * so machine noise hits both equally. Goals: `cmdai --version` ≤ 1.6×, `cmdai check 'ls -la'` ≤ 2.5×.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface BenchResult {
  metric: string;
  value: number;
  unit: string;
  detail?: string;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist", "cli", "main.js");

function timeOnce(args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    stdio: "ignore",
    // A user's environment, not this machine's: NODE_EXTRA_CA_CERTS (set on the CI/dev VM) makes every Node
    // start parse a certificate bundle, ~70 ms that would hide the real ratio.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
  });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && result.status !== null && args[0] !== "-e") {
    // check exits 0 for 'ls -la'; any other status means the measurement is wrong.
    throw new Error(`${args.join(" ")} exited ${result.status}`);
  }
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function run(): Promise<BenchResult[]> {
  if (!fs.existsSync(cli)) throw new Error("Build first: npm run build");
  const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 21);
  const candidates: { name: string; args: string[]; goal: number }[] = [
    { name: "cmdai --version", args: [cli, "--version"], goal: 1.6 },
  ];
  candidates.push({ name: "cmdai check 'ls -la'", args: [cli, "check", "ls -la"], goal: 2.5 });
  const baseline: number[] = [];
  const samples = new Map<string, number[]>(candidates.map((candidate) => [candidate.name, []]));
  for (let warmup = 0; warmup < 3; warmup++) {
    timeOnce(["-e", "0"]);
    for (const candidate of candidates) timeOnce(candidate.args);
  }
  for (let index = 0; index < runs; index++) {
    baseline.push(timeOnce(["-e", "0"]));
    for (const candidate of candidates) samples.get(candidate.name)?.push(timeOnce(candidate.args));
  }
  const baselineMedian = median(baseline);
  const results: BenchResult[] = [
    { metric: "node -e 0", value: Math.round(baselineMedian), unit: "ms", detail: `median of ${runs}` },
  ];
  for (const candidate of candidates) {
    const value = median(samples.get(candidate.name) ?? []);
    results.push({
      metric: candidate.name,
      value: Math.round(value),
      unit: "ms",
      detail: `median of ${runs}`,
    });
    results.push({
      metric: `${candidate.name} / node -e 0`,
      value: Math.round((value / baselineMedian) * 100) / 100,
      unit: "×",
      detail: `goal ≤ ${candidate.goal}×`,
    });
  }
  return Promise.resolve(results);
}

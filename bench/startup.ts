/**
 * Start-up cost of the built CLI against a bare `node -e 0`, measured side by side (interleaved runs, median),
 * so machine noise hits both equally. Goals: `cmdai --version` ≤ 1.6×, `cmdai check 'ls -la'` ≤ 2.5×.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./support/median.js";
import type { BenchResult } from "./support/bench-result.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist", "cli", "main.js");

function timeOnce(args: string[], home = process.env.HOME): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    stdio: "ignore",
    // A user's environment, not this machine's: NODE_EXTRA_CA_CERTS (set on the CI/dev VM) makes every Node
    // start parse a certificate bundle, ~70 ms that would hide the real ratio.
    env: { PATH: process.env.PATH, HOME: home, NO_COLOR: "1" },
  });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && result.status !== null && args[0] !== "-e") {
    // check exits 0 for 'ls -la'; any other status means the measurement is wrong.
    throw new Error(`${args.join(" ")} exited ${result.status}`);
  }
  return elapsed;
}

export function run(): Promise<BenchResult[]> {
  if (!fs.existsSync(cli)) throw new Error("Build first: npm run build");
  const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 21);
  // A user with a config file: validation is remembered after the first run (the warm-up runs fill it).
  const configuredHome = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-bench-startup-"));
  fs.mkdirSync(path.join(configuredHome, ".config", "cmdai"), { recursive: true });
  fs.writeFileSync(
    path.join(configuredHome, ".config", "cmdai", "config.toml"),
    'safety = "moderate"\n\n[embedded]\nthreads = 2\nkeep_alive = 600\n',
  );
  const candidates: { name: string; args: string[]; goal: number; home?: string }[] = [
    { name: "cmdai --version", args: [cli, "--version"], goal: 1.6 },
    { name: "cmdai check 'ls -la'", args: [cli, "check", "ls -la"], goal: 2.5 },
    {
      name: "cmdai check 'ls -la', with a config file",
      args: [cli, "check", "ls -la"],
      goal: 2.5,
      home: configuredHome,
    },
  ];
  const baseline: number[] = [];
  const samples = new Map<string, number[]>(candidates.map((candidate) => [candidate.name, []]));
  for (let warmup = 0; warmup < 3; warmup++) {
    timeOnce(["-e", "0"]);
    for (const candidate of candidates) timeOnce(candidate.args, candidate.home);
  }
  for (let index = 0; index < runs; index++) {
    baseline.push(timeOnce(["-e", "0"]));
    for (const candidate of candidates) {
      samples.get(candidate.name)?.push(timeOnce(candidate.args, candidate.home));
    }
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
  fs.rmSync(configuredHome, { recursive: true, force: true });
  return Promise.resolve(results);
}

/**
 * Time-to-command as a user sees it, through the built CLI, on the synthetic Qwen2.5-1.5B-shaped Q4_K_M model
 * (2 threads, a fixed 30-character answer): a fresh process without the server (cold, then with the saved
 * prompt state), and through the warm model server (median of 3 after it started). Goals on 2 cores: warm
 * ≤ 1.5 s; cold ≤ load time + 2 s. Run alone: `BENCH_ONLY=warm-server npm run bench`.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir } from "../src/config/paths.js";
import { writeSyntheticModel } from "../test/fixtures/gguf/synthetic-model.js";

interface BenchResult {
  metric: string;
  value: number;
  unit: string;
  detail?: string;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist", "cli", "main.js");

function modelFile(): string {
  const file = path.join(cacheDir(), "bench-models", "synthetic-qwen2.5-1.5b-q4_k_m-seed1.gguf");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.partial`;
    writeSyntheticModel(temporary, { preset: "qwen2.5-1.5b", quant: "q4_k_m", seed: 1 });
    fs.renameSync(temporary, file);
  }
  return file;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function run(): Promise<BenchResult[]> {
  if (!fs.existsSync(cli)) throw new Error("Build first: npm run build");
  const model = modelFile();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-bench-warm-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, "config"),
    XDG_CACHE_HOME: path.join(home, "cache"),
    XDG_STATE_HOME: path.join(home, "state"),
    NO_COLOR: "1",
  };
  const configFile = path.join(home, "config", "cmdai", "config.toml");
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  const writeConfig = (keepAlive: number): void => {
    fs.writeFileSync(
      configFile,
      `[embedded]\nthreads = 2\nseed = 1\nmax_tokens = 64\nmax_command_length = 30\nkeep_alive = ${keepAlive}\n`,
    );
  };
  const request = (): {
    ms: number;
    document: { command?: string; timingsMs?: Record<string, number>; error?: { message: string } };
  } => {
    const started = performance.now();
    const result = spawnSync(
      process.execPath,
      [cli, "--model", model, "-o", "json", "--dry-run", "list the ten largest files here"],
      {
        env,
        encoding: "utf8",
        timeout: 300_000,
      },
    );
    const ms = performance.now() - started;
    return {
      ms,
      document: JSON.parse(result.stdout || "{}") as { command?: string; error?: { message: string } },
    };
  };
  try {
    writeConfig(0);
    const cold = request();
    const coldSaved = request();
    writeConfig(600);
    const starting = request();
    const warm = [request(), request(), request()];
    const describe = (run: ReturnType<typeof request>): string =>
      run.document.error !== undefined
        ? `failed: ${run.document.error.message}`
        : `load ${run.document.timingsMs?.load ?? "?"} ms, generate ${run.document.timingsMs?.generate ?? "?"} ms, ${run.document.command?.length ?? 0} chars`;
    return Promise.resolve([
      {
        metric: "cli.time_to_command_cold",
        value: Math.round(cold.ms),
        unit: "ms",
        detail: `fresh process, no saved state; ${describe(cold)}`,
      },
      {
        metric: "cli.time_to_command_cold_saved_state",
        value: Math.round(coldSaved.ms),
        unit: "ms",
        detail: `fresh process; ${describe(coldSaved)}`,
      },
      {
        metric: "cli.time_to_command_server_start",
        value: Math.round(starting.ms),
        unit: "ms",
        detail: `first request starts the model server; ${describe(starting)}`,
      },
      {
        metric: "cli.time_to_command_warm_server",
        value: Math.round(median(warm.map((run) => run.ms))),
        unit: "ms",
        detail: `median of 3, goal ≤ 1500 ms; ${describe(warm[1] ?? starting)}`,
      },
    ]);
  } finally {
    spawnSync(process.execPath, [cli, "server", "stop"], { env, stdio: "ignore" });
    fs.rmSync(home, { recursive: true, force: true });
  }
}

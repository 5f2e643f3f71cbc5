/**
 * How the way the weights are loaded changes the load and the speed after it, on the synthetic
 * Qwen2.5-1.5B-shaped Q4_K_M (2 threads), one load per fresh process, medians of ROUNDS interleaved rounds:
 * - llama.cpp itself (cmdai's load probe, linked against node-llama-cpp's own libraries by
 *   `npm run bench:llama-bench`): CPU weight repacking on and off × mapped and read weights, with the prompt
 *   and generation speed each gives and peak RSS. node-llama-cpp cannot switch repacking off; the rows say what
 *   it would change.
 * - node-llama-cpp as cmdai's embedded backend loads (bench/support/load-once.ts): mapped and read weights,
 *   and node-llama-cpp's own resource simulation kept for comparison.
 * Run alone: `BENCH_ONLY=load-modes npm run bench`.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchModel } from "./support/bench-model.js";
import { findLoadProbe, LLAMA_BENCH_MISSING_HINT } from "./support/llama-bench-binary.js";
import { median } from "./support/median.js";
import type { BenchResult } from "./support/bench-result.js";

const ROUNDS = 3;
const PROMPT_TOKENS = 64;
const GENERATED_TOKENS = 16;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface ProbeRun {
  load_ms: number;
  context_ms: number;
  prompt_tps: number;
  generation_tps: number;
  peak_rss_mib: number;
}

interface CmdaiLoad {
  getLlamaMs: number;
  loadMs: number;
  contextMs: number;
  peakRssMib: number;
  anonymousMib?: number;
  fileMib?: number;
}

function progress(line: string): void {
  process.stderr.write(`[bench load-modes] ${line}\n`);
}

function runJson(command: string, args: string[], cwd: string | undefined): unknown {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    timeout: 300_000,
    ...(cwd === undefined ? {} : { cwd }),
  });
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(command)} ${args.slice(1).join(" ")} failed (${result.signal ?? String(result.status)}): ${result.stderr.slice(-200)}`,
    );
  }
  return JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

export async function run(): Promise<BenchResult[]> {
  const model = await benchModel();
  const results: BenchResult[] = [];

  const probe = findLoadProbe();
  const probeModes = [
    { name: "repack, mapped", repack: 1, mmap: 1 },
    { name: "repack, read", repack: 1, mmap: 0 },
    { name: "no repack, mapped", repack: 0, mmap: 1 },
    { name: "no repack, read", repack: 0, mmap: 0 },
  ];
  if (probe === undefined) {
    progress(LLAMA_BENCH_MISSING_HINT);
    results.push({
      metric: "load-modes.llama_cpp.missing",
      value: probeModes.length,
      unit: "rows",
      detail: `repacking on/off × mapped/read: ${LLAMA_BENCH_MISSING_HINT}`,
    });
  } else {
    const runs = new Map<string, ProbeRun[]>(probeModes.map((mode) => [mode.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of probeModes) {
        const measured = runJson(
          probe.binary,
          [
            model,
            "2",
            String(mode.repack),
            String(mode.mmap),
            String(PROMPT_TOKENS),
            String(GENERATED_TOKENS),
          ],
          probe.cwd,
        ) as ProbeRun;
        progress(`${mode.name}: ${JSON.stringify(measured)}`);
        runs.get(mode.name)?.push(measured);
      }
    }
    for (const mode of probeModes) {
      const measured = runs.get(mode.name) ?? [];
      const middle = (pick: (run: ProbeRun) => number): number => median(measured.map(pick));
      results.push({
        metric: "load-modes.llama_cpp",
        value: Math.round(middle((run) => run.load_ms)),
        unit: "ms",
        detail:
          `${mode.name}: load (median of ${ROUNDS}); then pp${PROMPT_TOKENS} ${round1(middle((run) => run.prompt_tps))} tok/s, ` +
          `tg${GENERATED_TOKENS} ${round1(middle((run) => run.generation_tps))} tok/s, context ${Math.round(middle((run) => run.context_ms))} ms, peak RSS ${Math.round(middle((run) => run.peak_rss_mib))} MiB`,
      });
    }
  }

  const cmdaiModes = [
    { name: "mapped (in-process requests)", args: ["mapped", "statically"] },
    { name: "read (the warm server)", args: ["read", "statically"] },
    { name: "mapped, node-llama-cpp's resource simulation kept", args: ["mapped", "simulated"] },
  ];
  const loads = new Map<string, CmdaiLoad[]>(cmdaiModes.map((mode) => [mode.name, []]));
  const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of cmdaiModes) {
      const measured = runJson(
        process.execPath,
        [tsx, path.join(root, "bench", "support", "load-once.ts"), model, ...mode.args],
        undefined,
      ) as CmdaiLoad;
      progress(`node-llama-cpp ${mode.name}: ${JSON.stringify(measured)}`);
      loads.get(mode.name)?.push(measured);
    }
  }
  for (const mode of cmdaiModes) {
    const measured = loads.get(mode.name) ?? [];
    const middle = (pick: (load: CmdaiLoad) => number): number => Math.round(median(measured.map(pick)));
    results.push({
      metric: "load-modes.node_llama_cpp",
      value: middle((load) => load.loadMs),
      unit: "ms",
      detail: `${mode.name}: loadModel (median of ${ROUNDS}); createContext ${middle((load) => load.contextMs)} ms, getLlama ${middle((load) => load.getLlamaMs)} ms, peak RSS ${middle((load) => load.peakRssMib)} MiB (loaded: ${middle((load) => load.anonymousMib ?? 0)} MiB anonymous + ${middle((load) => load.fileMib ?? 0)} MiB mapped file pages)`,
    });
  }
  return results;
}

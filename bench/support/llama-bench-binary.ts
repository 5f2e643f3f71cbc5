/**
 * Where the benches find llama-bench: `LLAMA_BENCH` when set, else the binary `npm run bench:llama-bench` built
 * from the llama.cpp source node-llama-cpp ships and cached under `<cache>/llama-bench/<release>/`.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { cacheDir } from "../../src/config/paths.js";

/** node-llama-cpp's `llama/` folder: the bundled llama.cpp git bundle and its release tag. */
export function bundledLlamaCppFolder(): string {
  // The package exports no `package.json`: walk up from its entry point to its root.
  let folder = path.dirname(createRequire(import.meta.url).resolve("node-llama-cpp"));
  while (!fs.existsSync(path.join(folder, "llama", "llama.cpp.info.json"))) {
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error("node-llama-cpp's llama/ folder was not found");
    folder = parent;
  }
  return path.join(folder, "llama");
}

/** The llama.cpp release node-llama-cpp ships (e.g. `v0.4.0`), from its `llama.cpp.info.json`. */
export function bundledLlamaCppRelease(): string {
  const info = JSON.parse(
    fs.readFileSync(path.join(bundledLlamaCppFolder(), "llama.cpp.info.json"), "utf8"),
  ) as { tag?: unknown };
  if (typeof info.tag !== "string" || !/^[\w.-]+$/.test(info.tag)) {
    throw new Error("node-llama-cpp's llama.cpp.info.json has no usable release tag");
  }
  return info.tag;
}

/** The folder the built binary is cached in, per bundled release. */
export function llamaBenchCacheFolder(): string {
  return path.join(cacheDir(), "llama-bench", bundledLlamaCppRelease());
}

/** The cached llama-bench's path (it may not exist yet). */
export function cachedLlamaBenchPath(): string {
  return path.join(llamaBenchCacheFolder(), "llama-bench");
}

/** The cached load probe's path (bench/support/load-probe.cpp, built beside llama-bench). */
export function cachedLoadProbePath(): string {
  return path.join(llamaBenchCacheFolder(), "cmdai-load-probe");
}

/** What the build records beside the binaries: the release, and the prebuilt libraries they link against. */
export interface LlamaBenchStamp {
  release: string;
  /** node-llama-cpp's prebuilt library folder; absent for a standalone (native) build. */
  libraries?: string;
}

/**
 * node-llama-cpp's prebuilt CPU libraries for this platform (`@node-llama-cpp/<platform>-<arch>/bins/…`, the
 * folder holding `llama-addon.node` and the per-CPU `libggml-cpu-*` variants), or undefined.
 */
export function prebuiltLibraryFolder(): string | undefined {
  const name = `${process.platform}-${process.arch}`;
  let folder = path.dirname(bundledLlamaCppFolder());
  for (;;) {
    for (const candidate of [
      path.join(folder, "node_modules", "@node-llama-cpp", name, "bins", name),
      path.join(folder, "@node-llama-cpp", name, "bins", name),
    ]) {
      if (fs.existsSync(path.join(candidate, "llama-addon.node"))) return candidate;
    }
    const parent = path.dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/** A program to run, and the folder to run it in (ggml finds its CPU variant libraries there). */
export interface LlamaProgram {
  binary: string;
  cwd: string | undefined;
}

function cachedProgram(binary: string): LlamaProgram | undefined {
  if (!fs.existsSync(binary)) return undefined;
  const stampPath = `${cachedLlamaBenchPath()}.json`;
  const stamp = fs.existsSync(stampPath)
    ? (JSON.parse(fs.readFileSync(stampPath, "utf8")) as LlamaBenchStamp)
    : undefined;
  return { binary, cwd: stamp?.libraries };
}

/** The llama-bench to use: `LLAMA_BENCH`, else the cached build, else undefined. */
export function findLlamaBench(): LlamaProgram | undefined {
  const configured = process.env.LLAMA_BENCH;
  if (configured !== undefined && configured !== "") return { binary: configured, cwd: undefined };
  return cachedProgram(cachedLlamaBenchPath());
}

/** The cached load probe, or undefined. */
export function findLoadProbe(): LlamaProgram | undefined {
  return cachedProgram(cachedLoadProbePath());
}

/** What the bench prints when no llama-bench is found. */
export const LLAMA_BENCH_MISSING_HINT =
  "no llama-bench: run `npm run bench:llama-bench` once (builds it and the load probe from node-llama-cpp's bundled llama.cpp against its prebuilt libraries; needs git and g++, e.g. `apt-get install -y git g++`), or set LLAMA_BENCH=/path/to/llama-bench";

/** One test's result in llama-bench's JSON output (`-o json`), the fields the benches read. */
export interface LlamaBenchRow {
  n_prompt: number;
  n_gen: number;
  avg_ts: number;
  avg_ns?: number;
  samples_ts?: number[];
  samples_ns?: number[];
}

/** Run llama-bench with `args` (`-o json` is added): its result rows, or why it failed. */
export function runLlamaBench(program: LlamaProgram, args: string[]): LlamaBenchRow[] | { error: string } {
  const output = spawnSync(program.binary, [...args, "-o", "json"], {
    encoding: "utf8",
    maxBuffer: 16 * 2 ** 20,
    ...(program.cwd === undefined ? {} : { cwd: program.cwd }),
  });
  if (output.status !== 0) {
    const why = output.signal ?? `exit ${String(output.status)}`;
    const last = output.stderr.trim().split("\n").slice(-2).join(" ").slice(0, 200);
    return { error: `llama-bench failed (${why}): ${last}` };
  }
  return JSON.parse(output.stdout) as LlamaBenchRow[];
}

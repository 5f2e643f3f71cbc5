/**
 * Where the benches find llama-bench: `LLAMA_BENCH` when set, else the binary `npm run bench:llama-bench` built
 * from the llama.cpp source node-llama-cpp ships and cached under `<cache>/llama-bench/<release>/`.
 */
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

/** The cached binary's path (it may not exist yet). */
export function cachedLlamaBenchPath(): string {
  return path.join(llamaBenchCacheFolder(), "llama-bench");
}

/** The llama-bench to use: `LLAMA_BENCH`, else the cached build, else undefined. */
export function findLlamaBench(): string | undefined {
  const configured = process.env.LLAMA_BENCH;
  if (configured !== undefined && configured !== "") return configured;
  const cached = cachedLlamaBenchPath();
  return fs.existsSync(cached) ? cached : undefined;
}

/** What the bench prints when no llama-bench is found. */
export const LLAMA_BENCH_MISSING_HINT =
  "no llama-bench: run `npm run bench:llama-bench` once (builds it from node-llama-cpp's bundled llama.cpp; needs cmake and g++, e.g. `apt-get install -y cmake g++`), or set LLAMA_BENCH=/path/to/llama-bench";

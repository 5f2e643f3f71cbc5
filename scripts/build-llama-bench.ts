/**
 * `npm run bench:llama-bench`: build llama-bench from the llama.cpp source node-llama-cpp ships
 * (`node_modules/node-llama-cpp/llama/gitRelease.bundle`, no network) and cache it where `npm run bench` finds
 * it (`<cache>/llama-bench/<release>/llama-bench`). Needs git, cmake and a C++ compiler (Debian:
 * `apt-get install -y cmake g++`). Only the llama-bench target is built (~10 min on 2 cores).
 *
 * The build matches node-llama-cpp's prebuilt CPU binaries where it matters for a same-run comparison: ggml's own
 * thread pool (`GGML_OPENMP=OFF`, as node-llama-cpp's release builds set) and the host's instruction set
 * (`GGML_NATIVE=ON`; the prebuilt package picks its per-CPU variant at run time). `--openmp` builds the OpenMP
 * variant instead. `--force` rebuilds; `--keep-build` keeps the source and object folders.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  bundledLlamaCppFolder,
  bundledLlamaCppRelease,
  cachedLlamaBenchPath,
  llamaBenchCacheFolder,
} from "../bench/support/llama-bench-binary.js";

const flags = new Set(process.argv.slice(2));
const unknown = [...flags].filter((flag) => !["--force", "--openmp", "--keep-build"].includes(flag));
if (unknown.length > 0) {
  process.stderr.write(
    `build-llama-bench: unknown option ${unknown.join(", ")} (use --force, --openmp, --keep-build)\n`,
  );
  process.exit(2);
}

function fail(message: string): never {
  process.stderr.write(`build-llama-bench: ${message}\n`);
  process.exit(1);
}

function run(command: string, args: string[], options: { cwd?: string } = {}): void {
  process.stderr.write(`build-llama-bench: ${command} ${args.join(" ")}\n`);
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error !== undefined) fail(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} exited with ${String(result.status ?? result.signal)}`);
}

function requireTool(tool: string, install: string): void {
  const found = spawnSync(tool, ["--version"], { stdio: "ignore" });
  if (found.error !== undefined || found.status !== 0) fail(`${tool} is missing: install it (${install})`);
}

const target = cachedLlamaBenchPath();
const openmp = flags.has("--openmp");
const stampPath = `${target}.json`;
const stamp = { release: bundledLlamaCppRelease(), openmp, native: true };
if (!flags.has("--force") && fs.existsSync(target) && fs.existsSync(stampPath)) {
  const existing = JSON.parse(fs.readFileSync(stampPath, "utf8")) as typeof stamp;
  if (existing.release === stamp.release && existing.openmp === stamp.openmp) {
    process.stdout.write(`${target}\n`);
    process.exit(0);
  }
}

requireTool("git", "apt-get install -y git");
requireTool("cmake", "apt-get install -y cmake");
requireTool("c++", "apt-get install -y g++");
const bundle = path.join(bundledLlamaCppFolder(), "gitRelease.bundle");
if (!fs.existsSync(bundle))
  fail(`node-llama-cpp ships no llama.cpp source at ${bundle}; reinstall node_modules`);

const folder = llamaBenchCacheFolder();
const work = path.join(folder, `work-${process.pid}`);
fs.mkdirSync(work, { recursive: true });
try {
  const source = path.join(work, "llama.cpp");
  const build = path.join(work, "build");
  run("git", ["clone", "--quiet", bundle, source]);
  run("cmake", [
    "-S",
    source,
    "-B",
    build,
    "-DCMAKE_BUILD_TYPE=Release",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DLLAMA_CURL=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_SERVER=OFF",
    "-DGGML_NATIVE=ON",
    `-DGGML_OPENMP=${openmp ? "ON" : "OFF"}`,
  ]);
  run("cmake", ["--build", build, "--target", "llama-bench", "-j", String(os.availableParallelism())]);
  const built = path.join(build, "bin", "llama-bench");
  if (!fs.existsSync(built)) fail(`the build finished but ${built} is missing`);
  // Copied then renamed, so a half-written binary is never found by the bench.
  fs.copyFileSync(built, `${target}.partial`);
  fs.chmodSync(`${target}.partial`, 0o755);
  fs.renameSync(`${target}.partial`, target);
  fs.writeFileSync(stampPath, `${JSON.stringify(stamp)}\n`);
  process.stdout.write(`${target}\n`);
} finally {
  if (!flags.has("--keep-build")) fs.rmSync(work, { recursive: true, force: true });
}

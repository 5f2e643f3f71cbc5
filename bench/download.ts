/**
 * Download throughput from the loopback hub stand-in: cmdai's downloader (redirect, SHA-256 while writing,
 * verify, rename) against `curl -L -o` on the same file. Generates a 256 MiB file in memory and a temporary
 * folder, runs each side three times alternately, reports medians, and deletes everything. Goal: ≥ 0.9× curl.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startHubServer } from "../test/support/hub-server.js";
import { configSchema } from "../src/config/schema.js";
import { parseModelReference } from "../src/models/model-reference.js";
import { pullModel } from "../src/models/resolve-model-file.js";
import { median } from "./support/median.js";
import type { BenchResult } from "./support/bench-result.js";

const SIZE_BYTES = 256 * 1024 * 1024;
const RUNS = 5;

function runCurl(url: string, output: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("curl", ["-sS", "-L", "--noproxy", "*", "-o", output, url], { stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGTERM"), 120_000);
    child.on("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

/** `sha256sum FILE` exits 0: what verifying curl's download costs afterwards. */
function runSha256sum(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("sha256sum", [file], { stdio: "ignore" });
    child.on("error", () => resolve(false));
    child.on("close", (code) => resolve(code === 0));
  });
}

/** Milliseconds for Node's SHA-256 over SIZE_BYTES in 1 MiB pieces: the hash alone, on one core. */
function hashOnlyMs(): number {
  const piece = randomBytes(1024 * 1024);
  const started = performance.now();
  const hash = createHash("sha256");
  for (let offset = 0; offset < SIZE_BYTES; offset += piece.length) hash.update(piece);
  hash.digest();
  return performance.now() - started;
}

/** Child-process mode: serve the generated file until stdin closes, printing the endpoint first. */
async function serve(): Promise<void> {
  const hub = await startHubServer();
  const block = randomBytes(1024 * 1024);
  const content = Buffer.alloc(SIZE_BYTES);
  for (let offset = 0; offset < SIZE_BYTES; offset += block.length) block.copy(content, offset);
  hub.addFile("bench/big-gguf", "model.gguf", content);
  process.stdout.write(`${hub.endpoint}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => void hub.close());
}

/** The stand-in runs in its own process so it does not share an event loop with the downloader under test. */
async function startServerProcess(): Promise<{ endpoint: string; stop: () => void }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--serve"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const timer = setTimeout(() => child.kill("SIGTERM"), 600_000);
  const endpoint = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      if (text.includes("\n")) resolve(text.trim());
    });
    child.on("error", reject);
    child.on("close", () => {
      reject(new Error("the bench hub server exited early"));
    });
  });
  return {
    endpoint,
    stop: () => {
      clearTimeout(timer);
      child.stdin.end();
      child.kill("SIGTERM");
    },
  };
}

export async function run(): Promise<BenchResult[]> {
  const hub = await startServerProcess();
  const temporary = await fs.mkdtemp(path.join(os.tmpdir(), "cmdai-bench-download-"));
  try {
    const url = `${hub.endpoint}/bench/big-gguf/resolve/main/model.gguf`;
    const reference = parseModelReference("hf:bench/big-gguf/model.gguf");
    if (reference.kind !== "hf") throw new Error("unexpected reference kind");

    const ours: number[] = [];
    const curl: number[] = [];
    const curlVerified: number[] = [];
    const hashes: number[] = [];
    const cpuShares: number[] = [];
    let curlAvailable = true;
    let sha256sumAvailable = true;
    for (let index = 0; index < RUNS; index++) {
      const cache = path.join(temporary, `cache-${index}`);
      const env = { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: cache };
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const pulled = await pullModel(reference, {
        config: configSchema.parse({}),
        env,
        paths: { env, platform: process.platform, homedir: temporary },
        assumeYes: true,
        signal: AbortSignal.timeout(120_000),
      });
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      cpuShares.push((cpu.user + cpu.system) / 1000 / wallMs);
      ours.push(SIZE_BYTES / (wallMs / 1000));
      await fs.rm(pulled.path, { force: true });

      if (curlAvailable) {
        const output = path.join(temporary, `curl-${index}.gguf`);
        const curlStarted = performance.now();
        curlAvailable = await runCurl(url, output);
        if (curlAvailable) curl.push(SIZE_BYTES / ((performance.now() - curlStarted) / 1000));
        if (curlAvailable && sha256sumAvailable) {
          sha256sumAvailable = await runSha256sum(output);
          if (sha256sumAvailable) curlVerified.push(SIZE_BYTES / ((performance.now() - curlStarted) / 1000));
        }
        await fs.rm(output, { force: true });
      }
      hashes.push(hashOnlyMs());
    }
    const mebibytesPerSecond = (bytesPerSecond: number): number =>
      Math.round((bytesPerSecond / 1024 / 1024) * 10) / 10;
    const results: BenchResult[] = [
      {
        metric: "download.cmdai_throughput",
        value: mebibytesPerSecond(median(ours)),
        unit: "MiB/s",
        detail: `median of ${RUNS}, 256 MiB over loopback with a 302 to a second server, SHA-256 verified`,
      },
    ];
    if (curl.length > 0) {
      results.push(
        {
          metric: "download.curl_throughput",
          value: mebibytesPerSecond(median(curl)),
          unit: "MiB/s",
          detail: `curl -L -o, median of ${RUNS}`,
        },
        {
          metric: "download.cmdai_vs_curl",
          value: Math.round((median(ours) / median(curl)) * 100) / 100,
          unit: "ratio",
          detail: "goal ≥ 0.9",
        },
      );
      // Where the gap goes: cmdai verifies the SHA-256 as the bytes arrive, curl does not verify at all.
      const secondsPerRun = (bytesPerSecond: number): number => SIZE_BYTES / bytesPerSecond;
      const hashSeconds = median(hashes) / 1000;
      const beyondHash = secondsPerRun(median(ours)) - hashSeconds;
      results.push(
        {
          metric: "download.cmdai_cpu_share",
          value: Math.round(median(cpuShares) * 100) / 100,
          unit: "cores",
          detail:
            "the downloading process's CPU time (all its threads) over its wall time: with the hub stand-in's own process, what the 2 cores are busy with",
        },
        {
          metric: "download.sha256_only",
          value: Math.round(hashSeconds * 1000),
          unit: "ms",
          detail: `Node's SHA-256 over the same 256 MiB in memory, one core (median of ${RUNS})`,
        },
        {
          metric: "download.cmdai_without_hash_vs_curl",
          value: Math.round((secondsPerRun(median(curl)) / beyondHash) * 100) / 100,
          unit: "ratio",
          detail:
            "cmdai's download time less the hash's own time, against curl: what the transfer itself costs",
        },
      );
      if (curlVerified.length > 0) {
        results.push({
          metric: "download.cmdai_vs_curl_then_sha256sum",
          value: Math.round((median(ours) / median(curlVerified)) * 100) / 100,
          unit: "ratio",
          detail:
            "against curl -o followed by coreutils sha256sum on the file (a verified download with curl)",
        });
      }
    }
    return results;
  } finally {
    hub.stop();
    await fs.rm(temporary, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--serve") {
  await serve();
} else if (import.meta.url === `file://${process.argv[1] ?? ""}`) {
  for (const result of await run())
    console.log(`${result.metric}\t${result.value} ${result.unit}\t${result.detail ?? ""}`);
}

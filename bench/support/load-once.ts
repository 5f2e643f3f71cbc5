/**
 * One model load the way cmdai's embedded backend does it, in a fresh process (run by bench/load-modes.ts):
 * `tsx bench/support/load-once.ts MODEL mapped|read statically|simulated`. Prints one JSON line: getLlama,
 * loadModel and createContext milliseconds and peak RSS.
 */
import fs from "node:fs";
import { benchLlama } from "./bench-llama.js";

const [modelPath, weights, estimate] = process.argv.slice(2);
if (
  modelPath === undefined ||
  !["mapped", "read"].includes(weights ?? "") ||
  !["statically", "simulated"].includes(estimate ?? "")
) {
  process.stderr.write("usage: load-once.ts MODEL mapped|read statically|simulated\n");
  process.exit(2);
}
const started = performance.now();
const llama = await benchLlama(2, { simulateResources: estimate === "simulated" });
const llamaReady = performance.now();
const model = await llama.loadModel({ modelPath, useMmap: weights === "mapped" });
const loaded = performance.now();
const context = await model.createContext({ contextSize: 512, threads: 2, sequences: 1 });
const contextReady = performance.now();
// With the model loaded: anonymous memory (the repacked weights, the context) and mapped file pages, which
// the kernel can drop under pressure and read again.
const status = process.platform === "linux" ? fs.readFileSync("/proc/self/status", "utf8") : "";
const statusMib = (field: string): number | undefined => {
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
  return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
};
process.stdout.write(
  `${JSON.stringify({
    getLlamaMs: Math.round(llamaReady - started),
    loadMs: Math.round(loaded - llamaReady),
    contextMs: Math.round(contextReady - loaded),
    peakRssMib: Math.round(process.resourceUsage().maxRSS / 1024),
    anonymousMib: statusMib("RssAnon"),
    fileMib: statusMib("RssFile"),
  })}\n`,
);
await context.dispose();
await model.dispose();
await llama.dispose();

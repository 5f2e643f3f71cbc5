/**
 * Effect-preview benchmarks on a generated tree of 100,000 files in 1,000 folders: how fast `rm -rf` of the whole
 * tree is counted (entries/s, and the wall time of a complete count), how much the menu's 300 ms first pass
 * counts, and the longest the event loop waited during a count (it must stay responsive: keys, redraws).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { previewEffects } from "../src/preview/preview-effects.js";
import type { BenchResult } from "./support/bench-result.js";

const FOLDERS = 1_000;
const FILES_PER_FOLDER = 100;

function makeTree(root: string): void {
  for (let folder = 0; folder < FOLDERS; folder++) {
    const directory = path.join(root, "big", `d${folder % 10}`, `sub${folder}`);
    fs.mkdirSync(directory, { recursive: true });
    for (let file = 0; file < FILES_PER_FOLDER; file++)
      fs.writeFileSync(path.join(directory, `f${file}`), "x".repeat(file));
  }
}

export async function run(): Promise<BenchResult[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-bench-preview-"));
  try {
    makeTree(root);
    const options = { shell: "bash", cwd: root, env: {} } as const;
    // Warm the parser and the file system cache once.
    await previewEffects("rm -rf big", { ...options, budget: { timeMs: 60_000, entries: 10_000_000 } });
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const start = performance.now();
    const full = await previewEffects("rm -rf big", {
      ...options,
      budget: { timeMs: 60_000, entries: 10_000_000 },
    });
    const fullMs = performance.now() - start;
    delay.disable();
    const entries = (full?.totals.files ?? 0) + (full?.totals.directories ?? 0);
    const quick = await previewEffects("rm -rf big", { ...options, budget: { timeMs: 300 } });
    return [
      {
        metric: "preview.full-count",
        value: Math.round(fullMs),
        unit: "ms",
        detail: `${entries.toLocaleString("en-US")} entries, complete: ${String(full?.truncated === false)}`,
      },
      { metric: "preview.throughput", value: Math.round(entries / (fullMs / 1000)), unit: "entries/s" },
      {
        metric: "preview.first-pass-300ms",
        value: quick?.totals.files ?? 0,
        unit: "files",
        detail: quick?.summary ?? "",
      },
      {
        metric: "preview.event-loop-max-delay",
        value: Math.round(delay.max / 1e6),
        unit: "ms",
        detail: `p99 ${Math.round(delay.percentile(99) / 1e6)} ms during the full count`,
      },
    ];
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

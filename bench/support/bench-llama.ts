/**
 * The CPU-only llama.cpp instance the benches measure with, started the way cmdai's embedded backend starts
 * it: prebuilt binaries, an explicit thread count, errors only, and node-llama-cpp's resource simulation
 * replaced by its static estimate (`simulateResources` keeps the simulation, to measure what it costs).
 */
import * as nodeLlamaCpp from "node-llama-cpp";
import type { Llama } from "node-llama-cpp";
import { estimateCpuResourcesStatically } from "../../src/backends/embedded/cpu-resource-estimate.js";

export async function benchLlama(
  threads: number,
  options: { simulateResources?: boolean } = {},
): Promise<Llama> {
  if (options.simulateResources !== true) estimateCpuResourcesStatically(nodeLlamaCpp);
  return nodeLlamaCpp.getLlama({
    gpu: false,
    build: "never",
    maxThreads: threads,
    logLevel: nodeLlamaCpp.LlamaLogLevel.error,
  });
}

/**
 * node-llama-cpp sizes every model load and every context by simulating it first: a second, allocation-free
 * llama.cpp load of the model (and of each context) to measure what the real one will take, so it can choose
 * how many layers go to a GPU. On the CPU there are no layers to place, and the simulation only feeds a
 * memory check that node-llama-cpp's static estimate from the file's tensor sizes also makes (its own fallback
 * when no simulation is possible). Measured on the 2-core VM with the 0.98 GB Qwen2.5-1.5B Q4_K_M shape: the
 * simulations cost 0.7–0.9 s of each `loadModel` and ~0.6 s of each `createContext` (load 2.1 → 1.3 s, context
 * 0.64 → 0.06 s); that is a cold request's largest cost after the weights themselves.
 *
 * The switch is node-llama-cpp's internal `GgufInsights._resolveSimulatorSource` (null = "no simulation, use
 * the static estimate"), taken only for a CPU-only Llama; with a GPU the simulation still decides the layers.
 * The package is pinned exactly, and a test fails when this hook is gone, so an upgrade cannot drop it silently.
 */
import type * as NodeLlamaCppModule from "node-llama-cpp";

type NodeLlamaCpp = typeof NodeLlamaCppModule;

interface SimulatorHook {
  _resolveSimulatorSource?: (this: InsightsInternals) => Promise<unknown>;
}

interface InsightsInternals {
  _llama?: { gpu?: unknown };
}

const installed = new WeakSet<object>();

/**
 * Skip node-llama-cpp's load and context simulations for CPU-only instances of `library`. Returns whether the
 * hook was found (false: the library changed, and loads stay as slow as before, nothing worse).
 */
export function estimateCpuResourcesStatically(library: NodeLlamaCpp): boolean {
  const prototype = library.GgufInsights.prototype as unknown as SimulatorHook;
  const original = prototype._resolveSimulatorSource;
  if (typeof original !== "function") return false;
  if (installed.has(prototype)) return true;
  prototype._resolveSimulatorSource = async function (this: InsightsInternals): Promise<unknown> {
    if (this._llama?.gpu === false) return undefined;
    return original.call(this);
  };
  installed.add(prototype);
  return true;
}

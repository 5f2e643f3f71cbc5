import { describe, expect, it, vi } from "vitest";
import * as nodeLlamaCpp from "node-llama-cpp";
import { testModelPath } from "../../../test/support/test-model.js";
import { estimateCpuResourcesStatically } from "./cpu-resource-estimate.js";

vi.setConfig({ testTimeout: 120_000 });

type Hooked = { _resolveSimulatorSource: () => Promise<unknown> };

describe("estimateCpuResourcesStatically", () => {
  it("finds node-llama-cpp's simulation hook (fails when an upgrade removes it)", () => {
    expect(estimateCpuResourcesStatically(nodeLlamaCpp)).toBe(true);
    // Installing twice wraps once.
    const hook = (nodeLlamaCpp.GgufInsights.prototype as unknown as Hooked)._resolveSimulatorSource;
    expect(estimateCpuResourcesStatically(nodeLlamaCpp)).toBe(true);
    expect((nodeLlamaCpp.GgufInsights.prototype as unknown as Hooked)._resolveSimulatorSource).toBe(hook);
  });

  it("gives a CPU-only model no simulator source, and the model still loads and answers a context", async () => {
    estimateCpuResourcesStatically(nodeLlamaCpp);
    const llama = await nodeLlamaCpp.getLlama({ gpu: false, build: "never", maxThreads: 1 });
    const model = await llama.loadModel({ modelPath: testModelPath() });
    try {
      const insights = model.fileInsights as unknown as Hooked;
      await expect(insights._resolveSimulatorSource()).resolves.toBeUndefined();
      const context = await model.createContext({ contextSize: 256, threads: 1 });
      expect(context.contextSize).toBeGreaterThanOrEqual(256);
      await context.dispose();
    } finally {
      await model.dispose();
    }
  });

  it("leaves the simulation to an instance with a GPU", async () => {
    estimateCpuResourcesStatically(nodeLlamaCpp);
    const llama = await nodeLlamaCpp.getLlama({ gpu: false, build: "never", maxThreads: 1 });
    const model = await llama.loadModel({ modelPath: testModelPath() });
    try {
      const insights = model.fileInsights as unknown as Hooked & { _llama: unknown };
      const gpuLlama = Object.create(insights._llama as object, { gpu: { value: "cuda" } }) as unknown;
      const onGpu = Object.create(insights, { _llama: { value: gpuLlama } }) as Hooked;
      await expect(onGpu._resolveSimulatorSource()).resolves.toBeDefined();
    } finally {
      await model.dispose();
    }
  });
});

import { describe, expect, it } from "vitest";
import { configSchema } from "../../config/schema.js";
import type { DoctorContext, DoctorResult } from "./doctor-check.js";
import { llamaCheck } from "./llama-check.js";
import { readLlamaInstallation } from "./llama-installation.js";

function contextWith(config: unknown): DoctorContext {
  return {
    config: configSchema.parse(config),
    configFile: { path: "/nowhere/config.toml", exists: false },
    configWarnings: [],
    env: {},
    paths: { env: {}, platform: process.platform, homedir: "/nowhere" },
    networkTimeoutMs: 200,
  };
}

async function single(result: Promise<DoctorResult | DoctorResult[]>): Promise<DoctorResult> {
  const value = await result;
  return Array.isArray(value) ? value[0]! : value;
}

describe("llama.cpp binary check", () => {
  it.skipIf(process.platform === "darwin")(
    "warns with a fix when a GPU backend is forced that this machine lacks (llama.cpp falls back)",
    async () => {
      const result = await single(llamaCheck.run(contextWith({ embedded: { gpu: "metal", threads: 1 } })));
      expect(result.status).toBe("warn");
      expect(result.message).toContain('embedded.gpu = "metal"');
      expect(result.fix).toContain("embedded.gpu auto");
    },
    60_000,
  );

  it("loads the prebuilt binary on the CPU when the GPU is off", async () => {
    const result = await single(llamaCheck.run(contextWith({ embedded: { gpu: "off", threads: 1 } })));
    expect(result.status).toBe("ok");
    expect(result.details).toMatchObject({ gpu: "cpu" });
  }, 60_000);
});

describe("node-llama-cpp installation", () => {
  it("reads the version and the llama.cpp release from disk", () => {
    const installation = readLlamaInstallation();
    expect(installation?.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(installation?.llamaCppRelease).toMatch(/\S/);
    expect(installation?.prebuiltBinaries.length).toBeGreaterThan(0);
  });
});

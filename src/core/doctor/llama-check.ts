/**
 * Whether node-llama-cpp's native binary loads here, and which GPU backend it picked. node-llama-cpp is
 * imported lazily (it costs ~0.5 s) and `build: "never"` so a missing binary is reported, never compiled.
 */
import os from "node:os";
import type { Config } from "../../config/schema.js";
import type { DoctorCheck, DoctorResult } from "./doctor-check.js";

/** Whether the embedded backend is in use, which decides if a broken binary is a `fail` or only a `warn`. */
export function embeddedInUse(config: Config): boolean {
  return config.backend === "embedded" || config.fallback.includes("embedded");
}

function gpuOption(choice: Config["embedded"]["gpu"]): "auto" | "metal" | "cuda" | "vulkan" | false {
  return choice === "off" ? false : choice;
}

export const llamaCheck: DoctorCheck = {
  id: "llama",
  title: "llama.cpp binary",
  // getLlama takes 0.5–1.5 s on CPU; probing GPU drivers can take longer on first use.
  timeoutMs: 20_000,
  run: async ({ config }): Promise<DoctorResult> => {
    const needed = embeddedInUse(config);
    try {
      const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
      const llama = await getLlama({
        build: "never",
        gpu: gpuOption(config.embedded.gpu),
        maxThreads: config.embedded.threads ?? os.availableParallelism(),
        logLevel: LlamaLogLevel.error,
      });
      try {
        const gpu = llama.gpu === false ? "cpu" : llama.gpu;
        const devices = llama.gpu === false ? [] : await llama.getGpuDeviceNames();
        const details = {
          buildType: llama.buildType,
          gpu,
          gpuDevices: devices,
          llamaCppRelease: llama.llamaCppRelease.release,
          cpuMathCores: llama.cpuMathCores,
        };
        const forced = config.embedded.gpu;
        if (forced !== "auto" && forced !== "off" && llama.gpu !== forced) {
          // node-llama-cpp quietly falls back to another backend when the forced one has no binary or driver.
          return {
            id: "llama",
            title: "llama.cpp binary",
            status: "warn",
            message: `embedded.gpu = "${forced}" is not available here; llama.cpp fell back to ${gpu}`,
            fix: `Install the ${forced} driver, or \`cmdai config set embedded.gpu auto\`.`,
            details,
          };
        }
        if (config.embedded.gpu === "auto" && llama.gpu === false) {
          return {
            id: "llama",
            title: "llama.cpp binary",
            status: "ok",
            message: `${llama.buildType} binary loads; no GPU found, using the CPU (${llama.cpuMathCores} math cores)`,
            details,
          };
        }
        return {
          id: "llama",
          title: "llama.cpp binary",
          status: "ok",
          message: `${llama.buildType} binary loads; GPU backend: ${gpu}${devices.length > 0 ? ` (${devices.join(", ")})` : ""} (embedded.gpu = "${config.embedded.gpu}")`,
          details,
        };
      } finally {
        await llama.dispose();
      }
    } catch (error) {
      const firstLine = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
      const reason =
        error instanceof Error && error.name === "NoBinaryFoundError"
          ? `no prebuilt binary for ${process.platform}-${process.arch} is installed`
          : firstLine || (error instanceof Error ? error.name : "unknown error");
      const explicitGpu = config.embedded.gpu !== "auto" && config.embedded.gpu !== "off";
      return {
        id: "llama",
        title: "llama.cpp binary",
        status: needed ? "fail" : "warn",
        message: `node-llama-cpp could not load its binary${explicitGpu ? ` with embedded.gpu = "${config.embedded.gpu}"` : ""}: ${reason}`,
        fix: explicitGpu
          ? "Set `cmdai config set embedded.gpu auto` (or install that GPU's drivers), then run `cmdai doctor` again."
          : "Reinstall cmdai without --omit=optional / --no-optional so node-llama-cpp's prebuilt binary for this platform is installed, or use the ollama / openai backend.",
        details: { gpuSetting: config.embedded.gpu, error: reason, embeddedInUse: needed },
      };
    }
  },
};

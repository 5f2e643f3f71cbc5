/** Builds the context every doctor check shares; a broken config file becomes a finding, not an exception. */
import { loadConfig } from "../../config/load-config.js";
import { configFilePath, type PathEnvironment } from "../../config/paths.js";
import { configSchema } from "../../config/schema.js";
import type { DoctorContext } from "./doctor-check.js";

export interface DoctorContextOptions {
  /** `-c FILE`; default: the standard config path. */
  configFile?: string | undefined;
  env: NodeJS.ProcessEnv;
  paths: PathEnvironment;
  /** Milliseconds a network probe may take. Default 1,500. */
  networkTimeoutMs?: number | undefined;
}

/** Load the config (falling back to defaults on error) and assemble the context. */
export async function createDoctorContext(options: DoctorContextOptions): Promise<DoctorContext> {
  const networkTimeoutMs = options.networkTimeoutMs ?? 1500;
  try {
    const loaded = await loadConfig({
      configFile: options.configFile,
      env: options.env,
      paths: options.paths,
    });
    return {
      config: loaded.config,
      configFile: loaded.file,
      configWarnings: loaded.warnings,
      env: options.env,
      paths: options.paths,
      networkTimeoutMs,
    };
  } catch (error) {
    return {
      // The remaining checks still run, against the defaults, so one bad key doesn't hide everything else.
      config: configSchema.parse({}),
      configFile: {
        path: options.configFile ?? configFilePath(options.paths),
        exists: true,
        error: error instanceof Error ? error.message : String(error),
        hint: typeof error === "object" && error !== null && "hint" in error ? String(error.hint) : undefined,
      },
      configWarnings: [],
      env: options.env,
      paths: options.paths,
      networkTimeoutMs,
    };
  }
}

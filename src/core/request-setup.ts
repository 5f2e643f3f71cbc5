/**
 * The first step of a request: the configuration (defaults < file < environment < flags) and what follows from
 * it — the shell, whether the backend was chosen explicitly, the model override.
 */
import { loadConfig, type ConfigFlags } from "../config/load-config.js";
import { currentPathEnvironment, type PathEnvironment } from "../config/paths.js";
import type { Config } from "../config/schema.js";
import type { ShellName } from "../shells.js";
import { detectShell, readAncestorProcessNames, readParentProcessName } from "./detect-shell.js";

/** The configuration of one request and what follows from it, loaded before anything else. */
export interface RequestSetup {
  config: Config;
  /** Non-fatal problems with the configuration, one line each. */
  warnings: string[];
  paths: PathEnvironment;
  /** `--shell`/config, else detected. */
  shell: ShellName;
  /** The backend came from `--backend` or `CMDAI_BACKEND`: never fall back silently. */
  backendIsExplicit: boolean;
  /** `--model` or `CMDAI_MODEL`. */
  modelOverride: string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Load the configuration (defaults < file < environment < flags) and settle the shell. */
export async function loadRequestSetup(options: {
  configFile?: string | undefined;
  flags: ConfigFlags;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): Promise<RequestSetup> {
  const paths = { ...currentPathEnvironment(), env: options.env };
  const loaded = await loadConfig({
    configFile: options.configFile,
    flags: options.flags,
    env: options.env,
    paths,
  });
  const backendSource = loaded.sources.get("backend")?.kind;
  return {
    config: loaded.config,
    warnings: loaded.warnings,
    paths,
    shell:
      loaded.config.shell ??
      detectShell({
        env: options.env,
        platform: process.platform,
        parentProcessName: readParentProcessName(),
        ancestorProcessNames: () => readAncestorProcessNames(),
      }),
    backendIsExplicit: backendSource === "flag" || backendSource === "env",
    modelOverride: loaded.modelOverride,
    env: options.env,
    cwd: options.cwd,
  };
}

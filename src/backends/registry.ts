/**
 * Backend registry: backend name → lazy loader of its factory. Loaders use dynamic `import()` so heavy
 * modules (node-llama-cpp) load only on the paths that need them.
 */
import type { Config, BackendName } from "../config/schema.js";
import type { PathEnvironment } from "../config/paths.js";
import type { Backend } from "./backend.js";

/** Download or long-running progress, rendered by the CLI on stderr. */
export interface ProgressEvent {
  kind: "download" | "load" | "status";
  /** e.g. the file being downloaded. */
  label: string;
  transferredBytes?: number;
  totalBytes?: number;
  /** Free-form line for `status` events. */
  message?: string;
}

/** What the CLI hands a backend: settings plus the few callbacks that need the terminal. */
export interface BackendSettings {
  /** The effective configuration (flags already merged). */
  config: Config;
  env: NodeJS.ProcessEnv;
  paths: PathEnvironment;
  /** Verbose diagnostics; a no-op unless `--verbose`. Never writes to stdout. */
  log: (line: string) => void;
  /** Progress reporting on stderr. */
  onProgress?: ((event: ProgressEvent) => void) | undefined;
  /**
   * Asked before a large download on first run. Absent when there is no terminal: then a missing model
   * fails with the exact `cmdai models pull …` command unless `assumeYes` or `auto_download`.
   */
  confirmDownload?:
    | ((info: { reference: string; sizeBytes?: number | undefined; destination: string }) => Promise<boolean>)
    | undefined;
  /** `--yes` was given. */
  assumeYes: boolean;
  /**
   * The model named by `--model` or `CMDAI_MODEL`, when one was. It wins over the backend's own config
   * (`[ollama] model`, `[openai] model`); `config.model` is the top-level file/default value.
   */
  modelOverride?: string | undefined;
  /**
   * The script that runs `cmdai server run` (the CLI's entry point). When set and `embedded.keep_alive > 0`,
   * the embedded backend serves through a warm background model server.
   */
  warmServerEntry?: string | undefined;
}

export type BackendFactory = (settings: BackendSettings) => Backend | Promise<Backend>;

const loaders: Partial<Record<BackendName, () => Promise<BackendFactory>>> = {
  embedded: async () => (await import("./embedded/embedded-backend.js")).createEmbeddedBackend,
  ollama: async () => (await import("./ollama.js")).createOllamaBackend,
  openai: async () => (await import("./openai-compatible.js")).createOpenAiCompatibleBackend,
};

/** The lazy loader for a backend, or undefined when this build has none. */
export function backendLoader(name: BackendName): (() => Promise<BackendFactory>) | undefined {
  return loaders[name];
}

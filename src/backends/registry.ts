/**
 * Backend registry: backend name → lazy loader of its factory. Loaders use dynamic `import()` so heavy
 * modules (node-llama-cpp) load only on the paths that need them.
 */
import type { BackendName } from "../config/schema.js";
import type { Backend, BackendSettings } from "./backend.js";

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

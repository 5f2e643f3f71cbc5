/**
 * The configuration when nothing is set: exactly `configSchema.parse({})` (a test holds the two equal). Kept
 * as plain data so the common case — no config file, no variables — needs no schema library at start-up.
 */
import type { Config } from "./schema.js";

const DEFAULT_CONFIG: Config = {
  backend: "embedded",
  safety: { mode: "moderate", rules: [], allow: [] },
  output: "plain",
  timeout: 60,
  fallback: [],
  auto_download: false,
  offline: false,
  embedded: {
    gpu: "auto",
    temperature: 0.15,
    max_tokens: 1024,
    max_command_length: 400,
    keep_alive: 600,
    speculative: "off",
  },
  ollama: { host: "http://127.0.0.1:11434", keep_alive: "5m", headers: {} },
  openai: { base_url: "http://127.0.0.1:8000/v1", api_key_env: "OPENAI_API_KEY", headers: {} },
  models: {},
  ui: { color: "auto", hotkey: "\\C-g", preview: true },
  history: { enabled: true },
  guard: {},
};

/** A fresh copy of the defaults (callers may mutate it). */
export function defaultConfig(): Config {
  return structuredClone(DEFAULT_CONFIG);
}

/**
 * The one table of configuration defaults. The schema (`schema.ts`) takes every default from here, so
 * `configSchema.parse({})` equals {@link defaultConfig} by construction (a test holds it); kept as plain data
 * (no zod) so the common case — no config file, no variables — needs no schema library at start-up.
 */
import type { SafetyMode } from "../safety/types.js";
import type { BackendName, COLOR_CHOICES, GpuChoice, OutputFormat, SpeculativeChoice } from "./choices.js";

/** Every default, by config key. `defaultConfig()` gives a copy to change. */
export const CONFIG_DEFAULTS = {
  backend: "embedded" as BackendName,
  safety: { mode: "moderate" as SafetyMode, rules: [] as never[], allow: [] as never[] },
  output: "plain" as OutputFormat,
  timeout: 60,
  fallback: [] as BackendName[],
  auto_download: false,
  offline: false,
  embedded: {
    gpu: "auto" as GpuChoice,
    temperature: 0.15,
    max_tokens: 1024,
    max_command_length: 400,
    keep_alive: 600,
    speculative: "off" as SpeculativeChoice,
  },
  ollama: { host: "http://127.0.0.1:11434", keep_alive: "5m", headers: {} as Record<string, string> },
  openai: {
    base_url: "http://127.0.0.1:8000/v1",
    api_key_env: "OPENAI_API_KEY",
    headers: {} as Record<string, string>,
  },
  models: {},
  ui: { color: "auto" as (typeof COLOR_CHOICES)[number], hotkey: "\\C-g", preview: true },
  history: { enabled: true },
  guard: {},
};

/** The defaults' shape (a `Config` with nothing optional set). */
export type ConfigDefaults = typeof CONFIG_DEFAULTS;

/** A fresh copy of the defaults (callers may mutate it). */
export function defaultConfig(): ConfigDefaults {
  return structuredClone(CONFIG_DEFAULTS);
}

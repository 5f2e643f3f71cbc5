/**
 * The one source of truth for cmdai's configuration: types, validation and the documentation of every key come
 * from this zod schema; every default comes from the one table in `defaults.ts`. `docs/configuration.md` is generated from it (`npm run docs:config`) and a test keeps
 * the two in step.
 */
import { z } from "zod";
import { SHELL_NAMES } from "../shells.js";
import { RISK_LEVELS, SAFETY_MODES } from "../safety/types.js";

import {
  BACKEND_NAMES,
  COLOR_CHOICES,
  GPU_CHOICES,
  GUARD_DECISIONS,
  OUTPUT_FORMATS,
  SPECULATIVE_CHOICES,
} from "./choices.js";
import { CONFIG_DEFAULTS as DEFAULTS, defaultConfig } from "./defaults.js";

export { BACKEND_NAMES, COLOR_CHOICES, GPU_CHOICES, OUTPUT_FORMATS, SPECULATIVE_CHOICES };
export type { BackendName, GpuChoice, OutputFormat, SpeculativeChoice } from "./choices.js";

const headers = z
  .record(z.string(), z.string())
  .default(() => ({}))
  .describe('Extra HTTP headers sent with every request, e.g. { "X-Team" = "infra" }.');

const embeddedSchema = z
  .object({
    threads: z
      .number()
      .int()
      .min(1)
      .max(256)
      .optional()
      .describe("CPU threads for inference. Default: the number of available cores."),
    gpu: z
      .enum(GPU_CHOICES)
      .default(DEFAULTS.embedded.gpu)
      .describe("GPU backend: auto picks Metal on Apple Silicon, CUDA or Vulkan where present, else CPU."),
    context_size: z
      .number()
      .int()
      .min(256)
      .max(131072)
      .optional()
      .describe("Context window in tokens. Default: sized to the prompt."),
    temperature: z
      .number()
      .min(0)
      .max(2)
      .default(DEFAULTS.embedded.temperature)
      .describe("Sampling temperature; low suits commands."),
    max_tokens: z
      .number()
      .int()
      .min(16)
      .max(8192)
      .default(DEFAULTS.embedded.max_tokens)
      .describe("Upper bound on generated tokens (the answer grammar bounds a command to 400 characters)."),
    max_command_length: z
      .number()
      .int()
      .min(8)
      .max(400)
      .default(DEFAULTS.embedded.max_command_length)
      .describe("Longest command the answer grammar allows, in characters."),
    seed: z.number().int().min(0).optional().describe("Sampling seed, for reproducible answers."),
    keep_alive: z
      .number()
      .min(0)
      .default(DEFAULTS.embedded.keep_alive)
      .describe("Seconds the warm model server stays up when idle; 0 disables the server."),
    speculative: z
      .enum(SPECULATIVE_CHOICES)
      .default(DEFAULTS.embedded.speculative)
      .describe(
        'Speculative decoding: "lookup" drafts tokens copied from the request, "draft" drafts them with draft_model; the model checks drafts in one batch, so answers are unchanged.',
      ),
    draft_model: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Draft model for speculative = "draft", sharing the model\'s tokenizer: a catalog id, hf: reference, URL or path. Default: qwen2.5-coder-0.5b.',
      ),
  })
  .default(() => defaultConfig().embedded);

const ollamaSchema = z
  .object({
    host: z
      .string()
      .min(1)
      .default(DEFAULTS.ollama.host)
      .describe("Ollama server address (OLLAMA_HOST); host:port without a scheme is accepted."),
    model: z.string().min(1).optional().describe("Model name on the Ollama server, e.g. qwen2.5-coder:1.5b."),
    timeout: z.number().positive().optional().describe("Seconds to wait for an answer. Default: `timeout`."),
    keep_alive: z
      .string()
      .default(DEFAULTS.ollama.keep_alive)
      .describe("How long Ollama keeps the model loaded after a request."),
    headers,
  })
  .default(() => defaultConfig().ollama);

const openaiSchema = z
  .object({
    base_url: z
      .string()
      .min(1)
      .default(DEFAULTS.openai.base_url)
      .describe("OpenAI-compatible API base URL (OPENAI_BASE_URL), e.g. vLLM, llama.cpp server, LM Studio."),
    model: z
      .string()
      .min(1)
      .optional()
      .describe("Model name on the server. Default: the first one it lists."),
    api_key_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
      .default(DEFAULTS.openai.api_key_env)
      .describe("Name of the environment variable holding the API key (sent as a Bearer token)."),
    timeout: z.number().positive().optional().describe("Seconds to wait for an answer. Default: `timeout`."),
    headers,
  })
  .default(() => defaultConfig().openai);

const safetyRuleSchema = z.object({
  id: z.string().min(1).optional().describe("Rule id shown in reasons. Default: derived from the command."),
  command: z.string().min(1).describe("Command name the rule applies to (after unwrapping sudo, env, …)."),
  pattern: z
    .string()
    .optional()
    .describe("Regular expression matched against the normalised arguments; absent matches any."),
  level: z.enum(RISK_LEVELS).describe("Level the rule raises a matching command to."),
  message: z.string().min(1).describe("One sentence saying what the command would do."),
  safer_alternative: z.string().optional().describe("A safer way to do the same, shown with the reason."),
});

const safetyAllowSchema = z.union([
  z.string().min(1),
  z.object({
    pattern: z.string().min(1).describe("Exact normalised command, or a regular expression between slashes."),
    allow_critical: z
      .boolean()
      .default(false)
      .describe("Only when true may this entry lower a critical verdict."),
  }),
]);

const safetyObjectSchema = z.object({
  mode: z
    .enum(SAFETY_MODES)
    .default(DEFAULTS.safety.mode)
    .describe("strict, moderate or permissive: how levels map to allow / confirm / block."),
  rules: z
    .array(safetyRuleSchema)
    .default(() => [])
    .describe("Extra rules; they can only raise a level."),
  allow: z
    .array(safetyAllowSchema)
    .default(() => [])
    .describe("Allowlisted commands; never lowers a critical verdict unless the entry says allow_critical."),
});

/** `safety = "strict"` is shorthand for `[safety] mode = "strict"`. */
const safetySchema = z
  .preprocess((value) => (typeof value === "string" ? { mode: value } : value), safetyObjectSchema)
  .default(() => defaultConfig().safety);

const uiSchema = z
  .object({
    color: z
      .enum(COLOR_CHOICES)
      .default(DEFAULTS.ui.color)
      .describe("Colour output: auto (TTY and no NO_COLOR), always, never."),
    hotkey: z
      .string()
      .min(1)
      .default(DEFAULTS.ui.hotkey)
      .describe("Key bound by `cmdai init` snippets (readline notation)."),
    preview: z
      .boolean()
      .default(DEFAULTS.ui.preview)
      .describe(
        "Show what a command would delete, move or overwrite (counted read-only before it runs), in the menu and as `preview` in JSON/YAML output.",
      ),
  })
  .default(() => defaultConfig().ui);

const historySchema = z
  .object({
    enabled: z
      .boolean()
      .default(DEFAULTS.history.enabled)
      .describe("Append each executed command and its verdict to history.jsonl."),
  })
  .default(() => defaultConfig().history);

/** What a coding agent's hook answers for one level; unset levels get the guard's defaults. */
const guardDecisionSchema = z.enum(GUARD_DECISIONS);

const guardSchema = z
  .object({
    safe: guardDecisionSchema
      .optional()
      .describe(
        "Answer to an agent for a safe command: allow, defer (no decision: the agent's own rules apply), ask or deny. Default: allow.",
      ),
    moderate: guardDecisionSchema
      .optional()
      .describe(
        'Answer for a moderate command. Default: defer (ask under `safety = "strict"`); "allow" would switch off the agent\'s own prompt.',
      ),
    high: guardDecisionSchema
      .optional()
      .describe('Answer for a high-risk command. Default: ask (deny under `safety = "strict"`).'),
    critical: guardDecisionSchema
      .optional()
      .describe("Answer for a critical command. Default: deny, in every mode, since agents run unattended."),
  })
  .default(() => defaultConfig().guard);

const modelsSchema = z
  .object({
    dir: z.string().min(1).optional().describe("Model cache folder. Default: $XDG_CACHE_HOME/cmdai/models."),
  })
  .default(() => defaultConfig().models);

/** The whole configuration file. Unknown keys are reported as warnings, not errors. */
export const configSchema = z.object({
  backend: z
    .enum(BACKEND_NAMES)
    .default(DEFAULTS.backend)
    .describe("Which backend answers (CMDAI_BACKEND, --backend)."),
  model: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Catalog id, hf:owner/repo/file.gguf[@rev], URL, local .gguf path, or a server's model name (CMDAI_MODEL).",
    ),
  shell: z.enum(SHELL_NAMES).optional().describe("Target shell (CMDAI_SHELL, --shell). Default: detected."),
  safety: safetySchema.describe(
    "Safety mode, or a [safety] table with mode, rules and allow (CMDAI_SAFETY).",
  ),
  output: z.enum(OUTPUT_FORMATS).default(DEFAULTS.output).describe("Output format (CMDAI_OUTPUT, --output)."),
  timeout: z
    .number()
    .positive()
    .default(DEFAULTS.timeout)
    .describe("Seconds to wait for a backend's answer (--timeout)."),
  fallback: z
    .array(z.enum(BACKEND_NAMES))
    .default(() => [])
    .describe('Backends tried in order when none was chosen explicitly, e.g. ["ollama", "embedded"].'),
  auto_download: z
    .boolean()
    .default(DEFAULTS.auto_download)
    .describe("Download a missing model without asking."),
  offline: z
    .boolean()
    .default(DEFAULTS.offline)
    .describe("Never touch the network (HF_HUB_OFFLINE=1, --offline)."),
  embedded: embeddedSchema.describe("In-process llama.cpp inference."),
  ollama: ollamaSchema.describe("Ollama server backend."),
  openai: openaiSchema.describe("OpenAI-compatible server backend."),
  models: modelsSchema.describe("Model cache."),
  ui: uiSchema.describe("Terminal output."),
  history: historySchema.describe("Audit log of executed commands."),
  guard: guardSchema.describe(
    "`cmdai check --hook` for AI coding agents: allow, defer, ask or deny per risk level (a command cmdai cannot fully check is asked at least).",
  ),
});

/** The effective, validated configuration. */
export type Config = z.infer<typeof configSchema>;
/** One user-written safety rule. */
export type SafetyRuleConfig = z.infer<typeof safetyRuleSchema>;
/** One allowlist entry. */
export type SafetyAllowConfig = z.infer<typeof safetyAllowSchema>;
/** The `[guard]` table: the agent's answer per risk level. */
export type GuardConfig = Config["guard"];
/** The `[safety]` table after normalisation. */
export type SafetyConfig = Config["safety"];

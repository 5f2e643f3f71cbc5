/**
 * The closed sets of values config keys and flags accept. Kept free of zod so the command-line parser can
 * list them in `--help` without paying for the schema library at start-up.
 */
export const BACKEND_NAMES = ["embedded", "ollama", "openai"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const OUTPUT_FORMATS = ["plain", "json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const GPU_CHOICES = ["auto", "metal", "cuda", "vulkan", "off"] as const;
export type GpuChoice = (typeof GPU_CHOICES)[number];

/**
 * Speculative decoding in the embedded backend: `off`, `lookup` (draft tokens copied from the prompt) or
 * `draft` (a small draft model with the same tokenizer proposes tokens the model then checks in one batch).
 */
export const SPECULATIVE_CHOICES = ["off", "lookup", "draft"] as const;
export type SpeculativeChoice = (typeof SPECULATIVE_CHOICES)[number];

export const COLOR_CHOICES = ["auto", "always", "never"] as const;

/**
 * What the agent guard may answer for a risk level, least cautious first: `allow` (skips the agent's own
 * prompt), `defer` (no decision: the agent's own rules apply), `ask`, `deny`.
 */
export const GUARD_DECISIONS = ["allow", "defer", "ask", "deny"] as const;
export type GuardDecision = (typeof GUARD_DECISIONS)[number];

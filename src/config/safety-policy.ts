/**
 * From the `[safety]` table to the safety engine's plain {@link SafetyPolicy}. The engine never imports the
 * config schema; this is the one place that knows both shapes, so renaming a config key fails to compile here.
 */
import type { SafetyPolicy } from "../safety/policy.js";
import type { SafetyConfig } from "./schema.js";

/** The engine's policy for a validated `[safety]` table. */
export function safetyPolicyOf(safety: SafetyConfig): SafetyPolicy {
  return {
    mode: safety.mode,
    rules: safety.rules.map((rule) => ({
      id: rule.id,
      command: rule.command,
      pattern: rule.pattern,
      level: rule.level,
      message: rule.message,
      safer_alternative: rule.safer_alternative,
    })),
    allow: safety.allow.map((entry) =>
      typeof entry === "string" ? entry : { pattern: entry.pattern, allow_critical: entry.allow_critical },
    ),
  };
}

/**
 * The user's `[safety]` rules and allowlist. Rules can only raise a level; the allowlist lowers a verdict to safe
 * but never lowers a critical one unless the entry says `allow_critical = true`.
 */
import { ConfigError } from "../errors.js";
import type { AllowEntryPolicy, UserRulePolicy } from "./policy.js";
import type { RiskLevel } from "./types.js";

/** A compiled user rule. */
export interface CompiledUserRule {
  id: string;
  command: string;
  pattern: RegExp | undefined;
  level: RiskLevel;
  message: string;
  saferAlternative: string | undefined;
}

/** A compiled allowlist entry. */
export interface CompiledAllowEntry {
  matches: (normalisedCommand: string) => boolean;
  allowCritical: boolean;
  source: string;
}

function compilePattern(pattern: string, key: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new ConfigError(
      "config_invalid",
      `The regular expression ${JSON.stringify(pattern)} in ${key} is invalid.`,
      {
        key,
        hint: "Fix the pattern (JavaScript regular-expression syntax) or remove the entry.",
        cause: error,
      },
    );
  }
}

/** Compiles `[[safety.rules]]`; throws ConfigError on a bad pattern. */
export function compileUserRules(rules: readonly UserRulePolicy[]): CompiledUserRule[] {
  return rules.map((rule, index) => ({
    id: rule.id ?? `user-${rule.command}-${index + 1}`,
    command: rule.command,
    pattern:
      rule.pattern === undefined ? undefined : compilePattern(rule.pattern, `safety.rules[${index}].pattern`),
    level: rule.level,
    message: rule.message,
    saferAlternative: rule.safer_alternative,
  }));
}

/** Collapses whitespace so allowlist entries match however the command was spaced. */
export function normaliseCommandText(command: string): string {
  return command.trim().replace(/\s+/g, " ");
}

/** Compiles `safety.allow`: exact normalised commands, or `/regex/` patterns. */
export function compileAllowlist(entries: readonly AllowEntryPolicy[]): CompiledAllowEntry[] {
  return entries.map((entry, index) => {
    const pattern = typeof entry === "string" ? entry : entry.pattern;
    const allowCritical = typeof entry === "string" ? false : entry.allow_critical === true;
    const regex = /^\/(.*)\/([imsu]*)$/s.exec(pattern);
    if (regex) {
      const compiled = compilePattern(regex[1] ?? "", `safety.allow[${index}]`);
      const anchored = new RegExp(`^(?:${compiled.source})$`, regex[2]);
      return { matches: (command) => anchored.test(command), allowCritical, source: pattern };
    }
    const exact = normaliseCommandText(pattern);
    return { matches: (command) => command === exact, allowCritical, source: pattern };
  });
}

/**
 * What the safety engine is told by its caller, as plain data: the mode, the user's extra rules and the
 * allowlist. The engine never reads configuration itself; `config/safety-policy.ts` maps `[safety]` to this.
 * Field names follow the config file's keys, so a rule reads the same in both places.
 */
import type { RiskLevel, SafetyMode } from "./types.js";

/** One user-written rule: commands named `command` whose arguments match `pattern` are at least `level`. */
export interface UserRulePolicy {
  /** Shown in reasons. Default: derived from the command and the rule's position. */
  id?: string | undefined;
  command: string;
  /** A regular expression over the normalised arguments; absent matches every use of the command. */
  pattern?: string | undefined;
  level: RiskLevel;
  message: string;
  safer_alternative?: string | undefined;
}

/** An allowlisted command: exact normalised text, or `/regex/`; only `allow_critical` lets it lower a critical. */
export type AllowEntryPolicy = string | { pattern: string; allow_critical?: boolean | undefined };

/** The engine's policy; every part optional (defaults: moderate mode, no rules, empty allowlist). */
export interface SafetyPolicy {
  mode?: SafetyMode | undefined;
  rules?: readonly UserRulePolicy[] | undefined;
  allow?: readonly AllowEntryPolicy[] | undefined;
}

/** Builds `CommandOutcome` values for unit tests of the menu and the presentation. */
import { decideConsent, type ConsentContext, type ConsentDecision } from "../../src/core/consent.js";
import type { CommandOutcome } from "../../src/core/generate-command.js";
import type { Decision, RiskLevel, SafetyMode } from "../../src/safety/types.js";

/** An outcome for `command` with the given verdict (defaults: safe, allow, bash, no reasons). */
export function commandOutcome(
  command: string,
  verdict: {
    level?: RiskLevel;
    decision?: Decision;
    reason?: string;
    rule?: string;
    explanation?: string;
  } = {},
): CommandOutcome {
  return {
    request: "do the thing",
    command,
    explanation: verdict.explanation,
    shell: "bash",
    risk: {
      level: verdict.level ?? "safe",
      decision: verdict.decision ?? "allow",
      reasons:
        verdict.reason === undefined
          ? []
          : [{ rule: verdict.rule ?? "test-rule", message: verdict.reason, saferAlternative: "a safer way" }],
    },
    backend: "ollama",
    model: "m",
    timingsMs: { assess: 0 },
  };
}

/** The consent context of the menu in the default mode (`-y` when `yes`). */
export function menuConsentContext(options: { yes?: boolean; mode?: SafetyMode } = {}): ConsentContext {
  return {
    mode: options.mode ?? "moderate",
    interactive: true,
    menu: true,
    execute: false,
    yes: options.yes ?? false,
    dryRun: false,
  };
}

/** The menu's consent decision for an outcome. */
export function menuConsent(outcome: CommandOutcome): ConsentDecision {
  return decideConsent(outcome.risk, outcome.preview, menuConsentContext());
}

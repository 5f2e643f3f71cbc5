/** Builds `CommandOutcome` values for unit tests of the menu and the presentation. */
import type { CommandOutcome } from "../../src/core/generate-command.js";
import type { Decision, RiskLevel } from "../../src/safety/types.js";

/** An outcome for `command` with the given verdict (defaults: safe, allow, bash, no reasons). */
export function commandOutcome(
  command: string,
  verdict: { level?: RiskLevel; decision?: Decision; reason?: string; explanation?: string } = {},
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
          : [{ rule: "test-rule", message: verdict.reason, saferAlternative: "a safer way" }],
    },
    backend: "ollama",
    model: "m",
    timingsMs: { assess: 0 },
  };
}

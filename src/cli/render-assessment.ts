/**
 * Renders a safety verdict for a person: a badge coloured by level, the decision, each reason and its safer
 * alternative. Used by `cmdai check`, the main output and the confirmation menu.
 */
import type { Assessment, RiskLevel } from "../safety/types.js";

/** Options of {@link renderAssessment}. */
export interface RenderAssessmentOptions {
  /** Use ANSI colours. Default false. */
  color?: boolean;
  /** The word after the badge. Default: the engine's decision ("allowed", "needs confirmation", "blocked"). */
  decisionText?: string | undefined;
}

const LEVEL_COLOURS: Record<RiskLevel, string> = {
  safe: "\x1b[30;42m",
  moderate: "\x1b[30;43m",
  high: "\x1b[37;41m",
  critical: "\x1b[1;37;45m",
};
const DECISION_TEXT = { allow: "allowed", confirm: "needs confirmation", block: "blocked" } as const;
const RESET = "\x1b[0m";
const DIM = "\x1b[2m";

/** The verdict as text lines ending in a newline, e.g. ` HIGH  needs confirmation` and its reasons. */
export function renderAssessment(assessment: Assessment, options: RenderAssessmentOptions = {}): string {
  const color = options.color ?? false;
  const label = ` ${assessment.level.toUpperCase()} `;
  const badge = color
    ? `${LEVEL_COLOURS[assessment.level]}${label}${RESET}`
    : `[${assessment.level.toUpperCase()}]`;
  const lines = [`${badge} ${options.decisionText ?? DECISION_TEXT[assessment.decision]}`];
  for (const reason of assessment.reasons) {
    const rule = color ? `${DIM}(${reason.rule})${RESET}` : `(${reason.rule})`;
    lines.push(`  - ${reason.message} ${rule}`);
    if (reason.saferAlternative !== undefined) lines.push(`    safer: ${reason.saferAlternative}`);
  }
  if (assessment.level === "safe" && assessment.reasons.length === 0)
    lines.push("  - Only reads; changes nothing.");
  return `${lines.join("\n")}\n`;
}

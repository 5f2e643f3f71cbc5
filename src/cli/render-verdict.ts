/**
 * The verdict on a generated command, for a person: the risk badge, what running it takes (from core's consent
 * decision), the reasons, and the effect preview. Shared by the plain output and the menu.
 */
import type { ConsentDecision, ConsentRequirement } from "../core/consent.js";
import type { CommandOutcome } from "../core/generate-command.js";
import { renderAssessment } from "./render-assessment.js";
import { renderPreview } from "./render-preview.js";

/** The word after the risk badge: what running the command takes. The hotkey snippets read the badge. */
const CONSENT_LABELS: Record<ConsentRequirement, string> = {
  none: "allowed",
  key: "needs confirmation",
  "typed-yes": "needs a typed yes",
  never: "blocked",
};

/**
 * The verdict for a person: a badge coloured by level (`[LEVEL]` without colour — the `cmdai init` snippets
 * read it), what running it takes, each reason and its safer alternative, then the effect preview.
 */
export function describeVerdict(
  outcome: CommandOutcome,
  consent: ConsentDecision,
  color: boolean,
  options: { countingPreview?: boolean } = {},
): string {
  const verdict = renderAssessment(outcome.risk, {
    color,
    decisionText: CONSENT_LABELS[consent.requirement],
  });
  if (outcome.preview === undefined) return verdict;
  return verdict + renderPreview(outcome.preview, { color, counting: options.countingPreview === true });
}

/**
 * From the safety engine's verdict to a coding agent's answer: allow, defer (no decision: the agent's own rules
 * and prompts apply), ask or deny. Pure; the table it follows is tested in `guard-decision.test.ts` and
 * documented in `docs/guard.md`.
 *
 * A guard only adds caution. An explicit "allow" switches off the agent's own permission prompt, so cmdai gives
 * it only where it has a strong reason: a command it rates safe. By default a moderate command gets no decision,
 * a high one is asked about and a critical one denied; a stricter `[safety] mode` raises these (strict: moderate
 * → ask, high → deny), a laxer one never lowers them. `[guard]` sets any level outright, `defer` included. A
 * command the engine could not fully check (binary characters, too long, look-alike Unicode, unparseable) is
 * asked at least, whatever the table says: fail closed.
 */
import { GUARD_DECISIONS, type GuardDecision } from "../config/choices.js";
import { UNCHECKED_RULES } from "../core/rule-classes.js";
import { decide } from "../safety/decide.js";
import type { Assessment, Decision, RiskLevel, RiskReason, SafetyMode } from "../safety/types.js";

/** What the guard can answer, least cautious first. `defer` answers nothing: the agent decides as without cmdai. */
export const AGENT_DECISIONS = GUARD_DECISIONS;
export type AgentDecision = GuardDecision;

/** The `[guard]` table: an answer per level; a missing level gets {@link DEFAULT_GUARD_DECISIONS}. */
export type GuardPolicy = { [Level in RiskLevel]?: AgentDecision | undefined };

/** The answers when `[guard]` names none, before the safety mode can make them stricter. */
export const DEFAULT_GUARD_DECISIONS: Readonly<Record<RiskLevel, AgentDecision>> = {
  safe: "allow",
  moderate: "defer",
  high: "ask",
  critical: "deny",
};

const FROM_ENGINE: Record<Decision, AgentDecision> = { allow: "allow", confirm: "ask", block: "deny" };

/** The agent's word for one of cmdai's decisions (confirm → ask, block → deny). */
export function agentDecisionOf(decision: Decision): AgentDecision {
  return FROM_ENGINE[decision];
}

/** cmdai's word for an asked or denied answer (ask → confirm, deny → block), for the audit log. */
export function engineDecisionOf(decision: AgentDecision): Decision {
  return decision === "deny" ? "block" : decision === "ask" ? "confirm" : "allow";
}

/** The more cautious of two answers. */
export function stricterAgentDecision(first: AgentDecision, second: AgentDecision): AgentDecision {
  return AGENT_DECISIONS.indexOf(first) >= AGENT_DECISIONS.indexOf(second) ? first : second;
}

/**
 * The answer for an assessment made under `mode` (with `interactive: true`, so a command the engine could not
 * check comes back as at least confirm). The level picks `policy[level]`, else the stricter of the default and
 * the mode's decision. When the engine could not fully check the command — its decision is stricter than the
 * level alone gives, or a reason says so — the answer is at least ask, and at least the engine's own decision.
 */
export function guardDecision(
  assessment: Pick<Assessment, "level" | "decision" | "reasons">,
  options: { mode: SafetyMode; policy: GuardPolicy },
): AgentDecision {
  const levelDecision = decide(assessment.level, options.mode);
  const byLevel =
    options.policy[assessment.level] ??
    stricterAgentDecision(DEFAULT_GUARD_DECISIONS[assessment.level], agentDecisionOf(levelDecision));
  const stricterThanLevel = assessment.decision !== levelDecision && assessment.decision !== "allow";
  const unchecked = assessment.reasons.some((reason) => UNCHECKED_RULES[reason.rule] !== undefined);
  if (!stricterThanLevel && !unchecked) return byLevel;
  const floor = stricterAgentDecision(
    "ask",
    stricterThanLevel ? agentDecisionOf(assessment.decision) : "ask",
  );
  return stricterAgentDecision(byLevel, floor);
}

/** The first safer alternative among the reasons, worst reason first. */
export function saferAlternativeOf(reasons: readonly RiskReason[]): string | undefined {
  return reasons.find((reason) => reason.saferAlternative !== undefined)?.saferAlternative;
}

const MAXIMUM_REASONS_IN_TEXT = 3;

/**
 * One paragraph for the agent and its user: what cmdai decided and why, and the safer way when the rules know
 * one. A denied command also says not to retry it as it is, so the agent changes course instead of looping.
 */
export function describeGuardDecision(decision: AgentDecision, assessment: Assessment): string {
  const messages = assessment.reasons.slice(0, MAXIMUM_REASONS_IN_TEXT).map((reason) => reason.message);
  const why = messages.length > 0 ? ` ${messages.join(" ")}` : "";
  const alternative = saferAlternativeOf(assessment.reasons);
  const safer = alternative === undefined ? "" : ` Safer: ${alternative}.`;
  switch (decision) {
    case "allow":
      return `cmdai rates this command ${assessment.level}.${why}`;
    case "defer":
      return `cmdai rates this command ${assessment.level} and leaves the decision to the agent's own rules.${why}`;
    case "ask":
      return `cmdai asks before this ${assessment.level}-risk command.${why}${safer}`;
    case "deny":
      return `cmdai blocked this ${assessment.level}-risk command.${why}${safer} Do not retry it as it is; if the user really wants it, they can run it themselves.`;
  }
}

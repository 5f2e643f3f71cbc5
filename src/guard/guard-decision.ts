/**
 * From the safety engine's verdict to a coding agent's answer: allow, ask or deny. Pure; the table it follows
 * is tested in `guard-decision.test.ts` and documented in `docs/guard.md`.
 *
 * Each level follows `[safety] mode` (allow → allow, confirm → ask, block → deny) unless `[guard]` names an
 * answer for it; `guard.critical` defaults to deny, since an agent runs unattended and a critical command
 * should never be one click away. A command the engine could not fully check (binary characters, too long,
 * look-alike Unicode, unparseable) is asked at least, whatever the level table says: fail closed.
 */
import { decide } from "../safety/decide.js";
import type { Assessment, Decision, RiskLevel, RiskReason, SafetyMode } from "../safety/types.js";

/** What an agent's hook can answer. */
export const AGENT_DECISIONS = ["allow", "ask", "deny"] as const;
export type AgentDecision = (typeof AGENT_DECISIONS)[number];

/** The `[guard]` table: an answer per level; a missing level follows the safety mode. */
export type GuardPolicy = { [Level in RiskLevel]?: AgentDecision | undefined };

const AGENT_DECISION_RANK: Record<AgentDecision, number> = { allow: 0, ask: 1, deny: 2 };

const FROM_ENGINE: Record<Decision, AgentDecision> = { allow: "allow", confirm: "ask", block: "deny" };

/** The agent's word for one of cmdai's decisions (confirm → ask, block → deny). */
export function agentDecisionOf(decision: Decision): AgentDecision {
  return FROM_ENGINE[decision];
}

/** cmdai's word for an agent's answer (ask → confirm, deny → block), for the audit log. */
export function engineDecisionOf(decision: AgentDecision): Decision {
  return decision === "allow" ? "allow" : decision === "ask" ? "confirm" : "block";
}

/** The stricter of two answers. */
export function stricterAgentDecision(first: AgentDecision, second: AgentDecision): AgentDecision {
  return AGENT_DECISION_RANK[first] >= AGENT_DECISION_RANK[second] ? first : second;
}

/** Reasons the engine gives when it could not fully check a command (it fails closed on them). */
const UNCHECKED_RULES: ReadonlySet<string> = new Set([
  "binary-input",
  "too-long",
  "unicode-lookalike",
  "unparseable",
  "nesting-too-deep",
]);

/**
 * The answer for an assessment made under `mode` (with `interactive: true`, so a command the engine could not
 * check comes back as at least confirm). The level picks `policy[level]`, else the mode's decision. When the
 * engine could not fully check the command — its decision is stricter than the level alone gives, or a reason
 * says so — the answer is at least ask, and at least the engine's own decision.
 */
export function guardDecision(
  assessment: Pick<Assessment, "level" | "decision" | "reasons">,
  options: { mode: SafetyMode; policy: GuardPolicy },
): AgentDecision {
  const levelDecision = decide(assessment.level, options.mode);
  const byLevel = options.policy[assessment.level] ?? agentDecisionOf(levelDecision);
  const stricterThanLevel = assessment.decision !== levelDecision && assessment.decision !== "allow";
  const unchecked = assessment.reasons.some((reason) => UNCHECKED_RULES.has(reason.rule));
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
    case "ask":
      return `cmdai asks before this ${assessment.level}-risk command.${why}${safer}`;
    case "deny":
      return `cmdai blocked this ${assessment.level}-risk command.${why}${safer} Do not retry it as it is; if the user really wants it, they can run it themselves.`;
  }
}

/**
 * One hook call, start to finish, without touching the process: the payload text in; the reply for stdout,
 * a message for stderr and the audit entry out. The CLI (`src/cli/commands/check-hook.ts`) only reads stdin,
 * writes these and appends the entry. Fails closed: input that cannot be read is answered "ask".
 */
import type { HistoryEntry } from "../exec/history.js";
import { ExitCode } from "../errors.js";
import type { SafetyEngine } from "../safety/safety-engine.js";
import type { SafetyMode } from "../safety/types.js";
import type { ShellName } from "../shells.js";
import {
  describeGuardDecision,
  engineDecisionOf,
  guardDecision,
  saferAlternativeOf,
  type GuardPolicy,
} from "./guard-decision.js";
import {
  parseHookPayload,
  passThroughReply,
  renderHookReply,
  type HookAnswer,
  type HookFormat,
  type HookReply,
} from "./hook-protocols.js";

/** Everything one hook call needs besides the payload. */
export interface GuardCheckOptions {
  format: HookFormat;
  /** Creates (or returns) the safety engine; only called when there is a command to judge. */
  engine: () => Promise<SafetyEngine>;
  mode: SafetyMode;
  policy: GuardPolicy;
  platform: NodeJS.Platform;
  /** Shell for `--hook json` payloads that name none. */
  defaultShell: ShellName;
  /** The time stamped on the audit entry. */
  now: Date;
}

/** The outcome of one hook call. */
export interface GuardCheckResult {
  reply: HookReply;
  /** For stderr: why the input could not be read, or nothing. */
  message?: string | undefined;
  /** For the history log: set for every asked or denied command. */
  audit?: HistoryEntry | undefined;
}

/** The fail-closed answer to input that cannot be read (or a guard that cannot work). */
export function failClosedAnswer(problem: string): HookAnswer {
  return {
    decision: "ask",
    reason: `cmdai could not check this command: ${problem}. Asking instead of allowing.`,
    reasons: [{ rule: "guard-input", message: `cmdai could not check this command: ${problem}.` }],
  };
}

/** The stderr line for a fail-closed answer. */
export function failClosedMessage(problem: string): string {
  return `cmdai: guard: ${problem}; answering "ask" (fail closed).`;
}

/** Answer one payload. */
export async function checkHookPayload(text: string, options: GuardCheckOptions): Promise<GuardCheckResult> {
  const request = parseHookPayload(options.format, text, {
    platform: options.platform,
    defaultShell: options.defaultShell,
  });
  if (request.kind === "pass-through") return { reply: passThroughReply(options.format) };
  if (request.kind === "malformed") {
    return {
      reply: renderHookReply(options.format, failClosedAnswer(request.problem)),
      message: failClosedMessage(request.problem),
    };
  }
  const engine = await options.engine();
  // interactive: a person answers the agent's "ask", and unparseable input then comes back as confirm.
  const assessment = await engine.assessWhenReady(request.command, {
    shell: request.shell,
    interactive: true,
    mode: options.mode,
  });
  const decision = guardDecision(assessment, { mode: options.mode, policy: options.policy });
  const answer: HookAnswer = {
    decision,
    reason: describeGuardDecision(decision, assessment),
    level: assessment.level,
    reasons: assessment.reasons,
    alternative: saferAlternativeOf(assessment.reasons),
  };
  const result: GuardCheckResult = { reply: renderHookReply(options.format, answer) };
  if (decision !== "allow") {
    result.audit = {
      time: options.now.toISOString(),
      request: request.description ?? "",
      command: request.command,
      shell: request.shell,
      level: assessment.level,
      decision: engineDecisionOf(decision),
      exitCode: decision === "deny" ? ExitCode.blocked : ExitCode.confirmationNeeded,
      source: `agent:${options.format}`,
      ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
      ...(request.sessionId === undefined ? {} : { sessionId: request.sessionId }),
    };
  }
  return result;
}

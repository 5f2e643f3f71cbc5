/**
 * One hook call, start to finish, without touching the process: the payload text in; the reply for stdout,
 * a message for stderr and the audit entry out. The CLI (`src/cli/commands/check-hook.ts`) only reads stdin,
 * writes these and appends the entry. Shell commands are judged by the safety engine, file writes by
 * `write-target.ts`. Fails closed: input that cannot be read is answered "ask".
 */
import type { HistoryEntry } from "../exec/history.js";
import { ExitCode } from "../errors.js";
import { decide } from "../safety/decide.js";
import type { SafetyEngine } from "../safety/safety-engine.js";
import { riskRank, type Assessment, type SafetyMode } from "../safety/types.js";
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
  type HookRequest,
} from "./hook-protocols.js";
import { judgeWriteTarget, normaliseWrittenPath, type WriteTargetVerdict } from "./write-target.js";

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
  /** The user's home folder, for `~` and the startup files in it. */
  home: string;
  /**
   * Where a written path really leads (symlinks resolved), or undefined when it cannot be known; a write is
   * judged by the stricter of the path and its target. Default: the path only.
   */
  realPath?: ((file: string) => string | undefined) | undefined;
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
  switch (request.kind) {
    case "pass-through":
      return { reply: passThroughReply(options.format) };
    case "malformed":
      return {
        reply: renderHookReply(options.format, failClosedAnswer(request.problem)),
        message: failClosedMessage(request.problem),
      };
    case "write":
      return checkWrite(request, options);
    case "command":
      return checkCommand(request, options);
  }
}

async function checkCommand(
  request: Extract<HookRequest, { kind: "command" }>,
  options: GuardCheckOptions,
): Promise<GuardCheckResult> {
  const engine = await options.engine();
  // interactive: a person answers the agent's "ask", and unparseable input then comes back as confirm.
  const assessment = await engine.assessWhenReady(request.command, {
    shell: request.shell,
    interactive: true,
    mode: options.mode,
  });
  return answer(assessment, options, {
    command: request.command,
    request: request.description ?? "",
    shell: request.shell,
    cwd: request.cwd,
    sessionId: request.sessionId,
  });
}

/** A write to a persistence, credential or system path is judged; any other write gets no decision. */
function checkWrite(
  request: Extract<HookRequest, { kind: "write" }>,
  options: GuardCheckOptions,
): GuardCheckResult {
  const where = { cwd: request.cwd, home: options.home };
  const written = normaliseWrittenPath(request.path, where);
  const target = options.realPath?.(written);
  const verdicts = [written, ...(target === undefined || target === written ? [] : [target])]
    .map((file) => judgeWriteTarget(file, where))
    .filter((verdict): verdict is WriteTargetVerdict => verdict !== undefined)
    .sort((first, second) => riskRank(second.level) - riskRank(first.level));
  const worst = verdicts[0];
  if (worst === undefined) return { reply: passThroughReply(options.format) };
  const assessment: Assessment = {
    level: worst.level,
    decision: decide(worst.level, options.mode),
    reasons: verdicts.map((verdict) => ({
      rule: verdict.rule,
      level: verdict.level,
      message: verdict.message,
    })),
  };
  return answer(assessment, options, {
    command: `${request.tool} ${written}`,
    request: `${request.tool} writes ${written}`,
    shell: options.defaultShell,
    cwd: request.cwd,
    sessionId: request.sessionId,
  });
}

/** The reply for a verdict, and the audit entry when the agent is asked or denied. */
function answer(
  assessment: Assessment,
  options: GuardCheckOptions,
  subject: Pick<HistoryEntry, "command" | "request" | "shell" | "cwd" | "sessionId">,
): GuardCheckResult {
  const decision = guardDecision(assessment, { mode: options.mode, policy: options.policy });
  const hookAnswer: HookAnswer = {
    decision,
    reason: describeGuardDecision(decision, assessment),
    level: assessment.level,
    reasons: assessment.reasons,
    alternative: saferAlternativeOf(assessment.reasons),
  };
  const result: GuardCheckResult = { reply: renderHookReply(options.format, hookAnswer) };
  if (decision === "ask" || decision === "deny") {
    result.audit = {
      time: options.now.toISOString(),
      request: subject.request,
      command: subject.command,
      shell: subject.shell,
      level: assessment.level,
      decision: engineDecisionOf(decision),
      exitCode: decision === "deny" ? ExitCode.blocked : ExitCode.confirmationNeeded,
      source: `agent:${options.format}`,
      ...(subject.cwd === undefined ? {} : { cwd: subject.cwd }),
      ...(subject.sessionId === undefined ? {} : { sessionId: subject.sessionId }),
    };
  }
  return result;
}

/**
 * `cmdai check --hook claude-code|gemini-cli|json`: answer an AI coding agent's pre-tool-use hook. Reads the
 * payload from stdin (bounded in size and time), answers in the agent's protocol on stdout, explains
 * unreadable input on stderr, and appends every asked or denied command to the history log. Never allows
 * what it could not read: any failure is answered "ask" (exit 0); one that escapes even that exits 2, which
 * both agents treat as a block (`hook-safety-net.ts`). Never exit 1: Claude Code runs the tool on it.
 */
import fs from "node:fs";
import path from "node:path";
import { historyFilePath, type PathEnvironment } from "../../config/paths.js";
import { safetyPolicyOf } from "../../config/safety-policy.js";
import type { Config } from "../../config/schema.js";
import { appendHistoryEntry } from "../../exec/history.js";
import { checkHookPayload, failClosedAnswer, failClosedMessage } from "../../guard/guard-check.js";
import { renderHookReply, type HookFormat, type HookReply } from "../../guard/hook-protocols.js";
import type { SafetyMode } from "../../safety/types.js";
import type { ShellName } from "../../shells.js";
import type { CliIo, CliReadable } from "../io.js";

/** Largest payload read, in bytes (1 MiB): a shell command is far smaller; more is not a real hook call. */
export const MAXIMUM_HOOK_INPUT_BYTES = 1024 * 1024;

/** How long the payload may take to arrive (10 s): agents write it and close stdin at once. */
export const HOOK_INPUT_TIMEOUT_MS = 10_000;

/**
 * Fault injection for tests: `throw` makes the hook throw after reading its input (answered "ask"), `crash`
 * throws outside every handler (the process exits 2). Read once per call; costs one environment lookup.
 */
export const GUARD_FAULT_VARIABLE = "CMDAI_TEST_GUARD_FAULT";

/** Fail as `fault` says: throw now, or throw outside every handler and never answer. */
async function injectFault(fault: string): Promise<void> {
  const error = new Error(`fault injected by ${GUARD_FAULT_VARIABLE}=${fault}`);
  if (fault !== "crash") throw error;
  setImmediate(() => {
    throw error;
  });
  await new Promise<never>(() => undefined);
}

/** Where a written path really leads: the file's own real path, else its folder's, else unknown. */
function realPathOf(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    try {
      return `${fs.realpathSync(path.dirname(file))}/${path.basename(file)}`;
    } catch {
      return undefined;
    }
  }
}

/** Options of one hook call, resolved from flags, environment and config. */
export interface CheckHookOptions {
  format: HookFormat;
  config: Config;
  /** `--safety`, else the config's mode. */
  mode: SafetyMode;
  /** Where the history log lives. */
  paths: PathEnvironment;
  /** Shell for `--hook json` payloads that name none. */
  defaultShell: ShellName;
  /** Limits, for tests; defaults above. */
  maximumBytes?: number | undefined;
  timeoutMs?: number | undefined;
}

/** Read all of stdin, or say why not (a terminal, too big, too slow). */
export async function readHookInput(
  stdin: CliReadable,
  limits: { maximumBytes: number; timeoutMs: number },
): Promise<{ text: string } | { problem: string }> {
  if (stdin.isTTY === true) {
    return { problem: "stdin is a terminal; the agent's hook payload must be piped in as JSON" };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<{ problem: string }>((resolve) => {
    timer = setTimeout(() => {
      resolve({ problem: `no end of input on stdin within ${limits.timeoutMs / 1000} s` });
    }, limits.timeoutMs);
  });
  const reading = (async (): Promise<{ text: string } | { problem: string }> => {
    try {
      for await (const chunk of stdin) {
        const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
        size += buffer.length;
        if (size > limits.maximumBytes) {
          return { problem: `the hook input is larger than ${limits.maximumBytes} bytes` };
        }
        chunks.push(buffer);
      }
    } catch (error) {
      // Also reached when a stalled stdin is destroyed after the timeout; the race has been decided then.
      return { problem: `stdin could not be read (${(error as Error).message})` };
    }
    try {
      // Fatal: invalid UTF-8 could hide what the command says; never judge a repaired copy of it.
      return { text: new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks)) };
    } catch {
      return { problem: "the hook input is not valid UTF-8" };
    }
  })();
  try {
    return await Promise.race([reading, timedOut]);
  } finally {
    clearTimeout(timer);
    // Stop reading an over-long or stalled stdin, so the process can exit.
    if (!stdin.readableEnded) stdin.destroy();
  }
}

function writeReply(io: CliIo, reply: HookReply): number {
  if (reply.stdout !== "") io.stdout.write(reply.stdout);
  return reply.exitCode;
}

/** The fail-closed reply for a problem found before any payload could be judged (bad config, bad stdin). */
export function failClosedReply(format: HookFormat, problem: string, io: CliIo): number {
  io.stderr.write(`${failClosedMessage(problem)}\n`);
  return writeReply(io, renderHookReply(format, failClosedAnswer(problem)));
}

/** Answer one hook call; returns the protocol's exit code. */
export async function runCheckHookCommand(options: CheckHookOptions, io: CliIo): Promise<number> {
  const input = await readHookInput(io.stdin, {
    maximumBytes: options.maximumBytes ?? MAXIMUM_HOOK_INPUT_BYTES,
    timeoutMs: options.timeoutMs ?? HOOK_INPUT_TIMEOUT_MS,
  });
  if ("problem" in input) return failClosedReply(options.format, input.problem, io);
  let result;
  try {
    const fault = io.env[GUARD_FAULT_VARIABLE];
    if (fault !== undefined && fault !== "") await injectFault(fault);
    result = await checkHookPayload(input.text, {
      format: options.format,
      // Most agent commands are plain enough for the fast lexer; the grammar loads only when one is not.
      // Imported only when a payload holds a command: a passed-through tool call needs no engine.
      engine: async () =>
        (await import("../../safety/safety-engine.js")).createSafetyEngine(
          safetyPolicyOf(options.config.safety),
          {
            deferParser: true,
          },
        ),
      mode: options.mode,
      policy: options.config.guard,
      platform: process.platform,
      defaultShell: options.defaultShell,
      home: options.paths.homedir,
      realPath: realPathOf,
      now: new Date(),
    });
  } catch (error) {
    // A bad [safety] rule pattern, a grammar that will not load, a bug: the agent gets an answer, never allow.
    return failClosedReply(options.format, `the guard failed (${(error as Error).message})`, io);
  }
  if (result.message !== undefined) io.stderr.write(`${result.message}\n`);
  if (result.audit !== undefined && options.config.history.enabled) {
    try {
      await appendHistoryEntry(historyFilePath(options.paths), result.audit);
    } catch (error) {
      // The answer matters more than its log line: say so, and answer anyway.
      io.stderr.write(`cmdai: warning: could not write the history log: ${(error as Error).message}\n`);
    }
  }
  return writeReply(io, result.reply);
}

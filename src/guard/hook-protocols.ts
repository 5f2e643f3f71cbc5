/**
 * The hook protocols of AI coding agents: reading the pre-tool-use payload an agent writes to the hook's stdin,
 * and writing the answer it expects on stdout. Pure: text in, values out.
 *
 * Claude Code (https://code.claude.com/docs/en/hooks, "PreToolUse"): stdin is
 * `{ session_id, transcript_path, cwd, permission_mode, hook_event_name: "PreToolUse", tool_name, tool_input,
 * tool_use_id }`; the Bash tool's input is `{ command, description?, timeout?, run_in_background? }`. The
 * answer is exit 0 with `{ hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision:
 * "allow" | "deny" | "ask", permissionDecisionReason } }` — on deny the reason goes to Claude, on ask it is
 * shown to the user; without `permissionDecision` the call goes through Claude Code's own permission flow (no
 * decision). Exit 2 with stderr also blocks, but JSON is read only on exit 0, so cmdai always exits 0; any other
 * exit code (1, 127) counts as "go ahead", so no failure path may end in one. File writes come as `Write`,
 * `Edit` and `MultiEdit` with `tool_input.file_path`.
 *
 * Gemini CLI (https://geminicli.com/docs/hooks/reference, "BeforeTool"; google-gemini/gemini-cli
 * `packages/core/src/hooks/types.ts`): stdin is `{ session_id, transcript_path, cwd, hook_event_name:
 * "BeforeTool", timestamp, tool_name, tool_input }`; the shell tool is `run_shell_command` with
 * `tool_input.command` (and `dir_path`). The answer is exit 0 with `{ decision: "allow" | "deny" | "ask",
 * reason, systemMessage }`: `reason` goes to the agent on deny, `systemMessage` to the user; `ask` forces the
 * confirmation prompt (gemini-cli PR #21146); `{}` is no decision. It runs commands with bash, and PowerShell
 * on Windows (`getShellConfiguration` in `packages/core/src/utils/shell-utils.ts`). File writes come as
 * `write_file` and `replace` with `tool_input.file_path` (relative paths are relative to the project folder).
 *
 * `json` is cmdai's own generic form for other agents: stdin `{ command, cwd?, shell? }`, stdout
 * `{ decision, level, reason, reasons, alternative? }`, exit 0 allow or defer · 4 ask · 3 deny (as `cmdai check`).
 */
import { ExitCode } from "../errors.js";
import type { RiskLevel, RiskReason } from "../safety/types.js";
import { isShellName, type ShellName } from "../shells.js";
import type { AgentDecision } from "./guard-decision.js";

/** Agents whose settings `cmdai guard install` edits. */
export const GUARDED_AGENTS = ["claude-code", "gemini-cli"] as const;
export type GuardedAgent = (typeof GUARDED_AGENTS)[number];

/** Formats `cmdai check --hook` speaks: every guarded agent, and the generic `json`. */
export const HOOK_FORMATS = [...GUARDED_AGENTS, "json"] as const;
export type HookFormat = (typeof HOOK_FORMATS)[number];

/** Whether a string names a hook format. */
export function isHookFormat(value: string): value is HookFormat {
  return (HOOK_FORMATS as readonly string[]).includes(value);
}

/**
 * What a payload asks: judge a shell command or a file write, say nothing (another tool or event), or it
 * could not be read.
 */
export type HookRequest =
  | {
      kind: "command";
      command: string;
      shell: ShellName;
      cwd?: string | undefined;
      /** The agent's own description of the command (Claude Code's `tool_input.description`). */
      description?: string | undefined;
      sessionId?: string | undefined;
    }
  | {
      kind: "write";
      /** The file the agent's tool writes, as the payload names it (absolute, or relative to `cwd`). */
      path: string;
      /** The tool, e.g. `Write`, `Edit`, `write_file`. */
      tool: string;
      cwd?: string | undefined;
      sessionId?: string | undefined;
    }
  | { kind: "pass-through"; why: string }
  | { kind: "malformed"; problem: string };

/** How a payload is read: the shell the agent runs commands in, when the payload does not say. */
export interface HookPayloadContext {
  platform: NodeJS.Platform;
  /** Shell for `--hook json` when the payload names none (the configured or detected shell). */
  defaultShell: ShellName;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The agent-specific parts of reading a payload. */
interface AgentShape {
  event: string;
  shellTool: string;
  /** Tools that write a file named by `tool_input.file_path`. */
  writeTools: readonly string[];
  shell: (platform: NodeJS.Platform) => ShellName;
  cwd: (payload: JsonObject, toolInput: JsonObject) => string | undefined;
}

const AGENT_SHAPES: Record<GuardedAgent, AgentShape> = {
  // Claude Code's Bash tool runs bash everywhere (Git Bash on Windows).
  "claude-code": {
    event: "PreToolUse",
    shellTool: "Bash",
    writeTools: ["Write", "Edit", "MultiEdit"],
    shell: () => "bash",
    cwd: (payload) => optionalString(payload.cwd),
  },
  "gemini-cli": {
    event: "BeforeTool",
    shellTool: "run_shell_command",
    writeTools: ["write_file", "replace"],
    shell: (platform) => (platform === "win32" ? "powershell" : "bash"),
    cwd: (payload, toolInput) => optionalString(toolInput.dir_path) ?? optionalString(payload.cwd),
  },
};

function parseJson(text: string): { value: unknown } | { problem: string } {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed === "") return { problem: "the hook input on stdin is empty" };
  try {
    return { value: JSON.parse(trimmed) as unknown };
  } catch (error) {
    return { problem: `the hook input on stdin is not JSON (${(error as Error).message})` };
  }
}

function readCommand(toolInput: unknown, where: string): { command: string } | { problem: string } {
  if (!isObject(toolInput)) return { problem: `${where} has no tool_input object` };
  const command = toolInput.command;
  if (typeof command !== "string" || command.trim() === "") {
    return { problem: `${where} has no command in tool_input.command` };
  }
  return { command };
}

function parseAgentPayload(agent: GuardedAgent, payload: JsonObject, platform: NodeJS.Platform): HookRequest {
  const shape = AGENT_SHAPES[agent];
  const event = payload.hook_event_name;
  if (event !== undefined && event !== shape.event) {
    return { kind: "pass-through", why: `the event is ${JSON.stringify(event)}, not ${shape.event}` };
  }
  const toolName = payload.tool_name;
  if (typeof toolName !== "string" || toolName === "") {
    return { kind: "malformed", problem: "the hook input has no tool_name" };
  }
  if (shape.writeTools.includes(toolName)) return parseWrite(toolName, payload);
  if (toolName !== shape.shellTool) {
    return { kind: "pass-through", why: `${toolName} is neither the shell tool nor one that writes files` };
  }
  const read = readCommand(payload.tool_input, `the ${toolName} call`);
  if ("problem" in read) return { kind: "malformed", problem: read.problem };
  const toolInput = payload.tool_input as JsonObject;
  return {
    kind: "command",
    command: read.command,
    shell: shape.shell(platform),
    cwd: shape.cwd(payload, toolInput),
    description: optionalString(toolInput.description),
    sessionId: optionalString(payload.session_id),
  };
}

function parseWrite(tool: string, payload: JsonObject): HookRequest {
  const toolInput = payload.tool_input;
  if (!isObject(toolInput))
    return { kind: "malformed", problem: `the ${tool} call has no tool_input object` };
  const file = optionalString(toolInput.file_path) ?? optionalString(toolInput.absolute_path);
  if (file === undefined) {
    return { kind: "malformed", problem: `the ${tool} call has no file path in tool_input.file_path` };
  }
  return {
    kind: "write",
    path: file,
    tool,
    cwd: optionalString(payload.cwd),
    sessionId: optionalString(payload.session_id),
  };
}

function parseGenericPayload(payload: JsonObject, defaultShell: ShellName): HookRequest {
  const command = payload.command;
  if (typeof command !== "string" || command.trim() === "") {
    return { kind: "malformed", problem: 'the hook input has no "command" string' };
  }
  const shell = payload.shell;
  if (shell !== undefined && (typeof shell !== "string" || !isShellName(shell))) {
    return { kind: "malformed", problem: `the hook input names an unknown shell ${JSON.stringify(shell)}` };
  }
  return {
    kind: "command",
    command,
    shell: shell ?? defaultShell,
    cwd: optionalString(payload.cwd),
  };
}

/** Read a payload. Anything unexpected about a shell call is `malformed` (the caller fails closed). */
export function parseHookPayload(format: HookFormat, text: string, context: HookPayloadContext): HookRequest {
  const parsed = parseJson(text);
  if ("problem" in parsed) return { kind: "malformed", problem: parsed.problem };
  if (!isObject(parsed.value)) return { kind: "malformed", problem: "the hook input is not a JSON object" };
  return format === "json"
    ? parseGenericPayload(parsed.value, context.defaultShell)
    : parseAgentPayload(format, parsed.value, context.platform);
}

/** The answer to one judged (or unreadable) command. */
export interface HookAnswer {
  decision: AgentDecision;
  /** Plain-language paragraph: what and why, and the safer way. */
  reason: string;
  /** Absent when no command could be judged (malformed input). */
  level?: RiskLevel | undefined;
  reasons: readonly RiskReason[];
  alternative?: string | undefined;
}

/** What the hook process writes to stdout and exits with. */
export interface HookReply {
  stdout: string;
  exitCode: number;
}

const GENERIC_EXIT_CODES: Record<AgentDecision, number> = {
  allow: ExitCode.ok,
  // No objection: the caller's own rules decide, as they would without cmdai.
  defer: ExitCode.ok,
  ask: ExitCode.confirmationNeeded,
  deny: ExitCode.blocked,
};

/** The reply that expresses no opinion, for a tool or event the guard does not judge. */
export function passThroughReply(format: HookFormat): HookReply {
  // Gemini CLI parses stdout as JSON on exit 0, so it gets an empty object; Claude Code accepts no output.
  return { stdout: format === "gemini-cli" ? "{}\n" : "", exitCode: ExitCode.ok };
}

/** The reply carrying an answer, in the format's protocol. */
export function renderHookReply(format: HookFormat, answer: HookAnswer): HookReply {
  switch (format) {
    case "claude-code":
      return {
        stdout: `${JSON.stringify({
          hookSpecificOutput:
            answer.decision === "defer"
              ? { hookEventName: "PreToolUse" }
              : {
                  hookEventName: "PreToolUse",
                  permissionDecision: answer.decision,
                  permissionDecisionReason: answer.reason,
                },
        })}\n`,
        exitCode: ExitCode.ok,
      };
    case "gemini-cli":
      return {
        stdout: `${JSON.stringify(
          answer.decision === "defer"
            ? {}
            : answer.decision === "allow"
              ? { decision: "allow" }
              : { decision: answer.decision, reason: answer.reason, systemMessage: answer.reason },
        )}\n`,
        exitCode: ExitCode.ok,
      };
    case "json":
      return {
        stdout: `${JSON.stringify({
          decision: answer.decision,
          ...(answer.level === undefined ? {} : { level: answer.level }),
          reason: answer.reason,
          reasons: answer.reasons,
          ...(answer.alternative === undefined ? {} : { alternative: answer.alternative }),
        })}\n`,
        exitCode: GENERIC_EXIT_CODES[answer.decision],
      };
  }
}

/**
 * The guard hook inside an agent's `settings.json`, as pure functions over parsed JSON: add it (once), find it,
 * remove exactly it. Other hooks and settings are never touched; containers (`hooks`, the event's list) are
 * created when missing and dropped again only when removing the guard left them empty.
 *
 * Both agents use the same shape (Claude Code: https://code.claude.com/docs/en/hooks, "Configuration";
 * Gemini CLI: https://geminicli.com/docs/hooks/reference, "Configuration schema"):
 * `{ "hooks": { "<Event>": [ { "matcher": "<tool regex>", "hooks": [ { "type": "command", "command": … } ] } ] } }`.
 * Claude Code's `timeout` is in seconds, Gemini CLI's in milliseconds; Gemini CLI also takes `name` and
 * `description`.
 */
import type { GuardedAgent } from "./hook-protocols.js";

type JsonObject = Record<string, unknown>;

/** Seconds an agent waits for the guard before giving up on it (the guard answers in well under one). */
const HOOK_TIMEOUT_SECONDS = 30;

/** Where each agent keeps its shell hook. */
interface AgentHookShape {
  event: string;
  matcher: string;
  hook: (command: string) => JsonObject;
}

const HOOK_SHAPES: Record<GuardedAgent, AgentHookShape> = {
  // The shell tool and the tools that write files (judged when they write persistence, credential or system files).
  "claude-code": {
    event: "PreToolUse",
    matcher: "Bash|Write|Edit|MultiEdit",
    hook: (command) => ({ type: "command", command, timeout: HOOK_TIMEOUT_SECONDS }),
  },
  "gemini-cli": {
    event: "BeforeTool",
    matcher: "run_shell_command|write_file|replace",
    hook: (command) => ({
      name: "cmdai-guard",
      type: "command",
      command,
      timeout: HOOK_TIMEOUT_SECONDS * 1000,
      description:
        "cmdai guard: rates each shell command and file write; asks before risky ones, denies critical ones",
    }),
  },
};

/** A settings document whose shape cmdai will not edit (the caller reports it and leaves the file alone). */
export class SettingsShapeError extends Error {
  override readonly name = "SettingsShapeError";
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a hook command is cmdai's guard for this agent, wherever cmdai was installed. */
export function isGuardHookCommand(agent: GuardedAgent, command: unknown): boolean {
  return (
    typeof command === "string" && new RegExp(`\\bcheck\\s+--hook(?:=|\\s+)${agent}(?:\\s|$)`).test(command)
  );
}

/** The matcher group the guard adds: the agent's shell tool, one command hook. */
export function guardHookGroup(agent: GuardedAgent, command: string): JsonObject {
  const shape = HOOK_SHAPES[agent];
  return { matcher: shape.matcher, hooks: [shape.hook(command)] };
}

/** The event's list of matcher groups, checked; undefined when absent. */
function eventGroups(settings: unknown, agent: GuardedAgent): unknown[] | undefined {
  if (!isObject(settings)) throw new SettingsShapeError("the top level is not a JSON object");
  const hooks = settings.hooks;
  if (hooks === undefined) return undefined;
  if (!isObject(hooks)) throw new SettingsShapeError('"hooks" is not an object');
  const event = HOOK_SHAPES[agent].event;
  const groups = hooks[event];
  if (groups === undefined) return undefined;
  if (!Array.isArray(groups)) throw new SettingsShapeError(`"hooks.${event}" is not a list`);
  return groups as unknown[];
}

function groupHooks(group: unknown): unknown[] {
  return isObject(group) && Array.isArray(group.hooks) ? group.hooks : [];
}

/** The guard's commands found in the settings (normally none or one). */
export function findGuardHookCommands(settings: unknown, agent: GuardedAgent): string[] {
  return (eventGroups(settings, agent) ?? [])
    .flatMap(groupHooks)
    .map((hook) => (isObject(hook) ? hook.command : undefined))
    .filter((command): command is string => isGuardHookCommand(agent, command));
}

/** How adding changed the settings. */
export type AddOutcome = "added" | "updated" | "unchanged";

/** Whether every group holding a guard hook matches the tools the guard judges. */
export function guardMatchersCurrent(settings: unknown, agent: GuardedAgent): boolean {
  return (eventGroups(settings, agent) ?? []).every(
    (group) =>
      !groupHooks(group).some((hook) => isObject(hook) && isGuardHookCommand(agent, hook.command)) ||
      (isObject(group) && group.matcher === HOOK_SHAPES[agent].matcher),
  );
}

/**
 * Add the guard hook running `command`. Unchanged when it is already there with that command and matcher;
 * updated (in place, duplicates dropped, the matcher widened to the tools the guard judges) when a guard hook
 * runs another command or matches other tools, e.g. after cmdai moved or an older install. Never mutates its
 * input. Throws {@link SettingsShapeError} when `hooks` or its event list has an unexpected type.
 */
export function addGuardHook(
  settings: unknown,
  agent: GuardedAgent,
  command: string,
): { settings: JsonObject; outcome: AddOutcome } {
  const existing = findGuardHookCommands(settings, agent);
  if (existing.length === 1 && existing[0] === command && guardMatchersCurrent(settings, agent)) {
    return { settings: settings as JsonObject, outcome: "unchanged" };
  }
  const next = structuredClone(settings) as JsonObject;
  const shape = HOOK_SHAPES[agent];
  if (existing.length > 0) {
    let kept = false;
    removeMatchingHooks(next, agent, () => {
      if (kept) return true;
      kept = true;
      return false;
    });
    for (const group of eventGroups(next, agent) ?? []) {
      const hooks = groupHooks(group);
      const guard = hooks.find((hook) => isObject(hook) && isGuardHookCommand(agent, hook.command));
      if (!isObject(group) || !isObject(guard)) continue;
      guard.command = command;
      // A group the guard shares with the user's own hooks keeps its matcher: the guard moves to its own.
      if (hooks.length === 1) group.matcher = shape.matcher;
      else if (group.matcher !== shape.matcher) {
        group.hooks = hooks.filter((hook) => hook !== guard);
        (eventGroups(next, agent) ?? []).push({ matcher: shape.matcher, hooks: [guard] });
        break;
      }
    }
    return { settings: next, outcome: "updated" };
  }
  const hooks = isObject(next.hooks) ? next.hooks : {};
  next.hooks = hooks;
  const groups = Array.isArray(hooks[shape.event]) ? (hooks[shape.event] as unknown[]) : [];
  hooks[shape.event] = groups;
  groups.push(guardHookGroup(agent, command));
  return { settings: next, outcome: "added" };
}

/**
 * Remove guard hooks for which `shouldRemove` says so, in place; drop groups, the event list and `hooks`
 * when that left them empty. Returns how many hooks were removed.
 */
function removeMatchingHooks(settings: JsonObject, agent: GuardedAgent, shouldRemove: () => boolean): number {
  const groups = eventGroups(settings, agent);
  if (groups === undefined) return 0;
  let removed = 0;
  // Forwards, in file order, so "keep the first" keeps the first.
  const remaining = groups.filter((group) => {
    if (!isObject(group) || !Array.isArray(group.hooks)) return true;
    const kept = group.hooks.filter(
      (hook) => !(isObject(hook) && isGuardHookCommand(agent, hook.command) && shouldRemove()),
    );
    if (kept.length === group.hooks.length) return true;
    removed += group.hooks.length - kept.length;
    group.hooks = kept;
    return kept.length > 0;
  });
  if (removed === 0) return 0;
  const hooks = settings.hooks as JsonObject;
  const event = HOOK_SHAPES[agent].event;
  if (remaining.length === 0) Reflect.deleteProperty(hooks, event);
  else hooks[event] = remaining;
  if (Object.keys(hooks).length === 0) delete settings.hooks;
  return removed;
}

/** Remove every guard hook for the agent; never mutates its input. */
export function removeGuardHook(
  settings: unknown,
  agent: GuardedAgent,
): { settings: JsonObject; removed: number } {
  const next = structuredClone(settings) as JsonObject;
  const removed = removeMatchingHooks(next, agent, () => true);
  return { settings: removed > 0 ? next : (settings as JsonObject), removed };
}

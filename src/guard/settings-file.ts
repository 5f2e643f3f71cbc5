/**
 * Installing, removing and finding the guard hook in an agent's settings file, with the file system at the
 * edges: a backup of the previous content before every change (`settings.json.cmdai-backup`), atomic writes
 * (temp file + rename, through a symlinked settings file to its target), the file's own indentation kept,
 * and an invalid file reported and left untouched.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { ConfigError } from "../errors.js";
import {
  addGuardHook,
  findGuardHookCommands,
  guardHookGroup,
  guardMatchersCurrent,
  removeGuardHook,
  SettingsShapeError,
  type AddOutcome,
} from "./agent-settings.js";
import type { GuardedAgent } from "./hook-protocols.js";

/** User settings (in the home folder) or the project's (in the current folder). */
export const SETTINGS_SCOPES = ["user", "project"] as const;
export type SettingsScope = (typeof SETTINGS_SCOPES)[number];

const SETTINGS_FOLDERS: Record<GuardedAgent, string> = { "claude-code": ".claude", "gemini-cli": ".gemini" };

/**
 * The agent's settings file: `~/.claude/settings.json` or `<project>/.claude/settings.json` for Claude Code,
 * `~/.gemini/settings.json` or `<project>/.gemini/settings.json` for Gemini CLI (both agents' documented
 * user and project settings files).
 */
export function agentSettingsPath(
  agent: GuardedAgent,
  scope: SettingsScope,
  where: { homedir: string; projectDir: string },
): string {
  return path.join(
    scope === "user" ? where.homedir : where.projectDir,
    SETTINGS_FOLDERS[agent],
    "settings.json",
  );
}

/** The backup written before each change. */
export function backupPathOf(file: string): string {
  return `${file}.cmdai-backup`;
}

interface SettingsDocument {
  exists: boolean;
  text: string;
  value: unknown;
}

function manualHint(agent: GuardedAgent, command: string | undefined): string {
  if (command === undefined) return "Fix the file, then run the command again.";
  return `Fix the file, or add this entry to its "hooks" by hand: ${JSON.stringify(guardHookGroup(agent, command))}`;
}

function readSettings(file: string, agent: GuardedAgent, command?: string): SettingsDocument {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { exists: false, text: "", value: {} };
    throw new ConfigError("config_parse", `Cannot read ${file}: ${(error as Error).message}.`, {
      file,
      cause: error,
    });
  }
  if (text.trim() === "") return { exists: true, text, value: {} };
  try {
    return { exists: true, text, value: JSON.parse(text) as unknown };
  } catch (error) {
    throw new ConfigError(
      "config_parse",
      `${file} is not valid JSON (${(error as Error).message}); cmdai left it untouched.`,
      { file, cause: error, hint: manualHint(agent, command) },
    );
  }
}

function shapeError(file: string, agent: GuardedAgent, error: unknown, command?: string): unknown {
  if (!(error instanceof SettingsShapeError)) return error;
  return new ConfigError("config_invalid", `${file}: ${error.message}; cmdai left it untouched.`, {
    file,
    hint: manualHint(agent, command),
  });
}

/** The file's indentation (two spaces when it has none), so a rewrite changes only what it must. */
function indentationOf(text: string): string {
  return /^([ \t]+)["}\]]/m.exec(text)?.[1] ?? "  ";
}

function serialise(value: unknown, previousText: string): string {
  return `${JSON.stringify(value, null, indentationOf(previousText))}\n`;
}

/** Write through a symlink to its target, via a temp file in the same folder and a rename. */
export function writeFileAtomically(file: string, text: string): void {
  let target = file;
  let mode = 0o600;
  try {
    target = fs.realpathSync(file);
    mode = fs.statSync(target).mode & 0o777;
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }
  const temporary = `${target}.${crypto.randomBytes(6).toString("hex")}.tmp`;
  try {
    fs.writeFileSync(temporary, text, { mode, flag: "wx" });
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new ConfigError("config_write", `Cannot write ${file}: ${(error as Error).message}.`, {
      file,
      cause: error,
    });
  }
}

/** What `install` did. */
export interface InstallResult {
  file: string;
  outcome: AddOutcome;
  /** The backup of the previous content, when the file existed and changed. */
  backup?: string | undefined;
}

/** Add the guard hook running `command` to the settings file; idempotent. */
export function installGuardHook(options: {
  file: string;
  agent: GuardedAgent;
  command: string;
}): InstallResult {
  const { file, agent, command } = options;
  const document = readSettings(file, agent, command);
  let added;
  try {
    added = addGuardHook(document.value, agent, command);
  } catch (error) {
    throw shapeError(file, agent, error, command);
  }
  if (added.outcome === "unchanged") return { file, outcome: "unchanged" };
  let backup: string | undefined;
  if (document.exists) {
    backup = backupPathOf(file);
    writeFileAtomically(backup, document.text);
  }
  writeFileAtomically(file, serialise(added.settings, document.text));
  return { file, outcome: added.outcome, backup };
}

/** What `uninstall` did. */
export interface UninstallResult {
  file: string;
  /**
   * restored: the backup matched what was left, so the file is byte for byte what it was before install;
   * deleted: cmdai had created the file and nothing else was in it; removed: only the guard was taken out;
   * not-installed: nothing to do.
   */
  outcome: "restored" | "deleted" | "removed" | "not-installed";
  /** A backup left in place (the file changed since install, so it was not restored from it). */
  backup?: string | undefined;
}

function readBackup(file: string): { text: string; value: unknown } | undefined {
  try {
    const text = fs.readFileSync(file, "utf8");
    return { text, value: text.trim() === "" ? {} : (JSON.parse(text) as unknown) };
  } catch {
    return undefined;
  }
}

/** Remove exactly the guard hook from the settings file. */
export function uninstallGuardHook(options: { file: string; agent: GuardedAgent }): UninstallResult {
  const { file, agent } = options;
  const document = readSettings(file, agent);
  if (!document.exists) return { file, outcome: "not-installed" };
  let result;
  try {
    result = removeGuardHook(document.value, agent);
  } catch (error) {
    throw shapeError(file, agent, error);
  }
  if (result.removed === 0) return { file, outcome: "not-installed" };
  const backupFile = backupPathOf(file);
  const backup = readBackup(backupFile);
  if (backup !== undefined && isDeepStrictEqual(backup.value, result.settings)) {
    writeFileAtomically(file, backup.text);
    fs.rmSync(backupFile, { force: true });
    return { file, outcome: "restored" };
  }
  if (backup === undefined && Object.keys(result.settings).length === 0) {
    fs.rmSync(file, { force: true });
    return { file, outcome: "deleted" };
  }
  writeFileAtomically(file, serialise(result.settings, document.text));
  return { file, outcome: "removed", ...(backup === undefined ? {} : { backup: backupFile }) };
}

/** Whether the guard hook is in a settings file. */
export interface GuardHookStatus {
  file: string;
  /**
   * installed-elsewhere: a guard hook runs another cmdai than this one; outdated: it is this cmdai's, but it
   * does not see the agent's file writes (an older install); broken: what it runs no longer exists (`problem`).
   */
  state:
    "installed" | "installed-elsewhere" | "outdated" | "broken" | "not-installed" | "no-file" | "unreadable";
  commands: string[];
  problem?: string | undefined;
}

/** Look for the guard hook; never throws for a bad file (reports it). */
export function guardHookStatus(options: {
  file: string;
  agent: GuardedAgent;
  command: string;
  /** Why a hook command cannot work any more (a node or cmdai that is gone), or undefined. */
  targetProblem?: ((command: string) => string | undefined) | undefined;
}): GuardHookStatus {
  const { file, agent, command } = options;
  try {
    const document = readSettings(file, agent);
    if (!document.exists) return { file, state: "no-file", commands: [] };
    const commands = findGuardHookCommands(document.value, agent);
    if (commands.length === 0) return { file, state: "not-installed", commands };
    for (const found of commands) {
      const problem = options.targetProblem?.(found);
      if (problem !== undefined) return { file, state: "broken", commands, problem };
    }
    if (!commands.includes(command)) return { file, state: "installed-elsewhere", commands };
    return { file, state: guardMatchersCurrent(document.value, agent) ? "installed" : "outdated", commands };
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    return { file, state: "unreadable", commands: [], problem };
  }
}

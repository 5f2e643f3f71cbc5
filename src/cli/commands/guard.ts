/**
 * `cmdai guard install|uninstall <agent> [--user|--project]` and `cmdai guard status [<agent>]`: put cmdai's
 * hook into (or take it out of) Claude Code's or Gemini CLI's settings file, and show where it is.
 *
 * On macOS and Linux the hook runs a small launcher (`guard/hook-launcher.ts`) that finds node and cmdai each
 * time, so a Node upgrade or an nvm switch does not break it, and that blocks (exit 2) when it cannot; agents
 * start hooks with whatever PATH they were launched with, and a guard that cannot be found must not become a
 * silent "go ahead". On Windows the hook names node and cmdai's main.js by absolute path. After moving or
 * reinstalling cmdai, run install again; `status` says when a hook points at another cmdai or at files that
 * are gone.
 */
import fs from "node:fs";
import { cliEntryScript } from "../entry-script.js";
import { packageVersion } from "../version.js";
import { currentPathEnvironment, pathEnvironmentFrom } from "../../config/paths.js";
import { ExitCode, UsageError } from "../../errors.js";
import {
  hookTargetProblem,
  launcherHookCommand,
  launcherPath,
  launcherScript,
  quoteForPosixShell,
} from "../../guard/hook-launcher.js";
import { GUARDED_AGENTS, type GuardedAgent } from "../../guard/hook-protocols.js";
import {
  agentSettingsPath,
  guardHookStatus,
  installGuardHook,
  SETTINGS_SCOPES,
  uninstallGuardHook,
  writeFileAtomically,
  type GuardHookStatus,
  type SettingsScope,
} from "../../guard/settings-file.js";
import type { CliIo } from "../io.js";

/** Options of `cmdai guard`, as the CLI passes them. */
export interface GuardCommandOptions {
  /** `--project`: the settings file in the current folder. */
  project?: boolean | undefined;
  /** `--user` (the default): the settings file in the home folder. */
  user?: boolean | undefined;
  json?: boolean | undefined;
  /** The hook command to install; default: the launcher (Windows: this node and this cmdai, by absolute path). */
  hookCommand?: string | undefined;
  /** Home folder; default: the current user's. */
  homedir?: string | undefined;
}

const AGENT_TITLES: Record<GuardedAgent, string> = {
  "claude-code": "Claude Code",
  "gemini-cli": "Gemini CLI",
};

/**
 * The hook command for an agent. POSIX shells get single quotes where needed; on Windows Claude Code runs
 * hooks in Git Bash (double quotes keep backslashes) and Gemini CLI in PowerShell (which needs `&` to call a
 * quoted path).
 */
export function guardHookCommand(
  agent: GuardedAgent,
  options: { nodePath: string; scriptPath: string; platform: NodeJS.Platform },
): string {
  const tail = `check --hook ${agent}`;
  if (options.platform !== "win32") {
    return `${quoteForPosixShell(options.nodePath)} ${quoteForPosixShell(options.scriptPath)} ${tail}`;
  }
  const quoted = `"${options.nodePath}" "${options.scriptPath}" ${tail}`;
  return agent === "gemini-cli" ? `& ${quoted}` : quoted;
}

/** This cmdai's entry script, symlinks resolved (the path to show when running from sources). */
function entryScriptPath(): string {
  const script = cliEntryScript();
  try {
    return fs.realpathSync(script);
  } catch {
    return script;
  }
}

function pathEnvironment(options: GuardCommandOptions, io: CliIo) {
  return pathEnvironmentFrom(io.env, options.homedir ?? currentPathEnvironment().homedir);
}

/** The hook command for this cmdai: the launcher's (POSIX), or absolute paths (Windows). */
function defaultHookCommand(agent: GuardedAgent, options: GuardCommandOptions, io: CliIo): string {
  if (process.platform === "win32") {
    return guardHookCommand(agent, {
      nodePath: process.execPath,
      scriptPath: entryScriptPath(),
      platform: process.platform,
    });
  }
  return launcherHookCommand(agent, launcherPath(pathEnvironment(options, io)));
}

/** Write (or refresh) the launcher the hook runs; reports whether it changed. */
function writeLauncher(options: GuardCommandOptions, io: CliIo): { file: string; changed: boolean } {
  const file = launcherPath(pathEnvironment(options, io));
  const text = launcherScript({
    nodePath: process.execPath,
    scriptPath: entryScriptPath(),
    version: packageVersion(),
  });
  let previous: string | undefined;
  try {
    previous = fs.readFileSync(file, "utf8");
  } catch {
    // First install.
  }
  if (previous === text) return { file, changed: false };
  writeFileAtomically(file, text);
  return { file, changed: true };
}

function parseAgent(agent: string | undefined, action: string): GuardedAgent {
  if (agent !== undefined && (GUARDED_AGENTS as readonly string[]).includes(agent))
    return agent as GuardedAgent;
  throw new UsageError(
    agent === undefined
      ? `cmdai guard ${action} needs an agent.`
      : `Unknown agent "${agent}" (cmdai guards ${GUARDED_AGENTS.join(" and ")}).`,
    { hint: `For example: cmdai guard ${action} claude-code --user` },
  );
}

function parseScope(options: GuardCommandOptions): SettingsScope {
  if (options.project === true && options.user === true) {
    throw new UsageError("Choose one of --project and --user.", {
      hint: "--user (the default) edits the settings in your home folder, --project those in this folder.",
    });
  }
  return options.project === true ? "project" : "user";
}

function settingsFile(
  agent: GuardedAgent,
  scope: SettingsScope,
  options: GuardCommandOptions,
  io: CliIo,
): string {
  return agentSettingsPath(agent, scope, {
    homedir: options.homedir ?? currentPathEnvironment().homedir,
    projectDir: io.cwd,
  });
}

function install(agent: GuardedAgent, options: GuardCommandOptions, io: CliIo): number {
  const scope = parseScope(options);
  const command = options.hookCommand ?? defaultHookCommand(agent, options, io);
  const launcher =
    options.hookCommand === undefined && process.platform !== "win32"
      ? writeLauncher(options, io)
      : undefined;
  const result = installGuardHook({ file: settingsFile(agent, scope, options, io), agent, command });
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify({ agent, scope, ...result, command, launcher: launcher?.file })}\n`);
    return ExitCode.ok;
  }
  const title = AGENT_TITLES[agent];
  const backup = result.backup === undefined ? "" : ` (previous content saved as ${result.backup})`;
  switch (result.outcome) {
    case "unchanged":
      io.stdout.write(
        launcher?.changed === true
          ? `cmdai's guard is already in ${result.file}; updated its launcher ${launcher.file} to this cmdai.\n`
          : `cmdai's guard is already in ${result.file}; nothing changed.\n`,
      );
      break;
    case "updated":
      io.stdout.write(`Updated cmdai's guard in ${result.file}${backup}.\nHook: ${command}\n`);
      break;
    case "added":
      io.stdout.write(
        `Added cmdai's guard to ${title}'s ${scope} settings, ${result.file}${backup}.\nHook: ${command}\n` +
          `${title} now asks cmdai before each shell command; remove it with: cmdai guard uninstall ${agent}${scope === "project" ? " --project" : ""}\n`,
      );
      if (agent === "gemini-cli") {
        io.stdout.write('If hooks are off in Gemini CLI, turn them on: /settings → "Enable Hooks System".\n');
      }
      break;
  }
  return ExitCode.ok;
}

function uninstall(agent: GuardedAgent, options: GuardCommandOptions, io: CliIo): number {
  const scope = parseScope(options);
  const result = uninstallGuardHook({ file: settingsFile(agent, scope, options, io), agent });
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify({ agent, scope, ...result })}\n`);
    return ExitCode.ok;
  }
  const messages: Record<typeof result.outcome, string> = {
    "not-installed": `cmdai's guard is not in ${result.file}; nothing changed.`,
    restored: `Removed cmdai's guard: ${result.file} is back to what it was before install.`,
    deleted: `Removed cmdai's guard and ${result.file}, which cmdai had created.`,
    removed: `Removed cmdai's guard from ${result.file}; everything else in it was kept.${
      result.backup === undefined ? "" : ` The backup from install is still at ${result.backup}.`
    }`,
  };
  io.stdout.write(`${messages[result.outcome]}\n`);
  return ExitCode.ok;
}

const STATE_TEXT: Record<GuardHookStatus["state"], string> = {
  installed: "installed",
  "installed-elsewhere": "installed, but runs another cmdai",
  outdated: "installed, but does not see file writes (an older install)",
  broken: "broken",
  "not-installed": "not installed",
  "no-file": "not installed (no settings file)",
  unreadable: "unreadable",
};

function status(agentArgument: string | undefined, options: GuardCommandOptions, io: CliIo): number {
  const agents = agentArgument === undefined ? [...GUARDED_AGENTS] : [parseAgent(agentArgument, "status")];
  const rows = agents.flatMap((agent) =>
    SETTINGS_SCOPES.map((scope) => ({
      agent,
      scope,
      ...guardHookStatus({
        file: settingsFile(agent, scope, options, io),
        agent,
        command: options.hookCommand ?? defaultHookCommand(agent, options, io),
        targetProblem: (command) =>
          hookTargetProblem(command, {
            ...io.env,
            HOME: options.homedir ?? currentPathEnvironment().homedir,
          }),
      }),
    })),
  );
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify({ hooks: rows }, null, 2)}\n`);
    return ExitCode.ok;
  }
  for (const row of rows) {
    const fix = `cmdai guard install ${row.agent}${row.scope === "project" ? " --project" : ""}`;
    const detail =
      row.state === "installed-elsewhere"
        ? `: ${row.commands.join("; ")} (run ${fix} to update it)`
        : row.state === "outdated"
          ? ` (run ${fix} to update it)`
          : row.state === "broken"
            ? `: ${row.problem ?? ""} (fix: ${fix})`
            : row.state === "unreadable"
              ? `: ${row.problem ?? ""}`
              : "";
    io.stdout.write(
      `${AGENT_TITLES[row.agent].padEnd(12)}  ${row.scope.padEnd(8)}  ${STATE_TEXT[row.state]}${detail}  ${row.file}\n`,
    );
  }
  return ExitCode.ok;
}

function dispatch(
  action: string,
  agent: string | undefined,
  options: GuardCommandOptions,
  io: CliIo,
): number {
  switch (action) {
    case "install":
      return install(parseAgent(agent, action), options, io);
    case "uninstall":
      return uninstall(parseAgent(agent, action), options, io);
    case "status":
      return status(agent, options, io);
    default:
      throw new UsageError(`Unknown guard action "${action}".`, {
        hint: "Use install, uninstall or status, e.g. cmdai guard install claude-code",
      });
  }
}

/** Run `cmdai guard <action> [agent]`; errors come back as a rejected promise. */
export function runGuardCommand(
  action: string,
  agent: string | undefined,
  options: GuardCommandOptions,
  io: CliIo,
): Promise<number> {
  try {
    return Promise.resolve(dispatch(action, agent, options, io));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

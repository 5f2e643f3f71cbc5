/**
 * `cmdai check --hook <agent>` from argv. Kept apart from `check-entry.ts` and free of commander, so `main.ts`
 * can run it directly: every command an agent runs waits on this path. A configuration that cannot be loaded
 * does not stop the answer: the hook fails closed ("ask") and says why on stderr.
 */
import { loadConfig } from "../config/load-config.js";
import { currentPathEnvironment } from "../config/paths.js";
import { UsageError } from "../errors.js";
import { HOOK_FORMATS, isHookFormat, type HookFormat } from "../guard/hook-protocols.js";
import type { ShellName } from "../shells.js";
import { failClosedReply, runCheckHookCommand } from "./commands/check-hook.js";
import type { CliIo } from "./io.js";

/** Flags `check --hook` takes. */
export interface CheckHookArguments {
  safety?: string | undefined;
  config?: string | undefined;
}

/** Run one hook call; returns the exit code the agent's protocol expects. */
export async function runHookFromArguments(
  format: string,
  options: CheckHookArguments,
  io: CliIo,
): Promise<number> {
  if (!isHookFormat(format)) {
    throw new UsageError(`Unknown hook format "${format}".`, {
      hint: `Use one of: ${HOOK_FORMATS.join(", ")}, e.g. cmdai check --hook claude-code`,
    });
  }
  try {
    return await answerHook(format, options, io);
  } catch (error) {
    // Whatever went wrong, the agent gets an answer it can act on, and never "allow".
    return failClosedReply(format, `cmdai failed (${(error as Error).message})`, io);
  }
}

async function answerHook(format: HookFormat, options: CheckHookArguments, io: CliIo): Promise<number> {
  const paths = { ...currentPathEnvironment(), env: io.env };
  let loaded;
  try {
    loaded = await loadConfig({
      configFile: options.config,
      flags: { safety: options.safety },
      env: io.env,
      paths,
    });
  } catch (error) {
    return failClosedReply(format, `the configuration could not be loaded (${(error as Error).message})`, io);
  }
  for (const warning of loaded.warnings) io.stderr.write(`cmdai: warning: ${warning}\n`);
  const { config } = loaded;
  let defaultShell: ShellName = config.shell ?? "bash";
  if (format === "json" && config.shell === undefined) {
    const { detectShell, readParentProcessName } = await import("../core/detect-shell.js");
    defaultShell = detectShell({
      env: io.env,
      platform: process.platform,
      parentProcessName: readParentProcessName(),
    });
  }
  return runCheckHookCommand({ format, config, mode: config.safety.mode, paths, defaultShell }, io);
}

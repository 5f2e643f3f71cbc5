/** `cmdai check` from argv: load config (flags over env over file), pick the shell, run the check. */
import { loadConfig } from "../config/load-config.js";
import { currentPathEnvironment } from "../config/paths.js";
import { detectShell, readAncestorProcessNames, readParentProcessName } from "../core/detect-shell.js";
import { shouldUseColor } from "./colors.js";
import { runCheckCommand } from "./commands/check.js";
import type { CliIo } from "./io.js";
import { outputFormatOf } from "./output-format.js";

export interface CheckArguments {
  shell?: string;
  safety?: string;
  json?: boolean;
  output?: string;
  preview?: boolean;
  config?: string;
}

export async function runCheckFromArguments(
  command: string | undefined,
  options: CheckArguments,
  io: CliIo,
): Promise<number> {
  const format = outputFormatOf(options);
  const loaded = await loadConfig({
    configFile: options.config,
    flags: { shell: options.shell, safety: options.safety },
    env: io.env,
    paths: { ...currentPathEnvironment(), env: io.env },
  });
  for (const warning of loaded.warnings) io.stderr.write(`cmdai: warning: ${warning}\n`);
  const { config } = loaded;
  const shell =
    config.shell ??
    detectShell({
      env: io.env,
      platform: process.platform,
      parentProcessName: readParentProcessName(),
      ancestorProcessNames: () => readAncestorProcessNames(),
    });
  return runCheckCommand(
    {
      command: command === "-" ? undefined : command,
      readStdinLines: command === "-",
      shell,
      mode: config.safety.mode,
      format,
      preview: options.preview === true,
      config,
      color: shouldUseColor(config.ui.color, io.stdout, io.env),
    },
    io,
  );
}

/**
 * `cmdai init bash|zsh|fish|powershell`: print the shell integration snippet to source from the shell's rc
 * file — a hotkey (`ui.hotkey`, default Ctrl-G) that turns the request on the command line into a command,
 * and a `cmdai` wrapper that adds the command the menu ran to the shell's history.
 */
import { loadConfig } from "../../config/load-config.js";
import { currentPathEnvironment } from "../../config/paths.js";
import { ExitCode, UsageError } from "../../errors.js";
import type { CliIo } from "../io.js";
import { bashSnippet } from "../shell-init/bash-snippet.js";
import { fishSnippet } from "../shell-init/fish-snippet.js";
import { parseHotkey, type Hotkey } from "../shell-init/hotkey.js";
import { powershellSnippet } from "../shell-init/powershell-snippet.js";
import { zshSnippet } from "../shell-init/zsh-snippet.js";

/** Shells `cmdai init` has a snippet for. */
export const INIT_SHELLS = ["bash", "zsh", "fish", "powershell"] as const;
export type InitShell = (typeof INIT_SHELLS)[number];

export interface InitCommandOptions {
  /** Overrides `ui.hotkey` for this snippet (`--hotkey`). */
  hotkey?: string | undefined;
  config?: string | undefined;
}

/** The snippet for a shell and hotkey. */
export function shellInitSnippet(shell: InitShell, hotkey: Hotkey): string {
  switch (shell) {
    case "bash":
      return bashSnippet(hotkey);
    case "zsh":
      return zshSnippet(hotkey);
    case "fish":
      return fishSnippet(hotkey);
    case "powershell":
      return powershellSnippet(hotkey);
  }
}

function asInitShell(shell: string): InitShell {
  const normalised = shell.trim().toLowerCase() === "pwsh" ? "powershell" : shell.trim().toLowerCase();
  if ((INIT_SHELLS as readonly string[]).includes(normalised)) return normalised as InitShell;
  throw new UsageError(`cmdai init has no snippet for "${shell}".`, {
    hint: `Choose one of: ${INIT_SHELLS.join(", ")} (e.g. eval "$(cmdai init bash)" in ~/.bashrc).`,
  });
}

/** Print the snippet for `shell` on stdout. */
export async function runInitCommand(shell: string, options: InitCommandOptions, io: CliIo): Promise<number> {
  const target = asInitShell(shell);
  let notation = options.hotkey;
  if (notation === undefined) {
    const loaded = await loadConfig({
      configFile: options.config,
      env: io.env,
      paths: { ...currentPathEnvironment(), env: io.env },
    });
    for (const warning of loaded.warnings) io.stderr.write(`cmdai: warning: ${warning}\n`);
    notation = loaded.config.ui.hotkey;
  }
  io.stdout.write(shellInitSnippet(target, parseHotkey(notation)));
  return Promise.resolve(ExitCode.ok);
}

/**
 * The small shell launcher the installed guard hook runs (POSIX systems), so the hook survives a Node
 * upgrade, an nvm/fnm/volta switch or a reinstall of cmdai. Agents start hooks with whatever PATH they were
 * launched with — often a bare one — and a hook that pins `/path/to/node-v20/bin/node` breaks the day that
 * folder goes; worse, Claude Code treats the shell's "not found" (exit 127) as "go ahead". So the settings file
 * names a stable launcher (`<state dir>/guard-hook.sh`), and the launcher finds node and cmdai each time:
 * node on PATH, then the node that installed the hook, then the version managers' (volta, fnm, asdf, nodenv,
 * the newest nvm version), then the system's (Homebrew, /usr/local, /usr); cmdai where it was installed, then beside that
 * node, then on PATH. When it finds neither, or cmdai fails in a way the agent would read as "go ahead", it
 * exits 2: both agents block the tool on 2. The hook command adds `|| exit 2`, for a launcher that is gone.
 *
 * `guard status` asks the launcher to `--locate` (with a bare PATH, as an agent might start it) and reports a
 * hook whose target no longer exists as broken, with the fix.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { stateDir, type PathEnvironment } from "../config/paths.js";
import type { GuardedAgent } from "./hook-protocols.js";

/** Where `guard install` writes the launcher: `<state dir>/guard-hook.sh`. */
export function launcherPath(where: PathEnvironment): string {
  return path.join(stateDir(where), "guard-hook.sh");
}

/** A word for a POSIX shell: bare when it is plain, else single-quoted. */
export function quoteForPosixShell(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The hook command for the settings file: the launcher through `/bin/sh`, and exit 2 if even that fails. */
export function launcherHookCommand(agent: GuardedAgent, launcher: string): string {
  return `/bin/sh ${quoteForPosixShell(launcher)} check --hook ${agent} || exit 2`;
}

/** The launcher's text: the node and cmdai that installed it are its first guesses, never its only ones. */
export function launcherScript(options: { nodePath: string; scriptPath: string; version: string }): string {
  return `#!/bin/sh
# cmdai guard hook launcher, written by \`cmdai guard install\` (cmdai ${options.version}).
# Finds node and cmdai each time, so a Node upgrade or an nvm switch does not break the guard. Exits 2 (the
# agent blocks the tool call) when it cannot find them, or when cmdai fails; never 1, which agents run on.
# Only shell builtins: agents may start hooks with a PATH that holds nothing else.
# Rewrite it with: cmdai guard install <agent>
installed_node=${quoteForPosixShell(options.nodePath)}
installed_script=${quoteForPosixShell(options.scriptPath)}

find_node() {
  newest_nvm=""
  for candidate in "\${NVM_DIR:-$HOME/.nvm}"/versions/node/*/bin/node; do
    [ -x "$candidate" ] && newest_nvm=$candidate
  done
  # A version manager's node before the system's: a system node is often too old for cmdai.
  for candidate in "$(command -v node 2>/dev/null)" "$installed_node" "$HOME/.volta/bin/node" \\
    "$HOME/.local/share/fnm/aliases/default/bin/node" "$HOME/.asdf/shims/node" "$HOME/.nodenv/shims/node" \\
    "$newest_nvm" /opt/homebrew/bin/node /usr/local/bin/node /usr/bin/node; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && [ ! -d "$candidate" ]; then
      printf '%s\\n' "$candidate"
      return 0
    fi
  done
  return 1
}

find_script() {
  for candidate in "$installed_script" "\${1%/*}/../lib/node_modules/cmdai/dist/cli/main.js" \\
    "$(command -v cmdai 2>/dev/null)"; do
    if [ -n "$candidate" ] && [ -f "$candidate" ]; then
      printf '%s\\n' "$candidate"
      return 0
    fi
  done
  return 1
}

if ! node=$(find_node); then
  echo "cmdai guard: node was not found (not on PATH, not at $installed_node); blocking the tool call. Fix: cmdai guard install <agent>" >&2
  exit 2
fi
if ! script=$(find_script "$node"); then
  echo "cmdai guard: cmdai was not found (not at $installed_script, not on PATH); blocking the tool call. Fix: reinstall cmdai, then cmdai guard install <agent>" >&2
  exit 2
fi
if [ "$1" = "--locate" ]; then
  printf 'node: %s\\ncmdai: %s\\n' "$node" "$script"
  exit 0
fi
"$node" "$script" "$@"
status=$?
case $status in
  0 | 2) exit $status ;;
esac
echo "cmdai guard: cmdai exited with $status; blocking the tool call (exit 2)." >&2
exit 2
`;
}

/** The launcher a hook command runs, when it is one of cmdai's launchers. */
export function launcherOf(command: string): string | undefined {
  const match = /^\/bin\/sh\s+('(?:[^']|'\\'')*'|\S+)\s+check\s/.exec(command);
  const word = match?.[1];
  if (word === undefined) return undefined;
  return word.startsWith("'") ? word.slice(1, -1).replaceAll("'\\''", "'") : word;
}

/**
 * Why a guard hook command cannot work any more, or undefined when it can (as far as can be told). A launcher
 * must exist and find node and cmdai from a bare PATH; an older `<node> <main.js>` command needs both files.
 */
export function hookTargetProblem(command: string, env: NodeJS.ProcessEnv): string | undefined {
  const launcher = launcherOf(command);
  if (launcher !== undefined) {
    if (!fs.existsSync(launcher)) return `its launcher ${launcher} no longer exists`;
    const located = spawnSync("/bin/sh", [launcher, "--locate"], {
      env: {
        PATH: "/usr/bin:/bin",
        ...(env.HOME === undefined ? {} : { HOME: env.HOME }),
        ...(env.NVM_DIR === undefined ? {} : { NVM_DIR: env.NVM_DIR }),
      },
      encoding: "utf8",
      timeout: 10_000,
    });
    if (located.status === 0) return undefined;
    return (located.stderr.trim().replace(/^cmdai guard: /, "") || `its launcher ${launcher} fails`).replace(
      /; blocking the tool call.*$/,
      "",
    );
  }
  const pinned = /^('(?:[^']|'\\'')*'|"[^"]*"|\S+)\s+('(?:[^']|'\\'')*'|"[^"]*"|\S+)\s+check\s/.exec(
    command.replace(/^&\s*/, ""),
  );
  for (const word of [pinned?.[1], pinned?.[2]]) {
    if (word === undefined) continue;
    const file = /^['"]/.test(word) ? word.slice(1, -1).replaceAll("'\\''", "'") : word;
    if (path.isAbsolute(file) && !fs.existsSync(file)) return `${file} no longer exists`;
  }
  return undefined;
}

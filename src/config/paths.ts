/**
 * The only module that resolves cmdai's folders and the home folder (`os.homedir`, `$HOME`, `~`; a lint rule in
 * eslint.config.js keeps it so). Everything takes an environment and a platform so tests can
 * point every path at a temporary folder. XDG variables win on every platform when set; otherwise Linux uses
 * the XDG defaults, macOS `~/Library/…` and Windows `%APPDATA%` / `%LOCALAPPDATA%`.
 */
import os from "node:os";
import path from "node:path";

export const APP_NAME = "cmdai";

/** Where paths are resolved from; defaults to the running process. */
export interface PathEnvironment {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
}

/** The current process's path environment. */
export function currentPathEnvironment(): PathEnvironment {
  return { env: process.env, platform: process.platform, homedir: os.homedir() };
}

/**
 * The path environment of a given environment (a command's `io.env`, a test's): the home folder is `homedir`
 * when given, else `$HOME` from that environment (not on Windows, where a POSIX shell's HOME is not the
 * profile folder), else the process's own.
 */
export function pathEnvironmentFrom(env: NodeJS.ProcessEnv, homedir?: string): PathEnvironment {
  const home = homedir ?? (process.platform === "win32" ? undefined : nonEmpty(env.HOME)) ?? os.homedir();
  return { env, platform: process.platform, homedir: home };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/**
 * A path the user typed with `~` (alone, `~/…`, or `~\…` on Windows) made absolute against the home folder;
 * anything else, `~user/…` included, unchanged.
 */
export function expandHome(typed: string, where: PathEnvironment = currentPathEnvironment()): string {
  if (typed === "~") return where.homedir;
  const separator = typed.startsWith("~/") || (where.platform === "win32" && typed.startsWith("~\\"));
  return separator ? pathApi(where.platform).join(where.homedir, typed.slice(2)) : typed;
}

/** The folder holding `config.toml`: `$XDG_CONFIG_HOME/cmdai`, `~/Library/Preferences/cmdai`, `%APPDATA%\cmdai`. */
export function configDir(where: PathEnvironment = currentPathEnvironment()): string {
  const p = pathApi(where.platform);
  const xdg = nonEmpty(where.env.XDG_CONFIG_HOME);
  if (xdg !== undefined) return p.join(xdg, APP_NAME);
  if (where.platform === "darwin") return p.join(where.homedir, "Library", "Preferences", APP_NAME);
  if (where.platform === "win32") {
    return p.join(nonEmpty(where.env.APPDATA) ?? p.join(where.homedir, "AppData", "Roaming"), APP_NAME);
  }
  return p.join(where.homedir, ".config", APP_NAME);
}

/** The default config file path (`-c` overrides it). */
export function configFilePath(where: PathEnvironment = currentPathEnvironment()): string {
  return pathApi(where.platform).join(configDir(where), "config.toml");
}

/** Cache root: `$XDG_CACHE_HOME/cmdai`, `~/Library/Caches/cmdai`, `%LOCALAPPDATA%\cmdai\Cache`. */
export function cacheDir(where: PathEnvironment = currentPathEnvironment()): string {
  const p = pathApi(where.platform);
  const xdg = nonEmpty(where.env.XDG_CACHE_HOME);
  if (xdg !== undefined) return p.join(xdg, APP_NAME);
  if (where.platform === "darwin") return p.join(where.homedir, "Library", "Caches", APP_NAME);
  if (where.platform === "win32") {
    return p.join(
      nonEmpty(where.env.LOCALAPPDATA) ?? p.join(where.homedir, "AppData", "Local"),
      APP_NAME,
      "Cache",
    );
  }
  return p.join(where.homedir, ".cache", APP_NAME);
}

/** Downloaded models: `<cache>/models`. */
export function modelsDir(where: PathEnvironment = currentPathEnvironment()): string {
  return pathApi(where.platform).join(cacheDir(where), "models");
}

/** Saved prompt states (per system prompt, and per folder in `folders/`): `<cache>/prompt-state`. */
export function promptStateDir(where: PathEnvironment = currentPathEnvironment()): string {
  return pathApi(where.platform).join(cacheDir(where), "prompt-state");
}

/** State (history, server socket info): `$XDG_STATE_HOME/cmdai`, `~/Library/Application Support/cmdai`, … */
export function stateDir(where: PathEnvironment = currentPathEnvironment()): string {
  const p = pathApi(where.platform);
  const xdg = nonEmpty(where.env.XDG_STATE_HOME);
  if (xdg !== undefined) return p.join(xdg, APP_NAME);
  if (where.platform === "darwin") return p.join(where.homedir, "Library", "Application Support", APP_NAME);
  if (where.platform === "win32") {
    return p.join(
      nonEmpty(where.env.LOCALAPPDATA) ?? p.join(where.homedir, "AppData", "Local"),
      APP_NAME,
      "State",
    );
  }
  return p.join(where.homedir, ".local", "state", APP_NAME);
}

/** The audit log of executed commands. */
export function historyFilePath(where: PathEnvironment = currentPathEnvironment()): string {
  return pathApi(where.platform).join(stateDir(where), "history.jsonl");
}

/** Runtime folder for the warm server's socket: `$XDG_RUNTIME_DIR/cmdai`, else the state folder. */
export function runtimeDir(where: PathEnvironment = currentPathEnvironment()): string {
  const p = pathApi(where.platform);
  const xdg = nonEmpty(where.env.XDG_RUNTIME_DIR);
  if (xdg !== undefined && where.platform !== "win32") return p.join(xdg, APP_NAME);
  return p.join(stateDir(where), "run");
}

/**
 * The Hugging Face hub cache, to reuse models other tools downloaded:
 * `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
 */
export function huggingFaceHubCacheDir(where: PathEnvironment = currentPathEnvironment()): string {
  const p = pathApi(where.platform);
  const hubCache = nonEmpty(where.env.HF_HUB_CACHE) ?? nonEmpty(where.env.HUGGINGFACE_HUB_CACHE);
  if (hubCache !== undefined) return hubCache;
  const hfHome = nonEmpty(where.env.HF_HOME);
  if (hfHome !== undefined) return p.join(hfHome, "hub");
  const xdgCache = nonEmpty(where.env.XDG_CACHE_HOME);
  if (xdgCache !== undefined) return p.join(xdgCache, "huggingface", "hub");
  return p.join(where.homedir, ".cache", "huggingface", "hub");
}

/**
 * Copies text to the system clipboard with the platform's own tool: `pbcopy` (macOS), `clip.exe` (Windows
 * and WSL), `wl-copy` (Wayland), `xclip` / `xsel` (X11). When none works the caller falls back to OSC 52,
 * the terminal escape that asks the terminal itself (also over SSH and in tmux) to set the clipboard.
 */
import { spawn } from "node:child_process";

/** A clipboard program and its arguments. */
export interface ClipboardTool {
  program: string;
  args: string[];
}

/** The tools worth trying on this platform and session, most specific first. */
export function clipboardCandidates(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): ClipboardTool[] {
  if (platform === "darwin") return [{ program: "pbcopy", args: [] }];
  if (platform === "win32") return [{ program: "clip.exe", args: [] }];
  const tools: ClipboardTool[] = [];
  if ((env.WAYLAND_DISPLAY ?? "") !== "") tools.push({ program: "wl-copy", args: [] });
  if ((env.DISPLAY ?? "") !== "") {
    tools.push({ program: "xclip", args: ["-selection", "clipboard", "-in"] });
    tools.push({ program: "xsel", args: ["--clipboard", "--input"] });
  }
  // WSL: the Windows clipboard is reachable through clip.exe on the PATH.
  if ((env.WSL_DISTRO_NAME ?? "") !== "") tools.push({ program: "clip.exe", args: [] });
  return tools;
}

/** Run one tool with `text` on its stdin; resolves true when it exits 0. Its output is ignored. */
function tryTool(
  tool: ClipboardTool,
  text: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    // xclip and wl-copy fork a child that serves the selection; not waiting for our stdout keeps that cheap.
    const child = spawn(tool.program, tool.args, { env, stdio: ["pipe", "ignore", "ignore"] });
    const timer = setTimeout(() => {
      child.kill();
      resolve(false);
    }, timeoutMs);
    child.once("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
    child.stdin.on("error", () => {
      // A tool that exits before reading reports its failure through its exit code.
    });
    child.stdin.end(text);
  });
}

/**
 * Copy `text` with the first tool that works; resolves with the program's name, or undefined when none did
 * (then use {@link osc52Sequence}). Each attempt is bounded by `timeoutMs` (default 3000).
 */
export async function copyWithSystemTool(
  text: string,
  options: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string | undefined> {
  const env = options.env ?? process.env;
  for (const tool of clipboardCandidates(options.platform ?? process.platform, env)) {
    if (await tryTool(tool, text, env, options.timeoutMs ?? 3000)) return tool.program;
  }
  return undefined;
}

/**
 * The OSC 52 escape sequence that asks the terminal to set its clipboard to `text`. Most terminals honour it
 * (also over SSH); tmux does with `set -g set-clipboard on`.
 */
export function osc52Sequence(text: string): string {
  return `\u001b]52;c;${Buffer.from(text, "utf8").toString("base64")}\u0007`;
}

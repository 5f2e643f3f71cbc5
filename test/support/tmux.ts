/**
 * Drives a real terminal for end-to-end tests: a tmux server on its own socket (`-L`, so tests never touch
 * the user's tmux), one detached session running a program, keys sent with `send-keys`, the screen read with
 * `capture-pane` and polled until expected text appears (bounded), and `kill-server` in cleanup.
 */
import { execFile, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Whether tmux is installed (tests that need it skip otherwise). */
export function hasTmux(): boolean {
  return spawnSync("tmux", ["-V"], { stdio: "ignore" }).status === 0;
}

export interface TmuxSessionOptions {
  /** Program and arguments to run in the pane. */
  command: string[];
  /** The whole environment of the tmux server and so of the program (nothing else is inherited). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  width?: number;
  height?: number;
}

/** Marker printed after the program exits, with its exit status; the pane then stays open to be read. */
const EXIT_MARKER = "[tmux-exit ";

function quote(argument: string): string {
  return `'${argument.replace(/'/g, "'\\''")}'`;
}

export class TmuxSession {
  private constructor(
    private readonly socket: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Start a detached session running `command` in a `width`×`height` terminal (default 120×40). */
  static async start(options: TmuxSessionOptions): Promise<TmuxSession> {
    const socket = `cmdai-test-${randomUUID().slice(0, 8)}`;
    const env: NodeJS.ProcessEnv = { TERM: "xterm-256color", ...options.env };
    const session = new TmuxSession(socket, env);
    // The program runs under sh so its exit status can be shown once it ends.
    const script = `${options.command.map(quote).join(" ")}; printf '\\n${EXIT_MARKER}%s]\\n' "$?"; exec sleep 3600`;
    await run(
      "tmux",
      [
        "-L",
        socket,
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "test",
        "-x",
        String(options.width ?? 120),
        "-y",
        String(options.height ?? 40),
        "-c",
        options.cwd,
        "sh",
        "-c",
        script,
      ],
      { env },
    );
    return session;
  }

  private tmux(args: string[]): Promise<{ stdout: string }> {
    return run("tmux", ["-L", this.socket, ...args], { env: this.env });
  }

  /** Send tmux key names (`Enter`, `Escape`, `C-c`, `C-g`, or single characters). */
  async sendKeys(...keys: string[]): Promise<void> {
    await this.tmux(["send-keys", "-t", "test", ...keys]);
  }

  /** Type text literally. */
  async type(text: string): Promise<void> {
    await this.tmux(["send-keys", "-t", "test", "-l", text]);
  }

  /** The screen and scrollback, with wrapped lines joined. */
  async screen(): Promise<string> {
    return (await this.tmux(["capture-pane", "-p", "-J", "-t", "test", "-S", "-200"])).stdout;
  }

  /** Poll the screen until `pattern` appears; rejects with the screen after `timeoutMs` (default 45 s: CI machines can be slow). */
  async waitFor(pattern: string | RegExp, timeoutMs = 45_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = "";
    while (Date.now() < deadline) {
      screen = await this.screen();
      if (typeof pattern === "string" ? screen.includes(pattern) : pattern.test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`Timed out waiting for ${String(pattern)}; the screen was:\n${screen}`);
  }

  /** Wait until the program has exited; resolves with its exit status. */
  async waitForExit(timeoutMs = 45_000): Promise<number> {
    const screen = await this.waitFor(/\[tmux-exit \d+\]/, timeoutMs);
    const match = /\[tmux-exit (\d+)\]/.exec(screen);
    return Number(match?.[1]);
  }

  /** Stop the tmux server and everything in it. */
  async kill(): Promise<void> {
    try {
      await this.tmux(["kill-server"]);
    } catch {
      // already gone
    }
  }
}

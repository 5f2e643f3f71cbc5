import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { commandOutcome, menuConsentContext } from "../../../test/support/command-outcome.js";
import { virtualScreen } from "../../../test/support/virtual-screen.js";
import type { MenuSession } from "../../core/request-flow.js";
import type { CliIo } from "../io.js";
import { runMenu, type RunMenuOptions } from "./run-menu.js";

/** A terminal stand-in: stdin that records raw-mode switches, stderr that collects what is drawn. */
function fakeTerminal(): {
  io: CliIo;
  rawModes: boolean[];
  screen: () => string;
  type: (text: string) => void;
} {
  const stdin = new PassThrough() as PassThrough & {
    isTTY: boolean;
    isRaw: boolean;
    setRawMode: (mode: boolean) => void;
  };
  const rawModes: boolean[] = [];
  stdin.isTTY = true;
  stdin.isRaw = false;
  stdin.setRawMode = (mode) => {
    rawModes.push(mode);
    stdin.isRaw = mode;
  };
  const stderr = new PassThrough() as PassThrough & { isTTY: boolean; columns: number };
  stderr.isTTY = true;
  stderr.columns = 80;
  let drawn = "";
  stderr.setEncoding("utf8").on("data", (chunk: string) => (drawn += chunk));
  return {
    io: { stdin, stderr, stdout: new PassThrough(), env: {}, cwd: process.cwd() },
    rawModes,
    screen: () => drawn,
    type: (text) => stdin.write(text),
  };
}

type Callbacks = MenuSession & Pick<RunMenuOptions, "copy">;

function callbacks(overrides: Partial<Callbacks> = {}): Callbacks & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    consentContext: menuConsentContext(),
    refinePreview: (outcome) => Promise.resolve(outcome),
    assess: (command) => {
      calls.push(`assess ${command}`);
      return Promise.resolve(
        commandOutcome(command, command.includes("rm") ? { level: "critical", decision: "block" } : {}),
      );
    },
    regenerate: (options) => {
      calls.push(`regenerate ${JSON.stringify(options)}`);
      return Promise.resolve(commandOutcome("echo revised", { explanation: "echo prints its arguments" }));
    },
    copy: (command) => {
      calls.push(`copy ${command}`);
      return Promise.resolve("test-clipboard");
    },
    ...overrides,
  };
}

/** runMenu's options for a recorder: the session's callbacks and its copy. */
function withCallbacks(recorder: Callbacks): Pick<RunMenuOptions, "session" | "copy"> {
  return { session: recorder, copy: recorder.copy };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));

describe("runMenu", () => {
  it("shows the command, its risk and the shell, runs on r, and restores the terminal", async () => {
    const terminal = fakeTerminal();
    const done = runMenu(commandOutcome("echo hi", { level: "moderate", reason: "writes a file" }), {
      io: terminal.io,
      color: false,
      ...withCallbacks(callbacks()),
    });
    await tick();
    expect(terminal.screen()).toContain("echo hi");
    expect(terminal.screen()).toContain("[MODERATE]");
    expect(terminal.screen()).toContain("writes a file");
    expect(terminal.screen()).toContain("shell: bash");
    expect(terminal.rawModes).toEqual([true]);
    terminal.type("r");
    const result = await done;
    expect(result.action).toBe("run");
    expect(result.outcome.command).toBe("echo hi");
    expect(terminal.rawModes).toEqual([true, false]);
  });

  it("re-assesses an edited command and runs the edit", async () => {
    const terminal = fakeTerminal();
    const recorder = callbacks();
    const done = runMenu(commandOutcome("ls"), {
      io: terminal.io,
      color: false,
      ...withCallbacks(recorder),
    });
    terminal.type("e");
    await tick();
    expect(terminal.screen()).toContain("edit> ls");
    terminal.type(" -la\r");
    await tick();
    terminal.type("r");
    const result = await done;
    expect(recorder.calls).toEqual(["assess ls -la"]);
    expect(result).toMatchObject({ action: "run", outcome: { command: "ls -la" } });
  });

  it("an edit that the engine blocks cannot be run", async () => {
    const terminal = fakeTerminal();
    const done = runMenu(commandOutcome("ls"), {
      io: terminal.io,
      color: false,
      ...withCallbacks(callbacks()),
    });
    terminal.type("e\u0015rm -rf /\r");
    await tick();
    terminal.type("r\r");
    await tick();
    expect(terminal.screen()).toContain("[CRITICAL]");
    expect(terminal.screen()).toMatch(/Blocked/);
    terminal.type("q");
    expect(await done).toMatchObject({ action: "cancel", exitCode: 3, outcome: { command: "rm -rf /" } });
  });

  it("revises with the previous command and the feedback", async () => {
    const terminal = fakeTerminal();
    const recorder = callbacks();
    const done = runMenu(commandOutcome("echo hi"), {
      io: terminal.io,
      color: false,
      ...withCallbacks(recorder),
    });
    terminal.type("vlouder\r");
    await tick();
    expect(terminal.screen()).toContain("echo revised");
    terminal.type("\r");
    expect(await done).toMatchObject({ action: "run", outcome: { command: "echo revised" } });
    expect(recorder.calls).toEqual([
      `regenerate ${JSON.stringify({ revision: { previousCommand: "echo hi", feedback: "louder" }, wantExplanation: false })}`,
    ]);
  });

  it("explains, and says so when the backend changed the command", async () => {
    const terminal = fakeTerminal();
    const done = runMenu(commandOutcome("echo hi"), {
      io: terminal.io,
      color: false,
      ...withCallbacks(callbacks()),
    });
    terminal.type("x");
    await tick();
    expect(terminal.screen()).toContain("echo prints its arguments");
    expect(terminal.screen()).toMatch(/changed the command/);
    terminal.type("q");
    expect(await done).toMatchObject({ action: "cancel", exitCode: 4 });
  });

  it("shows a failed regeneration and stays usable", async () => {
    const terminal = fakeTerminal();
    const done = runMenu(commandOutcome("echo hi"), {
      io: terminal.io,
      color: false,
      ...withCallbacks(callbacks({ regenerate: () => Promise.reject(new Error("backend down")) })),
    });
    terminal.type("vx\r");
    await tick();
    expect(terminal.screen()).toContain("backend down");
    terminal.type("r");
    expect(await done).toMatchObject({ action: "run", outcome: { command: "echo hi" } });
  });

  it("copies and ends", async () => {
    const terminal = fakeTerminal();
    const recorder = callbacks();
    const done = runMenu(commandOutcome("echo hi"), {
      io: terminal.io,
      color: false,
      ...withCallbacks(recorder),
    });
    terminal.type("c");
    expect(await done).toMatchObject({ action: "copied", method: "test-clipboard" });
    expect(recorder.calls).toEqual(["copy echo hi"]);
    expect(terminal.screen()).toContain("Copied");
  });

  it("Ctrl-C ends with 130 and restores the terminal", async () => {
    const terminal = fakeTerminal();
    const done = runMenu(commandOutcome("echo hi"), {
      io: terminal.io,
      color: false,
      ...withCallbacks(callbacks()),
    });
    terminal.type("e\u0003");
    expect(await done).toMatchObject({ action: "interrupt", exitCode: 130 });
    expect(terminal.rawModes).toEqual([true, false]);
  });

  it("closed input cancels", async () => {
    const terminal = fakeTerminal();
    const done = runMenu(commandOutcome("echo hi", { level: "high", decision: "confirm" }), {
      io: terminal.io,
      color: false,
      ...withCallbacks(callbacks()),
    });
    terminal.io.stdin.push(null);
    expect(await done).toMatchObject({ action: "cancel", exitCode: 4 });
  });

  it("shows counting… under a cut-short preview and fills in the finished count", async () => {
    const terminal = fakeTerminal();
    const quick = {
      summary: "deletes at least 10 files (1.0 KiB) in ./build",
      targets: [],
      totals: { files: 10, directories: 1, bytes: 1024, tracked: 0 },
      truncated: true,
      unresolved: [],
      unmatched: [],
      unreadable: [],
      notes: [],
    };
    let release: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (release = resolve));
    const shown = { ...commandOutcome("rm -rf ./build", { level: "moderate" }), preview: quick };
    const done = runMenu(shown, {
      io: terminal.io,
      color: false,
      ...withCallbacks(
        callbacks({
          refinePreview: async (outcome) => {
            await finished;
            return {
              ...outcome,
              preview: { ...quick, summary: "deletes 5,000 files (2.0 MiB) in ./build", truncated: false },
            };
          },
        }),
      ),
    });
    await tick();
    expect(terminal.screen()).toContain(
      "preview: deletes at least 10 files (1.0 KiB) in ./build (counting…)\n",
    );
    expect(terminal.screen()).not.toContain("5,000");
    release();
    await tick();
    expect(terminal.screen()).toContain("preview: deletes 5,000 files (2.0 MiB) in ./build");
    // In place: the finished count replaces the quick one, which is gone from the screen.
    const rows = virtualScreen(terminal.screen());
    expect(rows.filter((row) => row.startsWith("preview:"))).toEqual([
      "preview: deletes 5,000 files (2.0 MiB) in ./build",
    ]);
    expect(rows.filter((row) => row.startsWith("$ rm -rf ./build"))).toHaveLength(1);
    expect(rows.at(-1)).toContain("r run");
    terminal.type("r");
    const result = await done;
    expect(result.outcome.preview?.truncated).toBe(false);
    expect(result.outcome.command).toBe("rm -rf ./build");
  });
});

import fs from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeBuildFolder, useRequestWorkspace } from "../../test/support/request-workspace.js";
import { BackendPool } from "./backend-pool.js";
import type { ConsentDecision } from "./consent.js";
import type { CommandOutcome } from "./generate-command.js";
import { runRequest, type MenuChoice, type MenuSession, type RequestCallbacks } from "./request-flow.js";
import { loadRequestSetup } from "./request-setup.js";

const workspace = useRequestWorkspace();
let workdir: string;
beforeEach(() => {
  workdir = workspace.workdir;
  makeBuildFolder(workdir, 3);
});

/** Callbacks that record what the flow showed and asked, answering prompts and the menu as scripted. */
function recorder(script: {
  confirm?: boolean;
  menu?: (outcome: CommandOutcome, session: MenuSession) => Promise<MenuChoice>;
}): RequestCallbacks & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    log: () => undefined,
    warn: (line) => events.push(`warn ${line}`),
    render: (outcome, consent: ConsentDecision) =>
      events.push(`render ${outcome.command}: ${consent.action}`),
    confirm: (_outcome, consent) => {
      events.push(`confirm ${consent.action}: ${consent.reason}`);
      return Promise.resolve(script.confirm ?? false);
    },
    menu: script.menu,
  };
}

async function request(
  command: string,
  flags: { execute?: boolean; yes?: boolean; terminal?: boolean },
  callbacks: RequestCallbacks,
) {
  workspace.ollama.setScript([JSON.stringify({ command })]);
  const env = { ...workspace.home.env, OLLAMA_HOST: workspace.ollama.url, PATH: process.env.PATH };
  const setup = await loadRequestSetup({
    flags: { backend: "ollama", model: "m", shell: "bash" },
    env,
    cwd: workdir,
  });
  return runRequest(
    setup,
    {
      request: "tidy up the build output",
      explain: false,
      execute: flags.execute ?? false,
      yes: flags.yes ?? false,
      dryRun: false,
      terminal: flags.terminal ?? false,
      signal: new AbortController().signal,
      embedded: { version: "0.0.0-test" },
    },
    callbacks,
  );
}

describe("runRequest", () => {
  it("hands over the result before it frees the backends (a loaded model takes ~0.1 s to free)", async () => {
    const order: string[] = [];
    const disposeAll = vi.spyOn(BackendPool.prototype, "disposeAll").mockImplementation(function (
      this: BackendPool,
    ) {
      order.push("backends freed");
      return Promise.resolve();
    });
    try {
      const callbacks: RequestCallbacks = {
        ...recorder({}),
        finished: (result) => {
          order.push(`result ${result.outcome.command}`);
          return Promise.resolve();
        },
      };
      const result = await request("ls -la", {}, callbacks);
      expect(result.outcome.command).toBe("ls -la");
      expect(order).toEqual(["result ls -la", "backends freed"]);
    } finally {
      disposeAll.mockRestore();
    }
  });

  it("without a terminal, -x refuses a command that deletes files and runs nothing", async () => {
    const callbacks = recorder({});
    const result = await request("rm -r build", { execute: true }, callbacks);
    expect(result).toMatchObject({
      executed: false,
      exitCode: 4,
      consent: { action: "refuse", requirement: "key" },
    });
    expect(callbacks.events).toEqual(["render rm -r build: refuse"]);
    expect(fs.readdirSync(path.join(workdir, "build"))).toHaveLength(3);
  });

  it("at a terminal, -x asks; a no keeps the files (exit 4), a yes runs it", async () => {
    const declined = recorder({ confirm: false });
    expect(await request("rm -r build", { execute: true, terminal: true }, declined)).toMatchObject({
      executed: false,
      exitCode: 4,
    });
    expect(declined.events).toEqual([
      "render rm -r build: askKey",
      "confirm askKey: it deletes 3 files (3 B) in build",
    ]);
    expect(fs.existsSync(path.join(workdir, "build"))).toBe(true);
    const accepted = recorder({ confirm: true });
    expect(await request("rm -r build", { execute: true, terminal: true }, accepted)).toMatchObject({
      executed: true,
      exitCode: 0,
    });
    expect(fs.existsSync(path.join(workdir, "build"))).toBe(false);
  });

  it("hands the menu the consent context, and runs what it chose", async () => {
    let session: MenuSession | undefined;
    const callbacks = recorder({
      menu: (outcome, given) => {
        session = given;
        return Promise.resolve({ action: "run", outcome });
      },
    });
    const result = await request("rm -r build", { terminal: true }, callbacks);
    expect(session?.consentContext).toMatchObject({ menu: true, interactive: true, yes: false });
    expect(result).toMatchObject({ executed: true, exitCode: 0, consent: { action: "askKey" } });
    expect(fs.existsSync(path.join(workdir, "build"))).toBe(false);
  });

  it("never runs a refused command, whatever the menu answers", async () => {
    const callbacks = recorder({
      menu: async (_outcome, session) => ({ action: "run", outcome: await session.assess("rm -rf ~") }),
    });
    const result = await request("ls", { terminal: true }, callbacks);
    expect(result).toMatchObject({
      executed: false,
      exitCode: 3,
      outcome: { command: "rm -rf ~" },
      consent: { reason: "blocked: critical-risk commands never run" },
    });
  });

  it("without -x only shows the command: exit 0 for a safe one, 4 for one that needs confirmation", async () => {
    expect(await request("ls build", {}, recorder({}))).toMatchObject({ executed: false, exitCode: 0 });
    expect(await request("rm -r build", {}, recorder({}))).toMatchObject({ executed: false, exitCode: 4 });
    expect(fs.readdirSync(path.join(workdir, "build"))).toHaveLength(3);
  });
});

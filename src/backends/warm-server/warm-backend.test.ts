import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendError } from "../../errors.js";
import { contractRequest } from "../../../test/support/backend-contract.js";
import { ScriptedBackend } from "../../../test/support/scripted-backend.js";
import { testBackendSettings } from "../../../test/support/test-model.js";
import type { GenerationResult } from "../backend.js";
import { socketPathFor } from "./protocol.js";
import { serveBackend, type RunningWarmServer } from "./serve-backend.js";
import { startingMarkerPath, WarmBackend, WARM_SERVER_SPEC_VARIABLE } from "./warm-backend.js";

let directory: string;
let socketPath: string;
let entryScript: string;
let spawnedFile: string;
let running: RunningWarmServer | undefined;

const answer = (command: string): GenerationResult => ({
  command,
  model: "tiny.gguf",
  timingsMs: { generate: 1 },
});

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-warm-backend-"));
  socketPath = socketPathFor(directory, "test");
  spawnedFile = path.join(directory, "spawned.json");
  // Stands in for `cmdai server run`: records how it was started, and exits.
  entryScript = path.join(directory, "entry.mjs");
  fs.writeFileSync(
    entryScript,
    `import fs from "node:fs";\nfs.writeFileSync(${JSON.stringify(spawnedFile)}, JSON.stringify({ argv: process.argv.slice(2), spec: JSON.parse(process.env.${WARM_SERVER_SPEC_VARIABLE}) }));\n`,
  );
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  fs.rmSync(directory, { recursive: true, force: true });
});

function warmBackend(inProcess: ScriptedBackend, lines: string[] = []): WarmBackend {
  const settings = { ...testBackendSettings(), log: (line: string) => lines.push(line) };
  return new WarmBackend({
    settings,
    entryScript,
    spec: {
      socketPath,
      key: "test",
      modelPath: "/models/tiny.gguf",
      config: settings.config,
      idleTimeoutMs: 1000,
    },
    createInProcess: () => Promise.resolve(inProcess),
    startTimeoutMs: 10_000,
  });
}

async function waitForFile(file: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (fs.existsSync(file) && fs.statSync(file).size > 0) return fs.readFileSync(file, "utf8");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${file} was not written`);
}

describe("WarmBackend without a running server", () => {
  it("answers in-process at once and starts the server only when the request has ended", async () => {
    const inProcess = new ScriptedBackend("embedded", [answer("ls -la")]);
    const lines: string[] = [];
    const backend = warmBackend(inProcess, lines);
    await expect(backend.generate(contractRequest("list files"))).resolves.toMatchObject({
      command: "ls -la",
    });
    expect(inProcess.calls).toHaveLength(1);
    expect(fs.existsSync(spawnedFile)).toBe(false);
    await backend.dispose();
    // The in-process model is freed before the server starts.
    expect(inProcess.disposed).toBe(1);
    const spawned = JSON.parse(await waitForFile(spawnedFile)) as {
      argv: string[];
      spec: { socketPath: string };
    };
    expect(spawned.argv).toEqual(["server", "run"]);
    expect(spawned.spec.socketPath).toBe(socketPath);
    expect(
      lines.some((line) => line.includes("inferring in-process; the server starts when this request ends")),
    ).toBe(true);
  });

  it("starts no server after an in-process failure", async () => {
    const failure = new BackendError("answer_unparseable", "no answer");
    const backend = warmBackend(new ScriptedBackend("embedded", [failure]));
    await expect(backend.generate(contractRequest("list files"))).rejects.toBe(failure);
    await backend.dispose();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fs.existsSync(spawnedFile)).toBe(false);
    expect(fs.existsSync(startingMarkerPath(socketPath))).toBe(false);
  });

  it("ignores a marker left by a process that is gone", async () => {
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    fs.writeFileSync(startingMarkerPath(socketPath), String(dead));
    const inProcess = new ScriptedBackend("embedded", [answer("pwd")]);
    await expect(warmBackend(inProcess).generate(contractRequest("list files"))).resolves.toMatchObject({
      command: "pwd",
    });
    expect(inProcess.calls).toHaveLength(1);
  });

  it("does not start a second server while another cmdai's is starting", async () => {
    const inProcess = new ScriptedBackend("embedded", [answer("pwd")]);
    const backend = warmBackend(inProcess);
    await backend.generate(contractRequest("list files"));
    // Another cmdai's server (this live process) is starting by the time this request ends.
    fs.writeFileSync(startingMarkerPath(socketPath), String(process.pid));
    await backend.dispose();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fs.existsSync(spawnedFile)).toBe(false);
  });
});

describe("WarmBackend with a server", () => {
  it("waits for a server another cmdai is starting and is answered by it", async () => {
    fs.writeFileSync(startingMarkerPath(socketPath), String(process.pid));
    const served = new ScriptedBackend("embedded", [answer("df -h")]);
    setTimeout(() => {
      void serveBackend({
        backend: served,
        socketPath,
        key: "test",
        version: "0.0.0",
        idleTimeoutMs: 0,
      }).then((server) => {
        running = server;
        fs.rmSync(startingMarkerPath(socketPath), { force: true });
      });
    }, 200);
    const inProcess = new ScriptedBackend("embedded", []);
    const backend = warmBackend(inProcess);
    await expect(backend.generate(contractRequest("list files"))).resolves.toMatchObject({
      command: "df -h",
    });
    expect(inProcess.calls).toHaveLength(0);
    await backend.dispose();
    expect(fs.existsSync(spawnedFile)).toBe(false);
  });

  it("uses a running server without starting anything", async () => {
    const served = new ScriptedBackend("embedded", [answer("uptime")]);
    running = await serveBackend({
      backend: served,
      socketPath,
      key: "test",
      version: "0.0.0",
      idleTimeoutMs: 0,
    });
    const backend = warmBackend(new ScriptedBackend("embedded", []));
    const events: string[] = [];
    const answered = backend
      .generate(contractRequest("list files"), { onDispatched: () => events.push("written") })
      .then((result) => {
        events.push("answered");
        return result;
      });
    await expect(answered).resolves.toMatchObject({ command: "uptime" });
    // The request is out before the answer is in: what can wait for it (the safety engine) starts then.
    expect(events).toEqual(["written", "answered"]);
    await backend.dispose();
    expect(fs.existsSync(spawnedFile)).toBe(false);
  });
});

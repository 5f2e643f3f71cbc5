import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendError, isAbortError } from "../../errors.js";
import { contractRequest } from "../../../test/support/backend-contract.js";
import { ScriptedBackend } from "../../../test/support/scripted-backend.js";
import type { Backend, GenerateOptions, GenerationRequest, GenerationResult } from "../backend.js";
import { socketPathFor } from "./protocol.js";
import { serveBackend, type RunningWarmServer } from "./serve-backend.js";
import { generateViaServer, serverStatus, stopServer } from "./warm-client.js";

let directory: string;
let socketPath: string;
let running: RunningWarmServer | undefined;

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-warm-"));
  socketPath = socketPathFor(directory, "test");
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  fs.rmSync(directory, { recursive: true, force: true });
});

const answer = (command: string): GenerationResult => ({
  command,
  model: "tiny.gguf",
  timingsMs: { generate: 1 },
});

async function serve(
  backend: Backend,
  idleTimeoutMs = 0,
  watchdogIntervalMs = 2000,
): Promise<RunningWarmServer> {
  running = await serveBackend({
    backend,
    socketPath,
    key: "test",
    version: "0.0.0",
    idleTimeoutMs,
    watchdogIntervalMs,
  });
  return running;
}

/** A backend whose generations wait until released, to observe queueing and cancellation. */
class GatedBackend extends ScriptedBackend {
  readonly gates: (() => void)[] = [];
  override generate(request: GenerationRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
    this.calls.push(request);
    return new Promise((resolve, reject) => {
      options.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      this.gates.push(() => resolve(answer(`echo ${request.request}`)));
    });
  }
}

describe("warm server", () => {
  it("serves generations and reports status on a user-only socket", async () => {
    const backend = new ScriptedBackend("embedded", [answer("ls -la"), answer("du -sh")]);
    await serve(backend);
    expect((await generateViaServer(socketPath, contractRequest("list files"))).command).toBe("ls -la");
    expect((await generateViaServer(socketPath, contractRequest("disk usage"))).command).toBe("du -sh");
    expect(backend.calls.map((call) => call.request)).toEqual(["list files", "disk usage"]);
    const status = await serverStatus(socketPath);
    expect(status).toMatchObject({ pid: process.pid, key: "test", served: 2 });
    expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600);
  });

  it("passes typed errors through", async () => {
    await serve(
      new ScriptedBackend("embedded", [new BackendError("answer_unparseable", "no command in the answer")]),
    );
    await expect(generateViaServer(socketPath, contractRequest("x"))).rejects.toMatchObject({
      code: "answer_unparseable",
      exitCode: 5,
    });
  });

  it("queues concurrent requests from two clients and answers each correctly", async () => {
    const backend = new GatedBackend("embedded", []);
    await serve(backend);
    const first = generateViaServer(socketPath, contractRequest("one"));
    const second = generateViaServer(socketPath, contractRequest("two"));
    await expect.poll(() => backend.gates.length).toBe(1);
    backend.gates[0]?.();
    await expect.poll(() => backend.gates.length).toBe(2);
    backend.gates[1]?.();
    expect((await first).command).toBe("echo one");
    expect((await second).command).toBe("echo two");
  });

  it("aborts a generation when the client cancels", async () => {
    const backend = new GatedBackend("embedded", []);
    await serve(backend);
    const controller = new AbortController();
    const pending = generateViaServer(socketPath, contractRequest("slow"), { signal: controller.signal });
    await expect.poll(() => backend.gates.length).toBe(1);
    controller.abort();
    const error: unknown = await pending.catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
  });

  it("stops on request, after the idle timeout, and when its socket file disappears", async () => {
    const stopped = await serve(new ScriptedBackend("embedded", []));
    expect(await stopServer(socketPath)).toBe(true);
    await stopped.closed;
    expect(fs.existsSync(socketPath)).toBe(false);
    expect(await serverStatus(socketPath)).toBeUndefined();

    const idle = await serve(new ScriptedBackend("embedded", []), 50);
    await idle.closed;
    expect(fs.existsSync(socketPath)).toBe(false);

    const watched = await serve(new ScriptedBackend("embedded", []), 0, 20);
    fs.rmSync(socketPath);
    await watched.closed;

    const model = path.join(directory, "model.gguf");
    fs.writeFileSync(model, "GGUF");
    running = await serveBackend({
      backend: new ScriptedBackend("embedded", []),
      socketPath,
      key: "test",
      version: "0.0.0",
      idleTimeoutMs: 0,
      watchdogIntervalMs: 20,
      watchedFiles: [model],
    });
    fs.rmSync(model);
    await running.closed;
    expect(fs.existsSync(socketPath)).toBe(false);
  });

  it("replaces a stale socket file left by a dead server", async () => {
    fs.writeFileSync(socketPath, "");
    await serve(new ScriptedBackend("embedded", [answer("pwd")]));
    expect((await generateViaServer(socketPath, contractRequest("where am i"))).command).toBe("pwd");
  });
});

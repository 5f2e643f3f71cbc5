import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Backend, GenerateOptions, GenerationRequest, GenerationResult } from "../backends/backend.js";
import { makeTemporaryHome } from "../../test/support/run-built-cli.js";
import type { BackendPool } from "./backend-pool.js";
import type * as CreateAssessorModule from "./create-assessor.js";
import { createRequestGenerator } from "./request-generator.js";
import { loadRequestSetup } from "./request-setup.js";

/** Each call of createAssessor, in order, beside the real engine it still builds. */
const engineLoads = vi.hoisted(() => ({ count: 0 }));
vi.mock("./create-assessor.js", async (importOriginal) => {
  const actual = await importOriginal<typeof CreateAssessorModule>();
  return {
    ...actual,
    createAssessor: (...args: Parameters<typeof actual.createAssessor>) => {
      engineLoads.count += 1;
      return actual.createAssessor(...args);
    },
  };
});

vi.setConfig({ testTimeout: 60_000 });

/** A backend that notes how many engine loads had started when it got the request and when it had it out. */
class DispatchingBackend implements Backend {
  readonly name = "ollama" as const;
  readonly seen: { atCall: number; afterDispatch: number }[] = [];

  constructor(private readonly dispatches: boolean) {}

  generate(_request: GenerationRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
    const atCall = engineLoads.count;
    if (this.dispatches) options.onDispatched?.();
    this.seen.push({ atCall, afterDispatch: engineLoads.count });
    return Promise.resolve({ command: "ls -la", model: "m", timingsMs: { generate: 1 } });
  }

  isAvailable() {
    return Promise.resolve({ available: true as const });
  }

  describe() {
    return { name: this.name, model: "m" };
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

let home: ReturnType<typeof makeTemporaryHome>;
beforeEach(() => {
  home = makeTemporaryHome();
  fs.mkdirSync(path.join(home.root, "work"));
  engineLoads.count = 0;
});
afterEach(() => {
  home.cleanup();
});

async function generateWith(backend: DispatchingBackend, logs: string[]) {
  const setup = await loadRequestSetup({
    flags: { backend: "ollama", model: "m", shell: "bash" },
    env: { ...home.env, PATH: process.env.PATH },
    cwd: path.join(home.root, "work"),
  });
  const pool = { get: () => Promise.resolve(backend) } as unknown as BackendPool;
  const generator = createRequestGenerator(setup, {
    request: "list the files here",
    terminal: false,
    signal: new AbortController().signal,
    pool,
    log: (line) => logs.push(line),
    notice: () => undefined,
  });
  return generator.generate({ wantExplanation: false });
}

describe("createRequestGenerator", () => {
  it("loads the safety engine once the backend has the request, not before it", async () => {
    const backend = new DispatchingBackend(true);
    const logs: string[] = [];
    const outcome = await generateWith(backend, logs);
    expect(backend.seen).toEqual([{ atCall: 0, afterDispatch: 1 }]);
    expect(engineLoads.count).toBe(1);
    expect(outcome.risk.level).toBe("safe");
    expect(logs.some((line) => /^safety engine ready in \d+ ms$/.test(line))).toBe(true);
  });

  it("still loads the engine for the verdict when the backend never says it has the request", async () => {
    const backend = new DispatchingBackend(false);
    const outcome = await generateWith(backend, []);
    expect(backend.seen).toEqual([{ atCall: 0, afterDispatch: 0 }]);
    expect(engineLoads.count).toBe(1);
    expect(outcome.risk.level).toBe("safe");
  });
});

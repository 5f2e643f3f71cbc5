/**
 * A scripted test double for the core pipeline's unit tests: it answers from a script and records every
 * request it receives. Backend adapters themselves are tested against real loopback servers and real models.
 */
import type {
  Backend,
  GenerateOptions,
  GenerationRequest,
  GenerationResult,
} from "../../src/backends/backend.js";
import type { BackendName } from "../../src/config/schema.js";

export type ScriptStep = GenerationResult | Error;

export class ScriptedBackend implements Backend {
  readonly calls: GenerationRequest[] = [];
  disposed = 0;

  constructor(
    readonly name: BackendName,
    private readonly script: ScriptStep[],
  ) {}

  generate(request: GenerationRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
    this.calls.push(request);
    if (options.signal?.aborted === true) return Promise.reject(new DOMException("aborted", "AbortError"));
    const step = this.script.shift();
    if (step === undefined) return Promise.reject(new Error("script exhausted"));
    if (step instanceof Error) return Promise.reject(step);
    // Streams the answer as a model would, a few characters at a time.
    const answer = JSON.stringify({ command: step.command });
    for (let end = 4; end < answer.length + 4; end += 4) options.onText?.(answer.slice(0, end));
    return Promise.resolve(step);
  }

  isAvailable() {
    return Promise.resolve({ available: true as const });
  }

  describe() {
    return { name: this.name, model: "scripted" };
  }

  dispose(): Promise<void> {
    this.disposed += 1;
    return Promise.resolve();
  }
}

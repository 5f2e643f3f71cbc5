import { describe, expect, it } from "vitest";
import { phaseMs, requestPhases } from "./cold-phases.js";

const COLD = [
  "cmdai: started in 120 ms, settings read in 9 ms",
  "cmdai: safety engine ready in 64 ms",
  "cmdai: backend: embedded (model.gguf)",
  "cmdai: embedded: load phases: import 410 ms, llama.cpp start 300 ms (the addon tested before), model check 6 ms (beside them), weights 3700 ms (mapped), chat wrapper 21 ms",
  "cmdai: embedded: reused saved prompt state a.state",
  "cmdai: embedded: generation phases: render 4 ms, context 40 ms, prefix 90 ms, grammar 2 ms, prompt 31 tokens 380 ms, answer 27 more tokens 1000 ms",
  "cmdai: answered by embedded (model.gguf) in 6200 ms; 300 prompt tokens (269 cached), 28 answer tokens; level safe, decision allow (judged in 12 ms)",
  "cmdai: preview: reads 3 files (5 ms)",
  "",
].join("\n");

describe("requestPhases", () => {
  it("reads every phase and leaves the unnamed time as the rest", () => {
    const phases = requestPhases(COLD, 6400);
    expect(phases.phases.map(([name]) => name)).toEqual([
      "node and cmdai's modules",
      "settings",
      "safety engine load (beside the backend)",
      "import node-llama-cpp",
      "llama.cpp start (getLlama, or the addon it tested before)",
      "model file check (beside them)",
      "weights",
      "chat wrapper",
      "render the prompt",
      "createContext",
      "system prefix (saved state or evaluated)",
      "grammar",
      "prompt evaluation",
      "generation",
      "safety check",
      "effect preview",
    ]);
    expect(phaseMs(phases, "weights")).toBe(3700);
    // 120+9+3700+21+4+40+90+2+380+1000+12+5 = 5383 in sequence, plus max(410+300, 6) beside each other; the
    // safety engine loads beside the backend.
    expect(phases.restMs).toBe(6400 - 5383 - 710);
  });

  it("counts the model check when it outlasts the runtime's start", () => {
    const slowCheck = COLD.replace("model check 6 ms", "model check 900 ms");
    expect(requestPhases(slowCheck, 6400).restMs).toBe(6400 - 5383 - 900);
  });

  it("leaves out what a warm request does not log", () => {
    const warm = requestPhases("cmdai: started in 100 ms, settings read in 5 ms\n", 900);
    expect(phaseMs(warm, "weights")).toBeUndefined();
    expect(warm.restMs).toBe(795);
  });
});

/**
 * Speculative decoding in the embedded backend (`embedded.speculative`): predictions are checked by the model,
 * so every mode gives the answer `off` gives; the log line shows the predictor actually ran.
 */
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ModelError } from "../../errors.js";
import type { Config } from "../../config/schema.js";
import { contractRequest } from "../../../test/support/backend-contract.js";
import { testBackendSettings, testModelPath, testTempDir } from "../../../test/support/test-model.js";
import { createEmbeddedBackend } from "./embedded-backend.js";

vi.setConfig({ testTimeout: 180_000 });

interface Run {
  command: string;
  predictions: { validated: number; refuted: number } | undefined;
}

async function answer(embedded: Partial<Config["embedded"]>, request = "find large log files"): Promise<Run> {
  const settings = testBackendSettings({ model: testModelPath(), embedded: { temperature: 0, ...embedded } });
  const logs: string[] = [];
  settings.log = (line) => logs.push(line);
  const backend = createEmbeddedBackend(settings);
  try {
    const result = await backend.generate(contractRequest(request));
    const line = logs.find((entry) => entry.startsWith("embedded: speculative"));
    const match = line === undefined ? null : /(\d+) predictions validated, (\d+) refuted/.exec(line);
    return {
      command: result.command,
      predictions: match === null ? undefined : { validated: Number(match[1]), refuted: Number(match[2]) },
    };
  } finally {
    await backend.dispose();
  }
}

describe("embedded speculative decoding", () => {
  it("predicts nothing when off", async () => {
    expect((await answer({ speculative: "off" })).predictions).toBeUndefined();
  });

  it("gives the same answer with prompt lookup, and the lookup predictor runs", async () => {
    const off = await answer({ speculative: "off" });
    const lookup = await answer({ speculative: "lookup" });
    expect(lookup.command).toBe(off.command);
    expect(lookup.predictions).toBeDefined();
  });

  it("validates the predictions of a draft with the model's own weights, with the grammar kept in the draft", async () => {
    const warn = vi.spyOn(console, "warn");
    try {
      const off = await answer({ speculative: "off" });
      const draft = await answer({ speculative: "draft", draft_model: testModelPath() });
      expect(draft.command).toBe(off.command);
      // Not all: random weights give nearly flat logits, whose argmax differs between the draft's single-token
      // steps and the model's batched check; the grammar is not the cause any more.
      expect(draft.predictions?.validated).toBeGreaterThan(0);
      const dropped = warn.mock.calls
        .flat()
        .some((part) => String(part).includes("incompatible with the grammar"));
      expect(dropped).toBe(false);
    } finally {
      warn.mockRestore();
    }
  });

  it("keeps the answer with a draft of unrelated weights (same tokenizer)", async () => {
    const off = await answer({ speculative: "off" });
    const unrelated = await answer({ speculative: "draft", draft_model: testModelPath({ seed: 7 }) });
    expect(unrelated.command).toBe(off.command);
    expect(unrelated.predictions?.refuted).toBeGreaterThan(0);
  });

  it("fails with a model error naming the draft when the draft file is missing", async () => {
    const missing = path.join(testTempDir(), "no-such-draft.gguf");
    const caught = await answer({ speculative: "draft", draft_model: missing }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(caught).toBeInstanceOf(ModelError);
    expect((caught as ModelError).message).toContain("no-such-draft.gguf");
  });
});

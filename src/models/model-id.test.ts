import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { deriveModelId, isValidModelId, normalizeModelId } from "./model-id.js";

describe("deriveModelId", () => {
  it.each([
    ["my-model.Q4_K_M.gguf", "my-model"],
    ["/home/me/Downloads/My-Model.Q4_K_M.gguf", "my-model"],
    ["qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "qwen2.5-coder-1.5b-instruct"],
    ["Llama-3.2-1B-Instruct-IQ4_XS.gguf", "llama-3.2-1b-instruct"],
    ["phi-3-mini_Q8_0.gguf", "phi-3-mini"],
    ["tinyllama.f16.gguf", "tinyllama"],
    ["gemma.BF16.GGUF", "gemma"],
    ["plain.gguf", "plain"],
    ["My Model (final).gguf", "my-model-final"],
    ["Q4_K_M.gguf", "q4_k_m"],
    ["__weird__.gguf", "weird"],
  ])("%s → %s", (file, id) => {
    expect(deriveModelId(file)).toBe(id);
  });

  it.each(["___.gguf", ".gguf", "ÄÖÜ.gguf"])("gives up on %s (the caller asks for --as)", (file) => {
    expect(deriveModelId(file)).toBeUndefined();
  });

  it("keeps ids within 64 characters", () => {
    const id = deriveModelId(`${"a".repeat(100)}.gguf`);
    expect(id?.length).toBe(64);
  });
});

describe("normalizeModelId", () => {
  it("lower-cases a valid id", () => {
    expect(normalizeModelId(" My-Model ")).toBe("my-model");
    expect(isValidModelId("qwen2.5-coder")).toBe(true);
  });

  it.each(["", "../evil", "a/b", "a b", "-lead", "trail-", "x.gguf", "hf:acme", "a".repeat(65), "C:model"])(
    "rejects %j with a usage error naming the rules",
    (text) => {
      expect(() => normalizeModelId(text)).toThrow(UsageError);
      expect(() => normalizeModelId(text)).toThrow(/not a valid model id/);
    },
  );
});

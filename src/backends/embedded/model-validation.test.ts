import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ModelError } from "../../errors.js";
import { testModelPath, testTempDir } from "../../../test/support/test-model.js";
import { validateModelFile } from "./model-validation.js";

function copyWith(name: string, mutate: (bytes: Buffer) => Buffer): string {
  const target = path.join(testTempDir(), name);
  fs.writeFileSync(target, mutate(fs.readFileSync(testModelPath())));
  return target;
}

async function rejection(filePath: string): Promise<ModelError> {
  const error: unknown = await validateModelFile(filePath).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelError);
  return error as ModelError;
}

describe("validateModelFile", () => {
  it("accepts the synthetic model and reports what it read", async () => {
    const validated = await validateModelFile(testModelPath());
    expect(validated).toMatchObject({ architecture: "qwen2", contextLength: 4096 });
    expect(validated.sizeBytes).toBe(fs.statSync(testModelPath()).size);
  });

  it.each([
    ["in the magic", 3],
    ["in the metadata", 5_000],
    ["in the tensor-info table", 12_000],
    ["in the tensor data", 200_000],
    ["one byte short", -1],
  ])("rejects a copy truncated %s", async (_where, cut) => {
    const truncated = copyWith(`truncated-${cut}.gguf`, (bytes) =>
      bytes.subarray(0, cut < 0 ? bytes.length + cut : cut),
    );
    const error = await rejection(truncated);
    expect(error.code).toBe("model_invalid");
    expect(error.message).toContain(truncated);
    expect(error.hint).toContain("--model");
  });

  it("rejects a file whose magic is flipped", async () => {
    const flipped = copyWith("flipped.gguf", (bytes) => {
      const copy = Buffer.from(bytes);
      copy.write("FUGG", 0, "latin1");
      return copy;
    });
    const error = await rejection(flipped);
    expect(error.code).toBe("model_invalid");
    expect(error.message).toMatch(/magic/);
  });

  it.each([
    "qwen2.feed_forward_length",
    "qwen2.context_length",
    "qwen2.embedding_length",
    "qwen2.block_count",
    "qwen2.attention.head_count",
    "tokenizer.ggml.model",
    "tokenizer.ggml.tokens",
    "tokenizer.ggml.merges",
    "general.architecture",
  ])("rejects a model without %s", async (key) => {
    const error = await rejection(testModelPath({ omitKeys: [key] }));
    expect(error.code).toBe("model_invalid");
    expect(error.message).toContain(key.replace(/^qwen2\./, ""));
  });

  it("rejects an unsupported architecture", async () => {
    const error = await rejection(testModelPath({ architecture: "mamba" }));
    expect(error.code).toBe("model_invalid");
    expect(error.message).toMatch(/architecture "mamba" is not supported/);
  });

  it("reports a missing file as model_not_found, naming the path", async () => {
    const missing = path.join(testTempDir(), "absent.gguf");
    const error = await rejection(missing);
    expect(error.code).toBe("model_not_found");
    expect(error.message).toContain(missing);
    expect(error.exitCode).toBe(5);
  });
});

import path from "node:path";
import { describe, expect, it } from "vitest";
import { ModelError } from "../../errors.js";
import { testModelPath, testTempDir } from "../../../test/support/test-model.js";
import { resolveLocalModelPath } from "./model-path.js";

async function rejection(reference: string | undefined): Promise<ModelError> {
  const error: unknown = await resolveLocalModelPath(reference, {}).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelError);
  expect((error as ModelError).code).toBe("model_not_found");
  expect((error as ModelError).exitCode).toBe(5);
  return error as ModelError;
}

describe("resolveLocalModelPath", () => {
  it("returns an existing local file as an absolute path", async () => {
    const relative = path.relative(process.cwd(), testModelPath());
    expect(await resolveLocalModelPath(relative, {})).toBe(testModelPath());
  });

  it("names a missing local file", async () => {
    const missing = path.join(testTempDir(), "nope.gguf");
    expect((await rejection(missing)).message).toContain(missing);
  });

  it.each([
    undefined,
    "qwen2.5-coder-1.5b",
    "hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/model.gguf",
    "https://x/m.gguf",
  ])("points %s at --model /path/to/model.gguf", async (reference) => {
    expect((await rejection(reference)).hint).toContain("--model /path/to/model.gguf");
  });
});

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ModelError } from "../../errors.js";
import { testModelPath, testTempDir } from "../../../test/support/test-model.js";
import { validateModelFileCached } from "./validated-model-cache.js";

function records(cache: string): string[] {
  const folder = path.join(cache, "validated-models");
  return fs.existsSync(folder) ? fs.readdirSync(folder).map((name) => path.join(folder, name)) : [];
}

describe("validateModelFileCached", () => {
  it("answers a second check of the same file from the remembered verdict", async () => {
    const cache = fs.mkdtempSync(path.join(testTempDir(), "validated-"));
    const model = path.join(cache, "model.gguf");
    fs.copyFileSync(testModelPath(), model);
    const first = await validateModelFileCached(model, cache);
    const [record] = records(cache);
    expect(record).toBeDefined();
    // Marked, to see that the second answer comes from the record and not from parsing the file.
    fs.writeFileSync(record!, JSON.stringify({ ...first, contextLength: 777 }));
    expect((await validateModelFileCached(model, cache)).contextLength).toBe(777);
  });

  it("checks a file again once it was written, whatever its modification time says", async () => {
    const cache = fs.mkdtempSync(path.join(testTempDir(), "validated-"));
    const model = path.join(cache, "model.gguf");
    fs.copyFileSync(testModelPath(), model);
    const first = await validateModelFileCached(model, cache);
    fs.writeFileSync(records(cache)[0]!, JSON.stringify({ ...first, contextLength: 777 }));
    const { mtime, atime } = fs.statSync(model);
    await new Promise((resolve) => setTimeout(resolve, 20));
    fs.writeFileSync(model, fs.readFileSync(model));
    fs.utimesSync(model, atime, mtime);
    expect((await validateModelFileCached(model, cache)).contextLength).toBe(first.contextLength);
  });

  it("remembers no broken file: it is refused on every check", async () => {
    const cache = fs.mkdtempSync(path.join(testTempDir(), "validated-"));
    const model = path.join(cache, "truncated.gguf");
    const bytes = fs.readFileSync(testModelPath());
    fs.writeFileSync(model, bytes.subarray(0, Math.floor(bytes.length / 2)));
    for (let check = 0; check < 2; check++) {
      await expect(validateModelFileCached(model, cache)).rejects.toBeInstanceOf(ModelError);
    }
    expect(records(cache)).toEqual([]);
  });

  it("still checks when the cache cannot be written", async () => {
    const cache = fs.mkdtempSync(path.join(testTempDir(), "validated-"));
    fs.writeFileSync(path.join(cache, "validated-models"), "a file where the folder should be");
    const validated = await validateModelFileCached(testModelPath(), cache);
    expect(validated.path).toBe(path.resolve(testModelPath()));
  });
});

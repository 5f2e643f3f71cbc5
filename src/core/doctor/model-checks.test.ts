import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configSchema } from "../../config/schema.js";
import type { DoctorContext } from "./doctor-check.js";
import { defaultModelCheck, listModelCache, modelCacheCheck, scanModelCacheStatus } from "./model-checks.js";

let root: string;
let context: DoctorContext;
let models: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-doctor-models-"));
  const env = { XDG_CACHE_HOME: path.join(root, "cache") };
  models = path.join(root, "cache", "cmdai", "models");
  context = {
    config: configSchema.parse({}),
    configFile: { path: path.join(root, "config.toml"), exists: false },
    configWarnings: [],
    env,
    paths: { env, platform: process.platform, homedir: root },
    networkTimeoutMs: 200,
  };
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function writeModel(name: string, content: string | Buffer): string {
  const file = path.join(models, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

describe("default model status from the cache", () => {
  it("is missing when the cache folder does not exist", async () => {
    expect(await scanModelCacheStatus(context)).toMatchObject({ state: "missing", path: models });
    const result = await defaultModelCheck().run(context);
    expect(result).toMatchObject({ status: "warn" });
    expect(JSON.stringify(result)).toContain("--model PATH");
  });

  it("sees an interrupted download", async () => {
    writeModel("qwen/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf.part", "GGUF partial");
    expect(await scanModelCacheStatus(context)).toMatchObject({ state: "partial" });
  });

  it("accepts a file with the GGUF header, in a subfolder", async () => {
    const file = writeModel("qwen/model.gguf", Buffer.concat([Buffer.from("GGUF"), Buffer.alloc(60)]));
    expect(await scanModelCacheStatus(context)).toMatchObject({ state: "present", path: file });
    expect(await defaultModelCheck().run(context)).toMatchObject({ status: "ok" });
  });

  it("fails on a .gguf file without the GGUF header", async () => {
    writeModel("model.gguf", "<html>rate limited</html>");
    const result = await defaultModelCheck().run(context);
    expect(result).toMatchObject({ status: "fail" });
    expect(JSON.stringify(result)).toContain("model.gguf");
  });

  it("is not needed when the backend is a server and embedded is no fallback", async () => {
    context.config = configSchema.parse({ backend: "ollama" });
    expect(await defaultModelCheck().run(context)).toMatchObject({ status: "ok" });
  });

  it("takes another status provider, such as the catalog's checksum verification", async () => {
    const check = defaultModelCheck(() =>
      Promise.resolve({ model: "qwen2.5-coder-1.5b", state: "verified", path: "/models/q.gguf" }),
    );
    const result = await check.run(context);
    expect(result).toMatchObject({ status: "ok" });
    expect(JSON.stringify(result)).toMatch(/checksum verified/);
  });
});

describe("model cache listing", () => {
  it("lists models and partial downloads with sizes, and reports free space", async () => {
    writeModel("a.gguf", "GGUF1234");
    writeModel("b.gguf.ipull", "GG");
    writeModel("notes.txt", "ignored");
    expect(await listModelCache(models)).toEqual([
      { name: "a.gguf", bytes: 8, partial: false },
      { name: "b.gguf.ipull", bytes: 2, partial: true },
    ]);
    const result = await modelCacheCheck.run(context);
    const single = Array.isArray(result) ? result[0] : result;
    expect(single?.message).toMatch(/1 model file\(s\), 1 partial download\(s\)/);
    expect(single?.details).toMatchObject({ freeBytes: expect.any(Number) as unknown });
  });
});

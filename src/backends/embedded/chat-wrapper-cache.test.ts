import fs from "node:fs";
import path from "node:path";
import * as library from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { testModelPath, testTempDir } from "../../../test/support/test-model.js";
import { CHAT_WRAPPER_CACHE_FILE, resolveChatWrapperCached } from "./chat-wrapper-cache.js";

vi.setConfig({ testTimeout: 120_000 });

let model: library.LlamaModel;

beforeAll(async () => {
  const llama = await library.getLlama({
    build: "never",
    gpu: false,
    maxThreads: 1,
    logLevel: library.LlamaLogLevel.error,
  });
  model = await llama.loadModel({ modelPath: testModelPath() });
});

afterAll(async () => {
  await model.dispose();
});

function render(wrapper: library.ChatWrapper): number[] {
  return wrapper
    .generateContextState({
      chatHistory: [
        { type: "system", text: "sys" },
        { type: "user", text: "hi" },
        { type: "model", response: [] },
      ],
    })
    .contextText.tokenize(model.tokenizer);
}

describe("resolveChatWrapperCached", () => {
  it("remembers the automatic choice by type, and the remembered wrapper renders the same tokens", async () => {
    const directory = path.join(testTempDir(), "chat-wrapper-cache");
    const automatic = library.resolveChatWrapper(model);
    const first = await resolveChatWrapperCached(library, model, directory, () => undefined);
    const cache = JSON.parse(
      fs.readFileSync(path.join(directory, CHAT_WRAPPER_CACHE_FILE), "utf8"),
    ) as Record<string, string>;
    const types = Object.values(cache);
    expect(types).toHaveLength(1);
    expect(library.specializedChatWrapperTypeNames as readonly string[]).toContain(types[0]);
    const second = await resolveChatWrapperCached(library, model, directory, () => undefined);
    expect(second.constructor).toBe(automatic.constructor);
    expect(render(first)).toEqual(render(automatic));
    expect(render(second)).toEqual(render(automatic));
  });

  it.each([
    ["a corrupt file", "{not json"],
    ["an unknown type", "UNKNOWN_TYPE"],
  ])("ignores %s and falls back to the automatic choice", async (_name, content) => {
    const directory = path.join(testTempDir(), `chat-wrapper-cache-${Math.random().toString(36).slice(2)}`);
    fs.mkdirSync(directory, { recursive: true });
    const file = path.join(directory, CHAT_WRAPPER_CACHE_FILE);
    if (content === "UNKNOWN_TYPE") {
      await resolveChatWrapperCached(library, model, directory, () => undefined);
      const cache = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
      for (const key of Object.keys(cache)) cache[key] = "noSuchWrapper";
      fs.writeFileSync(file, JSON.stringify(cache));
    } else {
      fs.writeFileSync(file, content);
    }
    const wrapper = await resolveChatWrapperCached(library, model, directory, () => undefined);
    expect(render(wrapper)).toEqual(render(library.resolveChatWrapper(model)));
    // The file is usable again afterwards.
    expect(Object.values(JSON.parse(fs.readFileSync(file, "utf8")) as object)).not.toContain("noSuchWrapper");
  });
});

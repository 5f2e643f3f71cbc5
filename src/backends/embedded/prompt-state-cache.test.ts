import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testTempDir } from "../../../test/support/test-model.js";
import {
  MAX_SAVED_STATES,
  PromptStateCache,
  promptStateKey,
  type PromptStateIdentity,
} from "./prompt-state-cache.js";

const identity: PromptStateIdentity = {
  modelPath: "/models/a.gguf",
  modelSizeBytes: 1000,
  modelModifiedMs: 1,
  runtime: "llama.cpp@b1",
  promptTemplateVersion: 1,
  prefixTokens: [1, 2, 3],
};

function freshCache(): { cache: PromptStateCache; directory: string } {
  const directory = fs.mkdtempSync(path.join(testTempDir(), "state-"));
  return { cache: new PromptStateCache(directory), directory };
}

async function storeBytes(cache: PromptStateCache, key: string, bytes: string): Promise<void> {
  await cache.store(key, 3, async (temporaryPath) => {
    await fs.promises.writeFile(temporaryPath, bytes);
  });
}

describe("promptStateKey", () => {
  it.each<[string, Partial<PromptStateIdentity>]>([
    ["model path", { modelPath: "/models/b.gguf" }],
    ["model size", { modelSizeBytes: 1001 }],
    ["model mtime", { modelModifiedMs: 2 }],
    ["runtime", { runtime: "llama.cpp@b2" }],
    ["template version", { promptTemplateVersion: 2 }],
    ["prefix tokens", { prefixTokens: [1, 2, 4] }],
  ])("changes with the %s", (_name, change) => {
    expect(promptStateKey({ ...identity, ...change })).not.toBe(promptStateKey(identity));
  });

  it("is stable", () => {
    expect(promptStateKey({ ...identity })).toBe(promptStateKey(identity));
  });
});

describe("PromptStateCache", () => {
  it("finds a stored state and leaves no temporary files", async () => {
    const { cache, directory } = freshCache();
    await storeBytes(cache, "k1", "state bytes");
    expect(await cache.find("k1", 3)).toBe(cache.statePath("k1"));
    expect(fs.readdirSync(directory).sort()).toEqual(["k1.json", "k1.state"]);
  });

  it("drops a corrupted state so it is rebuilt", async () => {
    const { cache, directory } = freshCache();
    await storeBytes(cache, "k1", "state bytes");
    fs.writeFileSync(cache.statePath("k1"), "state bytez");
    expect(await cache.find("k1", 3)).toBeUndefined();
    expect(fs.readdirSync(directory)).toEqual([]);
  });

  it("drops a truncated state, a state without manifest and a garbled manifest", async () => {
    const { cache } = freshCache();
    await storeBytes(cache, "k1", "state bytes");
    fs.truncateSync(cache.statePath("k1"), 4);
    expect(await cache.find("k1", 3)).toBeUndefined();

    fs.writeFileSync(cache.statePath("k2"), "orphan");
    expect(await cache.find("k2", 3)).toBeUndefined();
    expect(fs.existsSync(cache.statePath("k2"))).toBe(false);

    await storeBytes(cache, "k3", "state bytes");
    fs.writeFileSync(path.join(path.dirname(cache.statePath("k3")), "k3.json"), "{not json");
    expect(await cache.find("k3", 3)).toBeUndefined();
  });

  it("rejects a state whose token count differs", async () => {
    const { cache } = freshCache();
    await storeBytes(cache, "k1", "state bytes");
    expect(await cache.find("k1", 4)).toBeUndefined();
  });

  it("keeps nothing when saving fails", async () => {
    const { cache, directory } = freshCache();
    await expect(
      cache.store("k1", 3, async (temporaryPath) => {
        await fs.promises.writeFile(temporaryPath, "half");
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(fs.readdirSync(directory)).toEqual([]);
  });

  it(`keeps at most ${MAX_SAVED_STATES} states`, async () => {
    const { cache, directory } = freshCache();
    for (let index = 0; index < MAX_SAVED_STATES + 3; index++) await storeBytes(cache, `k${index}`, "x");
    expect(fs.readdirSync(directory).filter((name) => name.endsWith(".state"))).toHaveLength(
      MAX_SAVED_STATES,
    );
  });

  /** A cache of at most 2 states holding `keys`, written seconds apart, oldest first. */
  async function cacheOfTwo(
    keys: string[],
  ): Promise<{ cache: PromptStateCache; directory: string; kept: () => string[] }> {
    const directory = fs.mkdtempSync(path.join(testTempDir(), "prompt-state-limit-"));
    const cache = new PromptStateCache(directory, 2);
    for (const [index, key] of keys.entries()) {
      await storeBytes(cache, key, key);
      // Seconds apart: file times can be coarser than the writes are apart.
      const when = new Date(Date.now() - 1000 * (keys.length - index));
      fs.utimesSync(path.join(directory, `${key}.state`), when, when);
    }
    const kept = () =>
      fs
        .readdirSync(directory)
        .filter((name) => name.endsWith(".state"))
        .sort();
    return { cache, directory, kept };
  }

  it("keeps the limit it was given, the newest states first", async () => {
    const { cache, kept } = await cacheOfTwo(["old", "middle", "new"]);
    await storeBytes(cache, "newest", "n");
    expect(kept()).toEqual(["new.state", "newest.state"]);
  });

  it("prunes the states used last, not the ones written last", async () => {
    const { cache, directory, kept } = await cacheOfTwo(["first", "second"]);
    // The oldest written one is found again, so the other is the least recently used.
    expect(await cache.find("first", 3)).toBe(path.join(directory, "first.state"));
    await storeBytes(cache, "third", "3");
    expect(kept()).toEqual(["first.state", "third.state"]);
  });
});

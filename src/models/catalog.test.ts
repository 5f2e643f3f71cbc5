import { describe, expect, it } from "vitest";
import { CATALOG, DEFAULT_MODEL_ID, defaultCatalogEntry, formatBytes, recommendModel } from "./catalog.js";

const GIB = 1024 ** 3;

describe("catalog", () => {
  it("holds the four Qwen2.5-Coder sizes with their published NL2SH-ALFA scores", () => {
    expect(CATALOG.map((entry) => [entry.id, entry.nl2shAlfa])).toEqual([
      ["qwen2.5-coder-0.5b", 0.36],
      ["qwen2.5-coder-1.5b", 0.5],
      ["qwen2.5-coder-3b", 0.58],
      ["qwen2.5-coder-7b", 0.62],
    ]);
    expect(defaultCatalogEntry().reference).toBe(
      "hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    );
    expect(DEFAULT_MODEL_ID).toBe("qwen2.5-coder-1.5b");
    for (const entry of CATALOG) {
      expect(entry.memoryBytes).toBeGreaterThan(entry.sizeBytes);
      expect(entry.licence).not.toBe("");
    }
  });

  it.each([
    [{ freeMemoryBytes: 0.5 * GIB }, "qwen2.5-coder-0.5b"],
    [{ freeMemoryBytes: 2 * GIB }, "qwen2.5-coder-0.5b"],
    [{ freeMemoryBytes: 4 * GIB }, "qwen2.5-coder-1.5b"],
    [{ freeMemoryBytes: 64 * GIB }, "qwen2.5-coder-1.5b"],
    [{ freeMemoryBytes: 8 * GIB, freeVramBytes: 5 * GIB }, "qwen2.5-coder-3b"],
    [{ freeMemoryBytes: 8 * GIB, freeVramBytes: 24 * GIB }, "qwen2.5-coder-7b"],
  ])("recommends for %o: %s", (memory, expected) => {
    const recommendation = recommendModel(memory);
    expect(recommendation.entry.id).toBe(expected);
    expect(recommendation.reason).not.toBe("");
  });

  it("formats byte counts", () => {
    expect(formatBytes(12)).toBe("12 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(1066 * 1024 * 1024)).toBe("1.0 GiB");
  });
});

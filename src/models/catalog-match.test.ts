import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "./catalog.js";
import { findCatalogEntry } from "./catalog.js";
import { catalogCandidatesBySize, catalogMismatch, findCatalogMatch } from "./catalog-match.js";

const MIB = 1024 * 1024;
const base: CatalogEntry = {
  id: "test-model",
  reference: "hf:acme/test/test.gguf",
  description: "",
  sizeBytes: 100 * MIB,
  memoryBytes: 200 * MIB,
  licence: "MIT",
  nl2shAlfa: 0.1,
};
const exact: CatalogEntry = { ...base, id: "exact-model", file: { sizeBytes: 1234, sha256: "a".repeat(64) } };

describe("catalogMismatch", () => {
  it("accepts a file near the rounded size of an entry without an exact record", () => {
    expect(catalogMismatch(base, { sizeBytes: 97 * MIB })).toBeUndefined();
    expect(catalogMismatch(base, { sizeBytes: 104 * MIB, sha256: "b".repeat(64) })).toBeUndefined();
  });

  it("refuses a file of another size class, naming both sizes", () => {
    expect(catalogMismatch(base, { sizeBytes: 400 * 1024 })).toMatch(
      /400\.0 KiB .* 100\.0 MiB of test-model/,
    );
    expect(catalogMismatch(base, { sizeBytes: 160 * MIB })).toBeDefined();
  });

  it("compares the exact size and SHA-256 when the entry records them", () => {
    expect(catalogMismatch(exact, { sizeBytes: 1234, sha256: "a".repeat(64) })).toBeUndefined();
    expect(catalogMismatch(exact, { sizeBytes: 1235 })).toMatch(/size 1235 bytes differs from the 1234/);
    expect(catalogMismatch(exact, { sizeBytes: 1234, sha256: "c".repeat(64) })).toMatch(/SHA-256 c+ differs/);
  });

  it("checks the real catalog's default entry by its rounded size", () => {
    const entry = findCatalogEntry("qwen2.5-coder-1.5b");
    expect(entry).toBeDefined();
    if (entry === undefined) return;
    expect(catalogMismatch(entry, { sizeBytes: entry.sizeBytes })).toBeUndefined();
    expect(catalogMismatch(entry, { sizeBytes: 431_168 })).toBeDefined();
  });
});

describe("findCatalogMatch", () => {
  it("matches only an entry whose recorded file has the same size and digest", () => {
    const catalog = [base, exact];
    expect(findCatalogMatch({ sizeBytes: 1234, sha256: "a".repeat(64) }, catalog)?.id).toBe("exact-model");
    expect(findCatalogMatch({ sizeBytes: 1234, sha256: "b".repeat(64) }, catalog)).toBeUndefined();
    expect(findCatalogMatch({ sizeBytes: 100 * MIB, sha256: "a".repeat(64) }, catalog)).toBeUndefined();
    expect(catalogCandidatesBySize(1234, catalog).map((entry) => entry.id)).toEqual(["exact-model"]);
    expect(catalogCandidatesBySize(100 * MIB, catalog)).toEqual([]);
  });
});

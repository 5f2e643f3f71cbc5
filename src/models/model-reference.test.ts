import path from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { CATALOG, DEFAULT_MODEL_ID } from "./catalog.js";
import { expandSplitFileNames, formatModelReference, parseModelReference } from "./model-reference.js";

describe("parseModelReference", () => {
  it.each([
    [
      "qwen2.5-coder-1.5b",
      {
        kind: "hf",
        repo: "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        file: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        revision: "main",
        catalogId: "qwen2.5-coder-1.5b",
      },
    ],
    [
      "hf:acme/tiny-gguf/model.gguf",
      { kind: "hf", repo: "acme/tiny-gguf", file: "model.gguf", revision: "main", files: ["model.gguf"] },
    ],
    [
      "hf:acme/tiny-gguf/sub/dir/model.gguf@v1.2",
      { kind: "hf", repo: "acme/tiny-gguf", file: "sub/dir/model.gguf", revision: "v1.2" },
    ],
    ["https://example.com/models/x.gguf", { kind: "url", url: "https://example.com/models/x.gguf" }],
    ["/opt/models/x.gguf", { kind: "local", path: path.resolve("/opt/models/x.gguf") }],
    ["./x.gguf", { kind: "local", path: path.resolve("/work", "x.gguf") }],
    ["x.gguf", { kind: "local", path: path.resolve("/work", "x.gguf") }],
  ])("%s", (text, expected) => {
    expect(parseModelReference(text, "/work")).toMatchObject(expected);
  });

  it("expands a split GGUF from any part, first part first", () => {
    const reference = parseModelReference("hf:acme/big/model-00003-of-00003.gguf");
    expect(reference).toMatchObject({
      file: "model-00001-of-00003.gguf",
      files: ["model-00001-of-00003.gguf", "model-00002-of-00003.gguf", "model-00003-of-00003.gguf"],
    });
    const url = parseModelReference("https://example.com/a/m-00001-of-00002.gguf?download=1");
    expect(url).toMatchObject({
      urls: [
        "https://example.com/a/m-00001-of-00002.gguf?download=1",
        "https://example.com/a/m-00002-of-00002.gguf?download=1",
      ],
    });
    expect(expandSplitFileNames("plain.gguf")).toEqual(["plain.gguf"]);
  });

  it.each(["hf:acme", "hf:acme/repo", "hf:acme/repo/file.gguf@", "hf:acme/../x.gguf", "not a model", "a/b"])(
    "rejects %s with a usage error naming the accepted forms",
    (text) => {
      expect(() => parseModelReference(text)).toThrow(UsageError);
    },
  );

  it("reads any other bare name as the id of an imported model, lower-cased", () => {
    expect(parseModelReference("My-Model")).toEqual({ kind: "imported", id: "my-model" });
    expect(formatModelReference(parseModelReference("my-model"))).toBe("my-model");
    expect(parseModelReference("QWEN2.5-CODER-1.5B")).toMatchObject({
      kind: "hf",
      catalogId: "qwen2.5-coder-1.5b",
    });
  });

  it("formats references back to what `models pull` accepts", () => {
    for (const text of [
      "qwen2.5-coder-7b",
      "hf:acme/tiny-gguf/model.gguf",
      "hf:acme/tiny-gguf/model.gguf@dev",
    ]) {
      expect(formatModelReference(parseModelReference(text))).toBe(text);
    }
  });

  it("resolves every catalog entry, the default included", () => {
    expect(CATALOG.map((entry) => entry.id)).toContain(DEFAULT_MODEL_ID);
    for (const entry of CATALOG) {
      expect(parseModelReference(entry.id)).toMatchObject({ kind: "hf", catalogId: entry.id });
    }
  });
});

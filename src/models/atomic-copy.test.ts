import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  copyFileAtomically,
  linkAtomically,
  removeStaleTemporaries,
  sha256OfFile,
  TEMPORARY_SUFFIX,
} from "./atomic-copy.js";

let folder: string;
const content = Buffer.from(Array.from({ length: 10_000 }, (_, index) => (index * 7919) % 251));
const digest = createHash("sha256").update(content).digest("hex");

beforeEach(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), "cmdai-copy-"));
});
afterEach(async () => {
  await fs.rm(folder, { recursive: true, force: true });
});

describe("copyFileAtomically", () => {
  it("copies the bytes, reports their SHA-256 and leaves only the destination", async () => {
    const source = path.join(folder, "source.gguf");
    await fs.writeFile(source, content);
    const destination = path.join(folder, "cache", "model.gguf");
    await fs.mkdir(path.dirname(destination));
    const progress: number[] = [];
    const copied = await copyFileAtomically(source, destination, {
      chunkBytes: 4096,
      onProgress: (done) => progress.push(done),
    });
    expect(copied).toEqual({ sizeBytes: content.length, sha256: digest });
    expect(await fs.readFile(destination)).toEqual(content);
    expect(await fs.readdir(path.dirname(destination))).toEqual(["model.gguf"]);
    expect(progress).toEqual([4096, 8192, 10_000]);
  });

  it("leaves nothing behind and the old file intact when cancelled half-way", async () => {
    const source = path.join(folder, "source.gguf");
    await fs.writeFile(source, content);
    const destination = path.join(folder, "model.gguf");
    await fs.writeFile(destination, "the old model");
    const controller = new AbortController();
    await expect(
      copyFileAtomically(source, destination, {
        chunkBytes: 1024,
        signal: controller.signal,
        onProgress: (done) => {
          if (done >= 4096) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ code: "interrupted" });
    expect((await fs.readdir(folder)).sort()).toEqual(["model.gguf", "source.gguf"]);
    expect(await fs.readFile(destination, "utf8")).toBe("the old model");
  });

  it("leaves nothing behind when the source cannot be read", async () => {
    const destination = path.join(folder, "model.gguf");
    // A folder opens on Linux but fails on read (EISDIR); elsewhere the open fails. Either way: an error.
    await fs.mkdir(path.join(folder, "a-folder"));
    await expect(copyFileAtomically(path.join(folder, "a-folder"), destination)).rejects.toThrow();
    await expect(copyFileAtomically(path.join(folder, "missing.gguf"), destination)).rejects.toThrow();
    expect(await fs.readdir(folder)).toEqual(["a-folder"]);
  });
});

describe("linkAtomically and removeStaleTemporaries", () => {
  it("replaces a file with a symlink to the target", async () => {
    const target = path.join(folder, "original.gguf");
    await fs.writeFile(target, content);
    const destination = path.join(folder, "model.gguf");
    await fs.writeFile(destination, "old");
    await linkAtomically(target, destination);
    expect(await fs.readlink(destination)).toBe(target);
    expect((await sha256OfFile(destination)).sha256).toBe(digest);
    expect((await fs.readdir(folder)).sort()).toEqual(["model.gguf", "original.gguf"]);
  });

  it("removes only the leftovers of imports of that destination", async () => {
    const destination = path.join(folder, "model.gguf");
    const stale = `${destination}.4242.deadbeef${TEMPORARY_SUFFIX}`;
    const other = path.join(folder, `other.gguf.1.cafe${TEMPORARY_SUFFIX}`);
    await fs.writeFile(stale, "half");
    await fs.writeFile(other, "half");
    await removeStaleTemporaries(destination);
    expect(await fs.readdir(folder)).toEqual([path.basename(other)]);
  });
});

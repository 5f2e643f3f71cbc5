import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileIdentity, fileIdentitySync, replaceFile, replaceFileSync } from "./cache-files.js";

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-cache-files-"));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe.each([
  ["replaceFile", (file: string, text: string) => replaceFile(file, text)],
  [
    "replaceFileSync",
    // A throw inside the executor becomes the rejection, as with the asynchronous one.
    (file: string, text: string) =>
      new Promise<void>((resolve) => {
        replaceFileSync(file, text);
        resolve();
      }),
  ],
])("%s", (_name, replace) => {
  it("writes the whole text into a new folder, private to the user, leaving no temporary file", async () => {
    const file = path.join(root, "deep", "er", "record.json");
    await replace(file, '{"a":1}');
    expect(fs.readFileSync(file, "utf8")).toBe('{"a":1}');
    expect(fs.readdirSync(path.dirname(file))).toEqual(["record.json"]);
    if (process.platform !== "win32") expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await replace(file, '{"a":2}');
    expect(fs.readFileSync(file, "utf8")).toBe('{"a":2}');
  });

  it("fails, and leaves the old file, when the folder cannot be written", async () => {
    const blocker = path.join(root, "not-a-folder");
    fs.writeFileSync(blocker, "x");
    await expect(replace(path.join(blocker, "record.json"), "{}")).rejects.toThrow();
    expect(fs.readFileSync(blocker, "utf8")).toBe("x");
  });
});

describe("fileIdentity", () => {
  it("is the same for an unchanged file and changes when the file is written again", async () => {
    const file = path.join(root, "addon.node");
    fs.writeFileSync(file, "one");
    const first = await fileIdentity(file);
    expect(first).toBeDefined();
    expect(fileIdentitySync(file)).toBe(first);
    expect(await fileIdentity(file)).toBe(first);
    fs.writeFileSync(file, "two, longer");
    expect(await fileIdentity(file)).not.toBe(first);
  });

  it("is undefined for a folder or a missing file", async () => {
    expect(await fileIdentity(root)).toBeUndefined();
    expect(fileIdentitySync(path.join(root, "missing"))).toBeUndefined();
  });
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  copyTree,
  loadSetupManifest,
  materializeSetup,
  removeTree,
  setupScript,
} from "./file-system-setup.js";
import { snapshotTree, treeDifferences } from "./tree-snapshot.js";

const folders: string[] = [];
function temporary(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-setup-test-"));
  folders.push(folder);
  return folder;
}
afterEach(async () => {
  for (const folder of folders.splice(0)) await removeTree(folder);
});

describe("file-system setups", () => {
  it("builds a setup with its contents, modes, dates, archives and setup script", async () => {
    const root = temporary();
    materializeSetup(loadSetupManifest("alfa-fs-1"), root);
    expect(fs.readFileSync(path.join(root, "testbed/dir1/textfile1.txt"), "utf8")).toBe("Hello, World!\n");
    expect(fs.statSync(path.join(root, "testbed/dir1/perms.txt")).mode & 0o7777).toBe(0o1553);
    expect(fs.statSync(path.join(root, "testbed/recent.txt")).mtime.toISOString()).toBe(
      "2023-05-31T23:59:59.000Z",
    );
    expect(fs.readFileSync(path.join(root, "setup_nl2b_fs_1.sh"), "utf8")).toMatch(/^#!\/bin\/bash\n/);
    expect(fs.statSync(path.join(root, "testbed/index.html.gz")).size).toBeGreaterThan(20);
    const second = temporary();
    materializeSetup(loadSetupManifest("alfa-fs-1"), second);
    expect(
      treeDifferences(await snapshotTree(root, new Set()), await snapshotTree(second, new Set())),
    ).toEqual([]);
  });

  it("copies a tree keeping types, modes, links and times, and the snapshot sees every change", async () => {
    const source = temporary();
    materializeSetup(loadSetupManifest("alfa-fs-3"), source);
    fs.symlinkSync("dir1/hello.txt", path.join(source, "workspace/link"));
    const copy = path.join(temporary(), "copy");
    await copyTree(source, copy);
    const before = await snapshotTree(source, new Set());
    expect(await snapshotTree(copy, new Set())).toEqual(before);
    expect(fs.statSync(path.join(copy, "workspace/recent1.txt")).mtimeMs).toBe(
      fs.statSync(path.join(source, "workspace/recent1.txt")).mtimeMs,
    );
    fs.chmodSync(path.join(copy, "workspace/new.sh"), 0o644);
    fs.appendFileSync(path.join(copy, "workspace/dir1/hello.txt"), "more");
    fs.mkdirSync(path.join(copy, "workspace/made"));
    expect(treeDifferences(before, await snapshotTree(copy, new Set()))).toEqual([
      "/workspace/dir1/hello.txt",
      "/workspace/made",
      "/workspace/new.sh",
    ]);
    expect(
      treeDifferences(before, await snapshotTree(copy, new Set(["workspace", "backup", "1 year ago"]))),
    ).toHaveLength(before.size);
  });

  it("removes a tree a command made unreadable", async () => {
    const root = temporary();
    fs.mkdirSync(path.join(root, "locked/inner"), { recursive: true });
    fs.writeFileSync(path.join(root, "locked/inner/file"), "x");
    fs.chmodSync(path.join(root, "locked/inner"), 0);
    fs.chmodSync(path.join(root, "locked"), 0);
    await removeTree(root);
    expect(fs.existsSync(root)).toBe(false);
  });

  it("renders the manifest as a bash script", () => {
    expect(setupScript([{ dir: "/a" }, { file: "/a/it's.txt", text: "one\n", mode: "600" }])).toBe(
      "#!/bin/bash\n# Builds this file-system setup (rendered by cmdai from its setup manifest).\n" +
        "mkdir -p '/a'\necho 'one' > '/a/it'\\''s.txt'\nchmod 600 '/a/it'\\''s.txt'\n",
    );
  });
});

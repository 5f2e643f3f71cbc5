/**
 * The effect preview on real temporary trees: counts and sizes, globs as bash expands them, hidden files,
 * symlinks (loops, links out of the tree), unreadable folders, the budget, wrappers, redirections, and
 * unresolvable variables. Every test also checks that nothing was changed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { previewEffects } from "./preview-effects.js";
import type { EffectPreview, PreviewOptions } from "./types.js";

let root: string;
let home: string;

/** Creates files (path → size in bytes or content) under `root`. */
function write(files: Record<string, number | string>): void {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === "number" ? Buffer.alloc(content, 97) : content);
  }
}

/** Every path under `root` with its size, to prove a preview changed nothing. */
function snapshot(directory = root): string[] {
  const entries: string[] = [];
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    const stats = fs.lstatSync(full);
    entries.push(`${path.relative(root, full)} ${stats.mode} ${stats.size}`);
    if (entry.isDirectory() && (stats.mode & 0o500) === 0o500) entries.push(...snapshot(full));
  }
  return entries.sort();
}

async function preview(command: string, options: Partial<PreviewOptions> = {}): Promise<EffectPreview> {
  const before = snapshot();
  const result = await previewEffects(command, {
    shell: "bash",
    cwd: root,
    env: { HOME: home },
    ...options,
  });
  expect(snapshot()).toEqual(before);
  if (result === undefined) throw new Error(`no preview for ${command}`);
  return result;
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-preview-"));
  home = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-preview-home-"));
});
afterEach(() => {
  for (const directory of [root, home]) fs.rmSync(directory, { recursive: true, force: true });
});

describe("rm", () => {
  it("counts the files and bytes of a folder deleted with -rf, and deletes nothing", async () => {
    write(Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`build/f${index}.o`, 100 + index])));
    const result = await preview("rm -rf ./build");
    expect(result.targets).toEqual([
      { path: "./build", effect: "delete", kind: "directory", files: 10, directories: 1, bytes: 1045 },
    ]);
    expect(result.truncated).toBe(false);
    expect(result.summary).toBe("deletes 10 files (1.0 KiB) in ./build");
    expect(fs.readdirSync(path.join(root, "build"))).toHaveLength(10);
  });

  it("counts nested folders, hidden files and sums over several operands", async () => {
    write({ "build/a": 10, "build/sub/.hidden": 20, "build/sub/deeper/b": 30, "dist/c": 5 });
    const result = await preview("rm -r build dist");
    expect(result.totals).toEqual({ files: 4, directories: 4, bytes: 65, tracked: 0 });
    expect(result.summary).toBe("deletes 4 files (65 B) in build and dist");
  });

  it("expands globs like bash: sorted, `*` skips dotfiles, `.*` does not, quoted and escaped stars are literal", async () => {
    write({ "b.log": 2, "a.log": 1, ".hidden.log": 4, "keep.txt": 8 });
    expect((await preview("rm *.log")).targets.map((target) => target.path)).toEqual(["a.log", "b.log"]);
    expect((await preview("rm .*.log")).targets.map((target) => target.path)).toEqual([".hidden.log"]);
    expect((await preview("rm ?.log")).totals.bytes).toBe(3);
    expect((await preview("rm [ab].log")).totals.files).toBe(2);
    expect((await preview("rm [!a].log")).targets.map((target) => target.path)).toEqual(["b.log"]);
    const quoted = await preview('rm "*.log"');
    expect(quoted.targets).toEqual([]);
    expect(quoted.summary).toBe("nothing to touch: *.log does not exist");
    expect((await preview("rm \\*.log")).targets).toEqual([]);
  });

  it("says a glob that matches nothing matches nothing", async () => {
    write({ "a.txt": 1 });
    const result = await preview("rm *.nomatch");
    expect(result.targets).toEqual([]);
    expect(result.unmatched).toEqual(["*.nomatch"]);
    expect(result.summary).toBe("matches nothing (no file matches *.nomatch)");
    const mixed = await preview("rm -f *.txt *.bak");
    expect(mixed.summary).toBe("deletes 1 file (1 B): a.txt; *.bak matches nothing");
  });

  it("expands braces before globs and tildes, but not quoted ones", async () => {
    write({ "a.txt": 1, "b.txt": 2, "d1/x": 4, "d2/y": 8, "d3/z": 16 });
    fs.writeFileSync(path.join(home, "h.txt"), "123");
    expect((await preview("rm {a,b}.txt")).targets.map((target) => target.path)).toEqual(["a.txt", "b.txt"]);
    expect((await preview("rm -r d{1..2}")).totals.bytes).toBe(12);
    expect((await preview("rm -r d{1,3}/*")).targets.map((target) => target.path)).toEqual(["d1/x", "d3/z"]);
    expect((await preview("rm ~/{h,missing}.txt")).summary).toBe(
      `deletes 1 file (3 B): ${home}/h.txt; ${home}/missing.txt does not exist`,
    );
    expect((await preview('rm "{a,b}.txt"')).summary).toBe("nothing to touch: {a,b}.txt does not exist");
    expect((await preview("find . -name x -exec rm {} +")).totals.files).toBe(1);
  });

  it("expands globs inside folders and keeps the path as written", async () => {
    write({ "logs/x.log": 3, "logs/.y.log": 3, "logs/z.txt": 3 });
    const result = await preview("rm ./logs/*.log");
    expect(result.targets.map((target) => target.path)).toEqual(["./logs/x.log"]);
  });

  it("reads options the way rm does: -- ends them, and folders need -r", async () => {
    write({ "-f": 7, "folder/a": 1 });
    expect((await preview("rm -- -f")).targets.map((target) => target.path)).toEqual(["-f"]);
    const refused = await preview("rm folder");
    expect(refused.targets).toEqual([]);
    expect(refused.summary).toContain("rm without -r leaves the folder folder alone");
  });

  it("expands ~, $HOME and variables assigned on the same line", async () => {
    fs.mkdirSync(path.join(home, "cache"));
    fs.writeFileSync(path.join(home, "cache", "x"), "12345");
    write({ "out/y": 2 });
    expect((await preview("rm -rf ~/cache")).totals.bytes).toBe(5);
    expect((await preview("rm -rf $HOME/cache")).totals.bytes).toBe(5);
    expect((await preview('rm -rf "$HOME"/cache')).totals.bytes).toBe(5);
    expect((await preview("X=out; rm -rf $X")).totals.bytes).toBe(2);
    expect((await preview('rm -rf "~/cache"')).summary).toBe("nothing to touch: ~/cache does not exist");
  });

  it("says so instead of guessing when a variable or substitution has no value", async () => {
    write({ "a/b": 1 });
    const result = await preview('rm -rf "$TARGET"/ a');
    expect(result.unresolved).toEqual(["$TARGET"]);
    expect(result.targets.map((target) => target.path)).toEqual(["a"]);
    expect(result.summary).toContain("cannot tell what $TARGET will be");
    const substituted = await preview("rm -rf $(cat list.txt)");
    expect(substituted.unresolved).toEqual(["$(cat list.txt)"]);
    expect(substituted.targets).toEqual([]);
  });

  it("does not guess the files a for loop over a glob would visit", async () => {
    write({ "a.txt": 1 });
    const result = await preview('for f in *.txt; do rm "$f"; done');
    expect(result.unresolved).toEqual(["$f"]);
    expect(result.unmatched).toEqual([]);
    expect((await preview("for f in a.txt; do rm $f; done")).totals.files).toBe(1);
  });

  it("never takes an empty word for the current folder", async () => {
    write({ "a.txt": 1 });
    expect((await preview('rm -rf ""')).targets).toEqual([]);
    expect((await preview('X=""; rm -rf $X')).targets).toEqual([]);
  });

  it("peels wrappers and follows bash -c and cd", async () => {
    write({ "build/a": 4, "build/b": 4 });
    expect((await preview("sudo -u root rm -rf build")).totals.files).toBe(2);
    expect((await preview("bash -c 'rm -rf build'")).totals.files).toBe(2);
    expect((await preview("cd build && rm *")).targets.map((target) => target.path)).toEqual(["a", "b"]);
    expect((await preview("nice -n 5 timeout 10 rm -r ./build")).totals.bytes).toBe(8);
  });
});

describe("symlinks", () => {
  it("counts a symlink as one entry and never follows it out of the tree", async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-preview-outside-"));
    try {
      fs.writeFileSync(path.join(outside, "precious"), Buffer.alloc(1000));
      write({ "build/a": 10 });
      fs.symlinkSync(outside, path.join(root, "build", "link"));
      fs.symlinkSync(outside, path.join(root, "toplink"));
      const inside = await preview("rm -rf build");
      expect(inside.targets[0]).toMatchObject({ files: 2, bytes: 10 });
      const link = await preview("rm -rf toplink");
      expect(link.targets).toEqual([
        { path: "toplink", effect: "delete", kind: "symlink", files: 1, directories: 0, bytes: 0 },
      ]);
      expect(fs.existsSync(path.join(outside, "precious"))).toBe(true);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it("terminates on symlink loops", async () => {
    write({ "tree/a/file": 3 });
    fs.symlinkSync("..", path.join(root, "tree", "a", "up"));
    fs.symlinkSync("loop", path.join(root, "tree", "loop"));
    const result = await preview("rm -rf tree");
    expect(result.targets[0]).toMatchObject({ files: 3, directories: 2, bytes: 3 });
    expect(result.truncated).toBe(false);
  });
});

describe("limits", () => {
  it.skipIf(process.getuid?.() === 0)(
    "reports unreadable folders instead of failing, as a lower bound",
    async () => {
      write({ "build/ok": 5, "build/locked/secret": 9 });
      const locked = path.join(root, "build", "locked");
      fs.chmodSync(locked, 0o000);
      try {
        const result = await preview("rm -rf build");
        expect(result.unreadable).toEqual([path.join("build", "locked")]);
        expect(result.truncated).toBe(true);
        expect(result.targets[0]).toMatchObject({ files: 1, bytes: 5 });
        expect(result.summary).toBe(
          "deletes at least 1 file (5 B) in build; could not read build/locked (permission denied)",
        );
        const globbed = await preview("rm -rf build/locked/*");
        expect(globbed.unmatched).toEqual([]);
        expect(globbed.summary).toBe("could not read build/locked (permission denied)");
      } finally {
        fs.chmodSync(locked, 0o700);
      }
    },
  );

  it("stops at the entry budget and says at least", async () => {
    write(Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`big/d${index % 6}/f${index}`, 1])));
    const result = await preview("rm -rf big", { budget: { entries: 20 } });
    expect(result.truncated).toBe(true);
    expect(result.totals.files).toBeLessThan(60);
    expect(result.summary).toMatch(/^deletes at least \d+ files/);
  });

  it("stops at once when the signal is aborted", async () => {
    write({ "big/a": 1 });
    const controller = new AbortController();
    controller.abort();
    const result = await preview("rm -rf big", { signal: controller.signal });
    expect(result.truncated).toBe(true);
  });
});

describe("other commands", () => {
  it("mv: moves the sources and overwrites an existing destination", async () => {
    write({ "a.txt": 3, "b.txt": 50, "dir/a.txt": 7 });
    const onto = await preview("mv a.txt b.txt");
    expect(onto.targets.map((target) => [target.effect, target.path, target.bytes])).toEqual([
      ["move", "a.txt", 3],
      ["overwrite", "b.txt", 50],
    ]);
    const into = await preview("mv a.txt dir");
    expect(into.targets.map((target) => [target.effect, target.path])).toEqual([
      ["move", "a.txt"],
      ["overwrite", path.join("dir", "a.txt")],
    ]);
    expect((await preview("mv -n a.txt b.txt")).targets.map((target) => target.effect)).toEqual(["move"]);
  });

  it("cp: counts only the existing files it would overwrite", async () => {
    write({
      "new.txt": 1,
      "old.txt": 40,
      "src/x": 1,
      "src/sub/y": 1,
      "src/z": 1,
      "dst/src/x": 11,
      "dst/src/sub/y": 12,
    });
    expect((await preview("cp new.txt old.txt")).targets).toEqual([
      { path: "old.txt", effect: "overwrite", kind: "file", files: 1, directories: 0, bytes: 40 },
    ]);
    expect((await preview("cp new.txt fresh.txt")).summary).toBe("changes nothing that exists");
    expect((await preview("cp -r src dst")).targets).toEqual([
      {
        path: path.join("dst", "src"),
        effect: "overwrite",
        kind: "directory",
        files: 2,
        directories: 0,
        bytes: 23,
      },
    ]);
  });

  it("chmod -R and chown -R count everything under the folder; without -R only the operand", async () => {
    write({ "site/a": 1, "site/b/c": 1 });
    expect((await preview("chmod -R 755 site")).targets[0]).toMatchObject({
      effect: "permissions",
      files: 2,
      directories: 2,
    });
    expect((await preview("chmod -w site")).targets[0]).toMatchObject({
      effect: "permissions",
      files: 0,
      directories: 1,
    });
    const owner = await preview("chown -R nobody:nogroup site");
    expect(owner.summary).toBe("changes the owner of 2 files (2 B) in site");
  });

  it("find -delete and find -exec rm evaluate the tests they understand", async () => {
    write({
      "a.tmp": 1,
      "keep.txt": 1,
      "sub/b.tmp": 2,
      "sub/.c.tmp": 4,
      "node_modules/x/y": 8,
      "app/node_modules/z": 16,
    });
    const deleted = await preview("find . -name '*.tmp' -delete");
    expect(deleted.targets).toEqual([
      { path: ".", effect: "delete", kind: "directory", files: 3, directories: 0, bytes: 7 },
    ]);
    const typed = await preview("find . -type d -name node_modules -exec rm -rf {} +");
    expect(typed.totals).toMatchObject({ files: 2, bytes: 24, directories: 3 });
    expect((await preview("find sub -maxdepth 1 -iname '*.TMP' -delete")).totals.bytes).toBe(6);
    expect((await preview("find . -name '*.tmp' -o -name '*.txt' -delete")).totals.files).toBe(1);
    const unknown = await preview("find . -newer keep.txt -delete");
    expect(unknown.targets).toEqual([]);
    expect(unknown.notes[0]).toContain("-newer");
  });

  it("rsync --delete counts what in the destination is not in the source", async () => {
    write({
      "src/a": 1,
      "src/sub/b": 1,
      "dst/a": 5,
      "dst/extra": 7,
      "dst/sub/b": 1,
      "dst/sub/old/c": 9,
      "dst/.cache": 2,
    });
    const contents = await preview("rsync -av --delete src/ dst/");
    expect(contents.targets).toEqual([
      { path: "dst/", effect: "delete", kind: "directory", files: 3, directories: 1, bytes: 18 },
    ]);
    expect((await preview("rsync -av --delete --exclude=.cache src/ dst/")).totals.bytes).toBe(16);
    expect(await previewEffects("rsync -av src/ dst/", { shell: "bash", cwd: root })).toBeUndefined();
    expect((await preview("rsync -an --delete src/ dst/")).targets).toEqual([]);
  });

  it("truncate counts the bytes cut off", async () => {
    write({ "big.log": 3000, "small.log": 10 });
    expect((await preview("truncate -s 0 big.log")).targets[0]).toMatchObject({
      effect: "truncate",
      bytes: 3000,
    });
    expect((await preview("truncate -s 1K big.log small.log")).totals).toMatchObject({
      files: 1,
      bytes: 3000 - 1024,
    });
    expect((await preview("truncate -s +1K big.log")).targets).toEqual([]);
  });

  it("redirections and tee overwrite existing files; appending and new files do not count", async () => {
    write({ "notes.txt": 12 });
    expect((await preview("echo hi > notes.txt")).targets).toEqual([
      { path: "notes.txt", effect: "overwrite", kind: "file", files: 1, directories: 0, bytes: 12 },
    ]);
    expect((await preview("ls | tee notes.txt")).totals.bytes).toBe(12);
    expect(await previewEffects("echo hi >> notes.txt", { shell: "bash", cwd: root })).toBeUndefined();
    expect(
      await previewEffects("echo hi > fresh.txt 2>/dev/null", { shell: "bash", cwd: root }),
    ).toBeUndefined();
  });

  it("shred destroys contents, and deletes with -u", async () => {
    write({ "secret.key": 64 });
    expect((await preview("shred secret.key")).summary).toBe("overwrites 1 file (64 B): secret.key");
    expect((await preview("shred -n 3 -u secret.key")).targets[0]).toMatchObject({
      effect: "delete",
      bytes: 64,
    });
  });

  it("has no preview for commands that change no files, or for PowerShell", async () => {
    write({ "a.txt": 1 });
    expect(await previewEffects("ls -la && grep x a.txt", { shell: "bash", cwd: root })).toBeUndefined();
    expect(await previewEffects("Remove-Item a.txt", { shell: "powershell", cwd: root })).toBeUndefined();
  });
});

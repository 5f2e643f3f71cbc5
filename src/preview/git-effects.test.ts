/**
 * The git side of the preview on real repositories in temporary folders: `git clean` asked with --dry-run,
 * `git reset --hard` / `git checkout -- .` read from `git status`, and how many deleted files git tracks.
 * Each test checks that the repository is exactly as it was (files and `git status`).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { previewEffects } from "./preview-effects.js";
import type { EffectPreview } from "./types.js";

let root: string;

function git(...args: string[]): string {
  return execFileSync(
    "git",
    [
      "-c",
      "user.name=cmdai test",
      "-c",
      "user.email=test@example.invalid",
      "-c",
      "init.defaultBranch=main",
      ...args,
    ],
    { cwd: root, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: root } },
  );
}

function write(relative: string, content: string): void {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

function state(): string {
  const files = (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((file) => !file.startsWith(".git/") && file !== ".git")
    .sort()
    .map((file) => `${file}:${fs.lstatSync(path.join(root, file)).size}`);
  return `${files.join("\n")}\n${git("status", "--porcelain")}`;
}

async function preview(command: string): Promise<EffectPreview> {
  const before = state();
  const result = await previewEffects(command, {
    shell: "bash",
    cwd: root,
    env: { HOME: root, PATH: process.env.PATH },
  });
  expect(state()).toBe(before);
  if (result === undefined) throw new Error(`no preview for ${command}`);
  return result;
}

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-preview-git-")));
  git("init", "-q");
  write(".gitignore", "*.log\n");
  write("src/a.ts", "tracked a\n");
  write("src/b.ts", "tracked b\n");
  git("add", ".");
  git("commit", "-qm", "initial");
  write("src/new.ts", "untracked\n");
  write("debug.log", "ignored!\n");
  write("scratch/notes.txt", "untracked folder\n");
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe("git clean", () => {
  it("lists what git itself says it would remove, per flags", async () => {
    const files = await preview("git clean -f");
    expect(files.targets.map((target) => target.path)).toEqual(["src/new.ts"]);
    const folders = await preview("git clean -fd");
    expect(folders.targets.map((target) => target.path).sort()).toEqual(["scratch/", "src/new.ts"]);
    expect(folders.totals).toMatchObject({ files: 2, bytes: 27 });
    const ignoredToo = await preview("git clean -fdx");
    expect(ignoredToo.targets.map((target) => target.path).sort()).toEqual([
      "debug.log",
      "scratch/",
      "src/new.ts",
    ]);
    expect((await preview("git clean -fX")).targets.map((target) => target.path)).toEqual(["debug.log"]);
    expect(fs.existsSync(path.join(root, "src", "new.ts"))).toBe(true);
  });

  it("says when there is nothing to clean", async () => {
    fs.rmSync(path.join(root, "src", "new.ts"));
    fs.rmSync(path.join(root, "scratch"), { recursive: true });
    const result = await preview("git clean -f");
    expect(result.targets).toEqual([]);
    expect(result.summary).toBe("git clean finds nothing to remove");
  });
});

describe("discarding uncommitted changes", () => {
  it("git reset --hard loses staged and unstaged changes to tracked files, not untracked ones", async () => {
    write("src/a.ts", "changed a, not staged\n");
    write("src/staged.ts", "new and staged\n");
    git("add", "src/staged.ts");
    const result = await preview("git reset --hard");
    expect(result.targets.map((target) => [target.path, target.effect, target.bytes])).toEqual([
      ["src/a.ts", "discard", 22],
      ["src/staged.ts", "discard", 15],
    ]);
    expect(result.summary).toBe("discards uncommitted changes to 2 files: src/a.ts and src/staged.ts");
  });

  it("git checkout -- . loses only the unstaged changes", async () => {
    write("src/a.ts", "changed a\n");
    write("src/b.ts", "changed b, staged\n");
    git("add", "src/b.ts");
    const result = await preview("git checkout -- .");
    expect(result.targets.map((target) => target.path)).toEqual(["src/a.ts"]);
    expect((await preview("git checkout -- src/b.ts")).targets).toEqual([]);
  });

  it("a clean tree has nothing to lose", async () => {
    const result = await preview("git reset --hard HEAD");
    expect(result.targets).toEqual([]);
    expect(result.summary).toBe("there are no uncommitted changes to lose");
    expect(await previewEffects("git status", { shell: "bash", cwd: root })).toBeUndefined();
  });
});

describe("tracked files", () => {
  it("counts how many deleted files git tracks", async () => {
    const result = await preview("rm -rf src debug.log");
    expect(result.targets.map((target) => [target.path, target.tracked])).toEqual([
      ["src", 2],
      ["debug.log", 0],
    ]);
    expect(result.summary).toBe(
      "deletes 4 files (39 B) and 1 folder: src and debug.log; 2 are tracked by git",
    );
  });

  it("counts tracked files among hundreds of targets (too many to name to git one by one)", async () => {
    for (let index = 0; index < 250; index++) write(`many/f${index}.txt`, "x");
    git("add", "many");
    git("commit", "-qm", "many");
    write("many/untracked.txt", "y");
    const result = await preview("rm many/*");
    expect(result.targets).toHaveLength(100);
    expect(result.totals).toMatchObject({ files: 251, tracked: 250 });
    expect(result.summary).toMatch(/^deletes 251 files \(251 B\): .* and 248 more; 250 are tracked by git$/);
  });

  it("leaves the count out outside a repository", async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-preview-nogit-"));
    try {
      fs.writeFileSync(path.join(outside, "x"), "1");
      const result = await previewEffects("rm x", {
        shell: "bash",
        cwd: outside,
        env: { PATH: process.env.PATH },
      });
      expect(result?.targets[0]?.tracked).toBeUndefined();
      expect(result?.summary).toBe("deletes 1 file (1 B): x");
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

/**
 * Counts what lies at a path without changing anything and without following symlinks: `lstat` for the path
 * itself, `readdir` for folders (a symlink is one entry, never entered, so loops and links out of the tree cannot
 * be followed). Every await yields to the event loop; the shared {@link PreviewBudget} bounds the work.
 */
import fs from "node:fs/promises";
import type { Dirent, Stats } from "node:fs";
import path from "node:path";
import type { PreviewBudget } from "./preview-budget.js";
import type { EntryKind } from "./types.js";

/** What was found at and under one path. */
export interface TreeMeasure {
  kind: EntryKind;
  files: number;
  directories: number;
  bytes: number;
  /** Folders that could not be read (permission denied and the like). */
  unreadable: string[];
  /** The budget ran out before the whole tree was counted. */
  truncated: boolean;
  /** The path itself could not be looked at (a parent folder is unreadable). */
  inaccessible?: boolean;
}

/** How many `lstat` calls run at once inside one folder. */
const PARALLEL_STATS = 64;
/** Entries handled in one go before yielding to the event loop (a folder can hold millions of entries). */
const ENTRIES_PER_TURN = 2_000;

/** Lets timers, keys and redraws run before counting goes on. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The kind of an entry from its `lstat` result. */
export function entryKind(stats: Stats): EntryKind {
  if (stats.isSymbolicLink()) return "symlink";
  if (stats.isDirectory()) return "directory";
  if (stats.isFile()) return "file";
  return "other";
}

/** `lstat`, or undefined when the path does not exist (or a parent is not a folder). */
export async function lstatOrUndefined(target: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}

/**
 * Measures `target` (an absolute path). With `recursive`, a folder counts with everything under it; without,
 * only the entry itself counts. `displayPath` names unreadable folders in the result.
 */
export async function measureTree(
  target: string,
  options: { recursive: boolean; budget: PreviewBudget; displayPath?: string },
): Promise<TreeMeasure> {
  const measure: TreeMeasure = {
    kind: "missing",
    files: 0,
    directories: 0,
    bytes: 0,
    unreadable: [],
    truncated: false,
  };
  const display = (absolute: string): string =>
    options.displayPath === undefined
      ? absolute
      : path.join(options.displayPath, path.relative(target, absolute)) || options.displayPath;
  let stats: Stats | undefined;
  try {
    stats = await lstatOrUndefined(target);
  } catch {
    measure.inaccessible = true;
    measure.unreadable.push(display(path.dirname(target)));
    measure.truncated = true;
    return measure;
  }
  if (stats === undefined) return measure;
  if (!options.budget.spend()) {
    measure.truncated = true;
  }
  measure.kind = entryKind(stats);
  if (measure.kind !== "directory") {
    measure.files = 1;
    if (measure.kind === "file") measure.bytes = stats.size;
    return measure;
  }
  measure.directories = 1;
  if (!options.recursive) return measure;
  const pending = [target];
  while (pending.length > 0) {
    const folder = pending.pop();
    if (folder === undefined) break;
    if (options.budget.exhausted) {
      measure.truncated = true;
      break;
    }
    let entries: Dirent[];
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch {
      measure.unreadable.push(display(folder));
      measure.truncated = true;
      continue;
    }
    const files: string[] = [];
    for (const [index, entry] of entries.entries()) {
      if (index > 0 && index % ENTRIES_PER_TURN === 0) await yieldToEventLoop();
      if (!options.budget.spend()) {
        measure.truncated = true;
        break;
      }
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        measure.directories++;
        pending.push(full);
      } else {
        measure.files++;
        if (entry.isFile()) files.push(full);
      }
    }
    measure.bytes += await sizeOfFiles(files);
    if (measure.truncated) break;
  }
  return measure;
}

/** Sum of the apparent sizes of regular files; a file gone meanwhile counts 0. */
export async function sizeOfFiles(files: readonly string[]): Promise<number> {
  let total = 0;
  for (let start = 0; start < files.length; start += PARALLEL_STATS) {
    const sizes = await Promise.all(
      files.slice(start, start + PARALLEL_STATS).map(async (file) => {
        try {
          return (await fs.lstat(file)).size;
        } catch {
          return 0;
        }
      }),
    );
    for (const size of sizes) total += size;
  }
  return total;
}

/** What a {@link walkTree} visitor says about a folder: `skip` leaves its contents out. */
export type WalkDecision = "skip" | undefined;

/**
 * Visits every entry under `root` (not `root` itself) depth-first without following symlinks, with paths
 * relative to `root`. Returns the folders it could not read (relative) and whether the budget ran out.
 */
export async function walkTree(
  root: string,
  budget: PreviewBudget,
  visit: (relative: string, entry: Dirent) => WalkDecision | Promise<WalkDecision>,
): Promise<{ unreadable: string[]; truncated: boolean }> {
  const unreadable: string[] = [];
  const pending = [""];
  while (pending.length > 0) {
    const relative = pending.pop();
    if (relative === undefined) break;
    if (budget.exhausted) return { unreadable, truncated: true };
    let entries: Dirent[];
    try {
      entries = await fs.readdir(path.join(root, relative), { withFileTypes: true });
    } catch {
      unreadable.push(relative === "" ? "." : relative);
      continue;
    }
    for (const entry of entries.sort((first, second) => (first.name < second.name ? -1 : 1))) {
      if (!budget.spend()) return { unreadable, truncated: true };
      const child = relative === "" ? entry.name : path.join(relative, entry.name);
      const decision = await visit(child, entry);
      if (entry.isDirectory() && decision !== "skip") pending.push(child);
    }
  }
  return { unreadable, truncated: unreadable.length > 0 };
}

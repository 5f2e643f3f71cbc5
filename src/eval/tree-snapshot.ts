/**
 * What a command left behind: every path under the sandbox's root (except the system folders mounted in),
 * with its type, permission bits and content digest (or link target). Owners and times are left out: they
 * differ between any two runs and say nothing about whether the command did the job.
 */
import { createHash } from "node:crypto";
import type fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";

/** path → `type mode digest`, e.g. `/testbed/a.txt` → `file 644 3a7b…`. */
export type TreeSnapshot = ReadonlyMap<string, string>;

/** Stop walking past this many entries (a command that made a million files is not going to match). */
export const SNAPSHOT_ENTRY_LIMIT = 20_000;

async function describe(absolute: string, stat: fs.Stats): Promise<string> {
  const mode = (stat.mode & 0o7777).toString(8);
  if (stat.isSymbolicLink()) return `link ${await fsp.readlink(absolute)}`;
  if (stat.isDirectory()) return `dir ${mode}`;
  if (stat.isFile()) {
    let digest: string;
    try {
      digest = createHash("sha256")
        .update(await fsp.readFile(absolute))
        .digest("hex")
        .slice(0, 32);
    } catch {
      digest = "unreadable";
    }
    return `file ${mode} ${digest}`;
  }
  return `other ${mode}`;
}

/** Snapshot the tree under `root` (the sandbox's `/`), skipping top-level `excluded` names (mount points). */
export async function snapshotTree(root: string, excluded: ReadonlySet<string>): Promise<TreeSnapshot> {
  const entries = new Map<string, string>();
  const walk = async (folder: string, relative: string): Promise<void> => {
    let names: string[];
    try {
      names = (await fsp.readdir(folder)).sort();
    } catch {
      entries.set(relative === "" ? "/" : relative, "dir unreadable");
      return;
    }
    for (const name of names) {
      if (relative === "" && excluded.has(name)) continue;
      if (entries.size >= SNAPSHOT_ENTRY_LIMIT) {
        entries.set("…", `more than ${SNAPSHOT_ENTRY_LIMIT} entries`);
        return;
      }
      const absolute = path.join(folder, name);
      const sandboxPath = `${relative}/${name}`;
      const stat = await fsp.lstat(absolute);
      entries.set(sandboxPath, await describe(absolute, stat));
      if (stat.isDirectory()) await walk(absolute, sandboxPath);
    }
  };
  await walk(root, "");
  return entries;
}

/** The paths where two snapshots differ (added, removed or changed), sorted. */
export function treeDifferences(left: TreeSnapshot, right: TreeSnapshot): string[] {
  const paths = new Set([...left.keys(), ...right.keys()]);
  return [...paths].filter((entry) => left.get(entry) !== right.get(entry)).sort();
}

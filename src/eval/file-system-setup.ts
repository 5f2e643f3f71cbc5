/**
 * The file-system setups prompts run in (`data/eval/setups/*.json`, cmdai's declarative description of the
 * benchmark's Docker setups: same paths, contents, modes and dates). Each is built once per run into a template
 * folder; every command then runs in a fresh copy of it, so no run sees another's changes.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import { EVAL_DATA_URL } from "./eval-suites.js";

/** One entry of a setup. Parents are created as needed; `mode` is octal text, `mtime` ISO 8601. */
export type SetupEntry =
  | { dir: string; mode?: string }
  | {
      file: string;
      text?: string;
      hex?: string;
      zeros?: number;
      mode?: string;
      mtime?: string;
      mtimeDaysAgo?: number;
    }
  | { gzip: string; of: string }
  | { tar: string; of: string[] }
  /** A bash script that builds the entries before it (the benchmark's prompts read the setup script). */
  | { script: string };

export interface SetupManifest {
  description: string;
  entries: SetupEntry[];
}

export function loadSetupManifest(name: string): SetupManifest {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Bad setup name "${name}".`);
  return JSON.parse(fs.readFileSync(new URL(`setups/${name}.json`, EVAL_DATA_URL), "utf8")) as SetupManifest;
}

/** The manifest's absolute path inside the sandbox, mapped into `root` on the host. */
function inside(root: string, sandboxPath: string): string {
  const relative = path.posix.normalize(sandboxPath).replace(/^\/+/, "");
  if (relative === "" || relative.startsWith("..")) throw new Error(`Bad setup path "${sandboxPath}".`);
  return path.join(root, relative);
}

function fileContent(entry: Extract<SetupEntry, { file: string }>): Buffer {
  if (entry.hex !== undefined) return Buffer.from(entry.hex, "hex");
  if (entry.zeros !== undefined) return Buffer.alloc(entry.zeros);
  return Buffer.from(entry.text ?? "", "utf8");
}

/** Build a setup's tree under `root` (an empty folder standing for the sandbox's `/`). */
export function materializeSetup(manifest: SetupManifest, root: string, now = Date.now()): void {
  const dated: { target: string; time: Date }[] = [];
  for (const entry of manifest.entries) {
    if ("dir" in entry) {
      const target = inside(root, entry.dir);
      fs.mkdirSync(target, { recursive: true });
      if (entry.mode !== undefined) fs.chmodSync(target, Number.parseInt(entry.mode, 8));
    } else if ("file" in entry) {
      const target = inside(root, entry.file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, fileContent(entry));
      fs.chmodSync(target, Number.parseInt(entry.mode ?? "644", 8));
      if (entry.mtime !== undefined) dated.push({ target, time: new Date(entry.mtime) });
      if (entry.mtimeDaysAgo !== undefined)
        dated.push({ target, time: new Date(now - entry.mtimeDaysAgo * 86_400_000) });
    } else if ("gzip" in entry) {
      const target = inside(root, entry.gzip);
      // Node writes no time into the gzip header, so the bytes are the same in every run.
      fs.writeFileSync(target, zlib.gzipSync(fs.readFileSync(inside(root, entry.of))));
    } else if ("script" in entry) {
      const target = inside(root, entry.script);
      fs.writeFileSync(target, setupScript(manifest.entries.slice(0, manifest.entries.indexOf(entry))));
      fs.chmodSync(target, 0o755);
    } else {
      const target = inside(root, entry.tar);
      const members = entry.of.map((member) => path.posix.normalize(member).replace(/^\/+/, ""));
      // The host's tar on cmdai's own data (never a generated command): members stored without a leading /.
      execFileSync("tar", ["-czf", target, "-C", root, "--", ...members], { stdio: "ignore" });
    }
  }
  for (const { target, time } of dated) fs.utimesSync(target, time, time);
}

const quote = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;

/** The entries as the bash commands that would build them (cmdai's rendering of its own manifest). */
export function setupScript(entries: readonly SetupEntry[]): string {
  const lines = [
    "#!/bin/bash",
    "# Builds this file-system setup (rendered by cmdai from its setup manifest).",
  ];
  for (const entry of entries) {
    if ("dir" in entry) lines.push(`mkdir -p ${quote(entry.dir)}`);
    else if ("file" in entry) {
      const text = entry.text ?? "";
      if (entry.hex !== undefined || entry.zeros !== undefined) {
        lines.push(`head -c ${String(fileContent(entry).length)} /dev/zero > ${quote(entry.file)}`);
      } else if (text === "") lines.push(`touch ${quote(entry.file)}`);
      else lines.push(`echo ${quote(text.replace(/\n$/, ""))} > ${quote(entry.file)}`);
      if (entry.mode !== undefined) lines.push(`chmod ${entry.mode} ${quote(entry.file)}`);
      if (entry.mtime !== undefined) lines.push(`touch -m -d ${entry.mtime} ${quote(entry.file)}`);
    } else if ("gzip" in entry) lines.push(`gzip -c ${quote(entry.of)} > ${quote(entry.gzip)}`);
    else if ("tar" in entry) lines.push(`tar -czf ${quote(entry.tar)} ${entry.of.map(quote).join(" ")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Copy a tree keeping types, modes (sticky/setuid bits too), symlinks and modification times. */
export async function copyTree(source: string, target: string): Promise<void> {
  const stat = await fsp.lstat(source);
  if (stat.isSymbolicLink()) {
    await fsp.symlink(await fsp.readlink(source), target);
    return;
  }
  if (stat.isDirectory()) {
    await fsp.mkdir(target);
    for (const name of await fsp.readdir(source))
      await copyTree(path.join(source, name), path.join(target, name));
  } else {
    await fsp.copyFile(source, target);
  }
  await fsp.chmod(target, stat.mode & 0o7777);
  await fsp.utimes(target, stat.atime, stat.mtime);
}

/** Hand a tree to another user (the sandbox's unprivileged uid when cmdai runs as root). */
export async function chownTree(root: string, uid: number, gid: number): Promise<void> {
  await fsp.lchown(root, uid, gid);
  const stat = await fsp.lstat(root);
  if (stat.isDirectory()) {
    for (const name of await fsp.readdir(root)) await chownTree(path.join(root, name), uid, gid);
  }
}

/**
 * Remove a tree a command may have left unreadable or unwritable (`chmod 000`): make every folder writable
 * and searchable first, then delete.
 */
export async function removeTree(root: string): Promise<void> {
  const loosen = async (folder: string): Promise<void> => {
    try {
      await fsp.chmod(folder, 0o700);
      for (const entry of await fsp.readdir(folder, { withFileTypes: true })) {
        if (entry.isDirectory()) await loosen(path.join(folder, entry.name));
      }
    } catch {
      // gone already, or not ours: rm reports what matters
    }
  };
  await loosen(root);
  await fsp.rm(root, { recursive: true, force: true });
}

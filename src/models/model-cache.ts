/**
 * Where models live on disk. cmdai's own cache is `<models dir>/hf/<owner>/<repo>/<revision>/<file>` for hub
 * files and `<models dir>/url/<host>/<path>` for plain URLs, each file with a `<file>.manifest.json` written
 * only after its size and SHA-256 were verified. Models imported under their own id live at
 * `<models dir>/local/<id>.gguf` (a copy, or a symlink with `--link`); a catalog model imported from a file
 * goes exactly where its download would. Files in the Hugging Face hub cache
 * (`models--Owner--Repo/snapshots/<commit>/<file>`) are reused as they are.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { Config } from "../config/schema.js";
import { huggingFaceHubCacheDir, modelsDir, type PathEnvironment } from "../config/paths.js";
import { CATALOG_VERSION } from "./catalog.js";
import { readGgufHeaderFile } from "./gguf-header.js";
import type {
  HuggingFaceReference,
  ImportedReference,
  ModelReference,
  UrlReference,
} from "./model-reference.js";

/** A reference with a place in cmdai's cache. */
export type CacheableReference = HuggingFaceReference | UrlReference | ImportedReference;

/** The folder under the models dir that holds imported models by id. */
export const LOCAL_MODELS_FOLDER = "local";

/** What a verified download records next to the file. */
export interface ModelManifest {
  /** The reference it was pulled as (`qwen2.5-coder-1.5b`, `hf:…`, a URL). */
  reference: string;
  repo?: string | undefined;
  revision?: string | undefined;
  /** `X-Repo-Commit` when the hub sent it. */
  commit?: string | undefined;
  file: string;
  url: string;
  sizeBytes: number;
  sha256: string;
  /** Whether the hub announced this digest (true) or cmdai only computed it (false). */
  sha256Announced: boolean;
  /** When it was downloaded, or imported. */
  downloadedAt: string;
  catalogVersion: number;
  /** `cmdai models import`: the absolute path the file came from. */
  importedFrom?: string | undefined;
  /** `cmdai models import --link`: the cache entry is a symlink to `importedFrom`. */
  linked?: boolean | undefined;
  /** `general.architecture` from the header, recorded at import. */
  architecture?: string | undefined;
  /** `general.name` from the header, recorded at import. */
  name?: string | undefined;
}

/** The manifest file beside a model file. */
export function manifestPathFor(modelPath: string): string {
  return `${modelPath}.manifest.json`;
}

/** cmdai's models folder: `config.models.dir`, else `$XDG_CACHE_HOME/cmdai/models` (see `modelsDir`). */
export function modelsRoot(config: Config, paths: PathEnvironment): string {
  return config.models.dir ?? modelsDir(paths);
}

function safeSegment(segment: string): string {
  // Keep names readable but never let a remote name climb out of the cache or hide as a dotfile.
  const cleaned = segment.replace(/[^A-Za-z0-9._-]/g, "_");
  return cleaned === "" || cleaned === "." || cleaned === ".." ? "_" : cleaned;
}

/** Where each file of a reference goes in cmdai's cache (first file first). */
export function cachePaths(reference: CacheableReference, root: string): string[] {
  if (reference.kind === "imported") return [path.join(root, LOCAL_MODELS_FOLDER, `${reference.id}.gguf`)];
  if (reference.kind === "hf") {
    const [owner = "_", repo = "_"] = reference.repo.split("/");
    const base = path.join(
      root,
      "hf",
      safeSegment(owner),
      safeSegment(repo),
      safeSegment(reference.revision),
    );
    return reference.files.map((file) => path.join(base, ...file.split("/").map(safeSegment)));
  }
  return reference.urls.map((text) => {
    const url = new URL(text);
    const segments = url.pathname.split("/").filter((segment) => segment !== "");
    return path.join(root, "url", safeSegment(url.host), ...segments.map(safeSegment));
  });
}

/** The manifest beside a model file, or undefined when missing or unreadable. */
export async function readManifest(modelPath: string): Promise<ModelManifest | undefined> {
  try {
    const parsed = JSON.parse(
      await fs.readFile(manifestPathFor(modelPath), "utf8"),
    ) as Partial<ModelManifest>;
    if (typeof parsed.sha256 !== "string" || typeof parsed.sizeBytes !== "number") return undefined;
    return parsed as ModelManifest;
  } catch {
    return undefined;
  }
}

/** Writes a manifest atomically (temp file + rename). */
export async function writeManifest(modelPath: string, manifest: ModelManifest): Promise<void> {
  const target = manifestPathFor(modelPath);
  const temporary = `${target}.${process.pid}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  await fs.rename(temporary, target);
}

/** Builds a manifest for a freshly verified file. */
export function newManifest(fields: Omit<ModelManifest, "downloadedAt" | "catalogVersion">): ModelManifest {
  return { ...fields, downloadedAt: new Date().toISOString(), catalogVersion: CATALOG_VERSION };
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    const stats = await fs.stat(file);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a file with no manifest may be used: someone put it there by hand (an air-gapped copy to the path
 * `cmdai models path` printed). Downloads only ever rename a verified file into place, so such a file is
 * whole unless the copy was cut short, which the GGUF header check catches (the tensors would not fit).
 */
async function isUsableUnrecordedFile(file: string): Promise<boolean> {
  if ((await sizeOf(file)) === undefined) return false;
  try {
    await readGgufHeaderFile(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The cached files of a reference when every one is present and matches its manifest's size (a full re-hash
 * is `cmdai models verify`'s job), or has no manifest but a valid GGUF header (placed by hand).
 */
export async function findCachedFiles(
  reference: CacheableReference,
  root: string,
): Promise<string[] | undefined> {
  const files = cachePaths(reference, root);
  for (const file of files) {
    const manifest = await readManifest(file);
    if (
      manifest === undefined
        ? !(await isUsableUnrecordedFile(file))
        : (await sizeOf(file)) !== manifest.sizeBytes
    )
      return undefined;
  }
  return files;
}

/** The hub cache folder of a repo: `models--Owner--Repo`. */
export function hubCacheRepoDir(hubCache: string, repo: string): string {
  return path.join(hubCache, `models--${repo.split("/").join("--")}`);
}

/** The files of a hub reference in the Hugging Face hub cache, when all are there. */
export async function findHubCacheFiles(
  reference: HuggingFaceReference,
  paths: PathEnvironment,
): Promise<string[] | undefined> {
  const repoDir = hubCacheRepoDir(huggingFaceHubCacheDir(paths), reference.repo);
  let commit = reference.revision;
  if (!/^[0-9a-f]{40}$/i.test(commit)) {
    try {
      commit = (await fs.readFile(path.join(repoDir, "refs", reference.revision), "utf8")).trim();
    } catch {
      return undefined;
    }
  }
  const snapshot = path.join(repoDir, "snapshots", commit);
  const files = reference.files.map((file) => path.join(snapshot, ...file.split("/")));
  for (const file of files) {
    // Snapshot entries are symlinks into blobs/; stat follows them, so a dangling link does not count.
    if ((await sizeOf(file)) === undefined) return undefined;
  }
  return files;
}

/** A model file in cmdai's cache, with its manifest. */
export interface CachedModel {
  path: string;
  manifest: ModelManifest;
}

/** Every model file with a manifest under `root`, sorted by path. */
export async function listCachedModels(root: string): Promise<CachedModel[]> {
  const found: CachedModel[] = [];
  let entries: string[];
  try {
    entries = await fs.readdir(root, { recursive: true });
  } catch {
    return found;
  }
  for (const entry of entries.sort()) {
    if (!entry.endsWith(".manifest.json")) continue;
    const modelPath = path.join(root, entry.slice(0, -".manifest.json".length));
    const manifest = await readManifest(modelPath);
    if (manifest !== undefined && (await sizeOf(modelPath)) !== undefined)
      found.push({ path: modelPath, manifest });
  }
  return found;
}

/** A model kept under its own id in `<models dir>/local/`. */
export interface ImportedModel {
  id: string;
  path: string;
  /** Undefined for a file placed there by hand. */
  manifest: ModelManifest | undefined;
  /** Whether the file is whole: its manifest's size, or (without one) a valid GGUF header; false for a dangling link. */
  usable: boolean;
}

/** Every `<id>.gguf` in `<models dir>/local/`, sorted by id, with or without a manifest. */
export async function listImportedModels(root: string): Promise<ImportedModel[]> {
  const folder = path.join(root, LOCAL_MODELS_FOLDER);
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch {
    return [];
  }
  const found: ImportedModel[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith(".gguf")) continue;
    const file = path.join(folder, name);
    const manifest = await readManifest(file);
    const usable =
      manifest === undefined
        ? await isUsableUnrecordedFile(file)
        : (await sizeOf(file)) === manifest.sizeBytes;
    found.push({ id: name.slice(0, -".gguf".length), path: file, manifest, usable });
  }
  return found;
}

/** Deletes a cached file, its manifest and any partial download. Returns whether anything was removed. */
export async function removeCachedFile(modelPath: string): Promise<boolean> {
  // lstat, so a dangling `--link` symlink still counts (and only the link goes, never its target).
  const present = async (file: string): Promise<boolean> =>
    (await fs.lstat(file).catch(() => undefined)) !== undefined;
  const existed = (await present(modelPath)) || (await present(`${modelPath}.part`));
  for (const file of [modelPath, manifestPathFor(modelPath), `${modelPath}.part`, `${modelPath}.part.json`]) {
    await fs.rm(file, { force: true });
  }
  return existed;
}

/** Whether a reference is remote (can be downloaded). */
export function isRemoteReference(
  reference: ModelReference,
): reference is HuggingFaceReference | UrlReference {
  return reference.kind === "hf" || reference.kind === "url";
}

/** Whether a reference has a place in cmdai's cache (everything but a plain local path). */
export function isCacheableReference(reference: ModelReference): reference is CacheableReference {
  return reference.kind !== "local";
}

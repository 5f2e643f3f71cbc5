/**
 * `cmdai models import FILE.gguf`: a GGUF the user already has becomes a model cmdai finds. The header is
 * checked first, then the file is copied into the cache atomically (or linked with `link`), with a manifest
 * beside it like a download's. It lands either where a catalog model's download would (`--as <catalog id>`,
 * or an exact match of a recorded size and digest), so the default request finds it, or at
 * `<models dir>/local/<id>.gguf` under its own id.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { PathEnvironment } from "../config/paths.js";
import type { Config } from "../config/schema.js";
import { ModelError, UsageError } from "../errors.js";
import {
  copyFileAtomically,
  linkAtomically,
  removeStaleTemporaries,
  sha256OfFile,
  type TransferredFile,
} from "./atomic-copy.js";
import { findCatalogEntry, type CatalogEntry } from "./catalog.js";
import { catalogCandidatesBySize, catalogMismatch, findCatalogMatch, needsDigest } from "./catalog-match.js";
import { withFileLock } from "./file-lock.js";
import { readGgufHeaderFile, type GgufHeader } from "./gguf-header.js";
import {
  cachePaths,
  modelsRoot,
  newManifest,
  readManifest,
  writeManifest,
  type ModelManifest,
} from "./model-cache.js";
import { deriveModelId, normalizeModelId } from "./model-id.js";
import { expandSplitFileNames, parseModelReference, type HuggingFaceReference } from "./model-reference.js";

export interface ImportModelOptions {
  /** Absolute path of the GGUF to import. */
  source: string;
  /** `--as`: a catalog id, or the new id. Default: derived from the file name (see `deriveModelId`). */
  as?: string | undefined;
  /** `--link`: a symlink to `source` instead of a copy. */
  link?: boolean | undefined;
  /** `--force`: replace a different file under the same id, and accept a catalog mismatch. */
  force?: boolean | undefined;
  config: Config;
  paths: PathEnvironment;
  signal?: AbortSignal | undefined;
  /** Bytes copied (or hashed, with `link`) so far, of the total. */
  onProgress?: ((doneBytes: number, totalBytes: number) => void) | undefined;
}

/** What an import did. */
export interface ImportedModelResult {
  /** The id to use with `--model`: a catalog id or the new id. */
  id: string;
  /** Whether `id` is a catalog id (the file sits where its download would). */
  catalog: boolean;
  /** The file in the cache. */
  path: string;
  /** The file it came from. */
  source: string;
  linked: boolean;
  sizeBytes: number;
  sha256: string;
  architecture: string;
  name: string | undefined;
  /** `already-imported`: the same file was there already, nothing was copied. */
  outcome: "imported" | "replaced" | "already-imported";
  /** With `force`: why the file does not look like the catalog model it was imported as. */
  mismatch: string | undefined;
}

interface Target {
  id: string;
  entry: CatalogEntry | undefined;
  destination: string;
  reference: HuggingFaceReference | undefined;
}

async function checkSource(source: string): Promise<number> {
  const stats = await fs.stat(source).catch((error: unknown) => {
    throw new ModelError("model_not_found", `No file at ${source}.`, {
      hint: "Check the path (a relative path starts from the current folder).",
      cause: error,
    });
  });
  if (stats.isDirectory()) {
    throw new UsageError(`${source} is a folder, not a model file.`, {
      hint: `Name the .gguf file inside it: cmdai models import ${path.join(source, "<file>.gguf")}`,
    });
  }
  if (!stats.isFile())
    throw new UsageError(`${source} is not a regular file.`, { hint: "Name a .gguf file." });
  if (expandSplitFileNames(path.basename(source)).length > 1) throw splitError(source);
  return stats.size;
}

function splitError(source: string): UsageError {
  return new UsageError(`${source} is one part of a split GGUF; import takes a single-file model.`, {
    hint: "Merge the parts with llama.cpp's `llama-gguf-split --merge`, or pass the first part to --model as it is.",
  });
}

/** Where the file goes: the catalog entry it is (named or matched), else its own id. */
async function chooseTarget(
  options: ImportModelOptions,
  sizeBytes: number,
  digest: () => Promise<string>,
): Promise<Target> {
  let entry = options.as === undefined ? undefined : findCatalogEntry(options.as);
  let id: string;
  if (entry !== undefined) {
    id = entry.id;
  } else if (options.as !== undefined) {
    id = normalizeModelId(options.as);
  } else {
    const candidates = catalogCandidatesBySize(sizeBytes);
    entry =
      candidates.length === 0
        ? undefined
        : findCatalogMatch({ sizeBytes, sha256: await digest() }, candidates);
    const derived = entry?.id ?? deriveModelId(options.source);
    if (derived === undefined) {
      throw new UsageError(`No model id can be made from the name ${path.basename(options.source)}.`, {
        hint: "Name one with --as <id> (lower-case letters, digits, '.', '_', '-').",
      });
    }
    id = derived;
    entry = findCatalogEntry(id);
  }
  const reference = parseModelReference(id);
  if (reference.kind !== "hf" && reference.kind !== "imported") throw new Error(`Unexpected id ${id}.`);
  const root = modelsRoot(options.config, options.paths);
  const destination = cachePaths(reference, root)[0] ?? "";
  return { id, entry, destination, reference: reference.kind === "hf" ? reference : undefined };
}

/** Whether `destination` already holds this very file (same inode, a link to it, or the same bytes). */
async function holdsSameFile(
  destination: string,
  source: string,
  sizeBytes: number,
  manifest: ModelManifest | undefined,
  digest: () => Promise<string>,
): Promise<boolean> {
  const [there, here] = await Promise.all([fs.stat(destination).catch(() => undefined), fs.stat(source)]);
  if (there === undefined) return false;
  if (there.dev === here.dev && there.ino === here.ino) return true;
  if (there.size !== sizeBytes) return false;
  const expected = manifest?.sha256 ?? (await sha256OfFile(destination)).sha256;
  return expected === (await digest());
}

function takenError(target: Target, destination: string): UsageError {
  return new UsageError(
    target.entry === undefined
      ? `The id ${target.id} is already taken by another file (${destination}).`
      : `${target.id} is already installed from another file (${destination}).`,
    {
      hint: `Pass --force to replace it${target.entry === undefined ? ", or --as <another id> to keep both" : ""}.`,
    },
  );
}

function mismatchError(entry: CatalogEntry, mismatch: string, source: string, sizeBytes: number): ModelError {
  // Same size as the recorded file but different bytes is a checksum problem; anything else is another model.
  const code = entry.file?.sizeBytes === sizeBytes ? "checksum_mismatch" : "model_invalid";
  return new ModelError(code, `${source} does not match catalog model ${entry.id}: ${mismatch}.`, {
    hint: `${entry.id} is ${entry.reference}; import this file under its own id with --as <id>, or add --force to use it as ${entry.id} anyway.`,
  });
}

/** Imports a GGUF (see the module comment). Throws typed errors for every bad input. */
export async function importModel(options: ImportModelOptions): Promise<ImportedModelResult> {
  const source = options.source;
  const sizeBytes = await checkSource(source);
  const header: GgufHeader = await readGgufHeaderFile(source);
  if (header.splitCount !== undefined && header.splitCount > 1) throw splitError(source);
  // The digest costs a full read, so it is computed once and only when something needs it.
  let digestPromise: Promise<string> | undefined;
  const digest = (): Promise<string> => {
    digestPromise ??= sha256OfFile(source, { signal: options.signal, onProgress: options.onProgress }).then(
      (file) => file.sha256,
    );
    return digestPromise;
  };
  const target = await chooseTarget(options, sizeBytes, digest);
  let mismatch: string | undefined;
  if (target.entry !== undefined) {
    mismatch = catalogMismatch(target.entry, {
      sizeBytes,
      sha256: needsDigest(target.entry) ? await digest() : undefined,
    });
    if (mismatch !== undefined && options.force !== true)
      throw mismatchError(target.entry, mismatch, source, sizeBytes);
  }
  const destination = target.destination;
  await fs.mkdir(path.dirname(destination), { recursive: true });
  return await withFileLock(`${destination}.lock`, { signal: options.signal }, async () => {
    const manifest = await readManifest(destination);
    const present = (await fs.lstat(destination).catch(() => undefined)) !== undefined;
    const base = {
      id: target.id,
      catalog: target.entry !== undefined,
      path: destination,
      source,
      architecture: header.architecture,
      name: header.name,
      mismatch,
    };
    if (present && (await holdsSameFile(destination, source, sizeBytes, manifest, digest))) {
      const recorded = manifest ?? (await record(target, destination, source, header, await digest()));
      return {
        ...base,
        linked: recorded.linked === true,
        sizeBytes: recorded.sizeBytes,
        sha256: recorded.sha256,
        outcome: "already-imported",
      };
    }
    if (present && options.force !== true) throw takenError(target, destination);
    await removeStaleTemporaries(destination);
    // A stale manifest must not vouch for the new file if the process dies between the rename and the write.
    await fs.rm(`${destination}.manifest.json`, { force: true });
    let transferred: TransferredFile;
    if (options.link === true) {
      transferred = { sizeBytes, sha256: await digest() };
      await linkAtomically(source, destination);
    } else {
      transferred = await copyFileAtomically(source, destination, {
        signal: options.signal,
        onProgress: options.onProgress,
      });
    }
    await record(target, destination, source, header, transferred.sha256, transferred.sizeBytes);
    return {
      ...base,
      linked: options.link === true,
      sizeBytes: transferred.sizeBytes,
      sha256: transferred.sha256,
      outcome: present ? "replaced" : "imported",
    };
  });
}

/** Writes the manifest that makes the file a verified cache entry, as a download's would. */
async function record(
  target: Target,
  destination: string,
  source: string,
  header: GgufHeader,
  sha256: string,
  sizeBytes?: number,
): Promise<ModelManifest> {
  const stats = await fs.lstat(destination);
  const manifest = newManifest({
    reference: target.id,
    repo: target.reference?.repo,
    revision: target.reference?.revision,
    file: target.reference?.file ?? path.basename(destination),
    url: pathToFileURL(source).href,
    sizeBytes: sizeBytes ?? (await fs.stat(destination)).size,
    sha256,
    sha256Announced: false,
    importedFrom: source,
    linked: stats.isSymbolicLink(),
    architecture: header.architecture,
    name: header.name,
  });
  await writeManifest(destination, manifest);
  return manifest;
}

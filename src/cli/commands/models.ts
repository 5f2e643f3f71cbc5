/**
 * `cmdai models list | pull <ref> | import <file> | rm <ref> | verify [<ref>] | path <ref>`. Results go to
 * stdout (plain text, or one JSON object with `json`); progress and notes go to stderr.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathEnvironmentFrom, type PathEnvironment } from "../../config/paths.js";
import type { Config } from "../../config/schema.js";
import { ExitCode, ModelError, UsageError } from "../../errors.js";
import { CATALOG, CATALOG_VERSION, formatBytes, recommendModel } from "../../models/catalog.js";
import type { RetryPolicy } from "../../retry-delay.js";
import { hashFile } from "../../models/download-file.js";
import {
  cachePaths,
  listCachedModels,
  listImportedModels,
  modelsRoot,
  readManifest,
  removeCachedFile,
} from "../../models/model-cache.js";
import { formatModelReference, parseModelReference } from "../../models/model-reference.js";
import {
  findInstalledModel,
  notImportedError,
  pullCommand,
  pullModel,
  type ResolvedModelFile,
} from "../../models/resolve-model-file.js";
import { createDownloadProgressRenderer } from "../download-progress.js";
import type { CliIo } from "../io.js";
import { runModelsImport } from "./models-import.js";
import { showModelPath } from "./models-path.js";

export const MODELS_ACTIONS = ["list", "pull", "import", "rm", "verify", "path"] as const;
export type ModelsAction = (typeof MODELS_ACTIONS)[number];

export interface ModelsCommandOptions {
  action: ModelsAction;
  /** The model reference (required for pull, rm, path; optional for verify). */
  reference?: string | undefined;
  /** One JSON object on stdout instead of text. Default false. */
  json?: boolean | undefined;
  config: Config;
  /** `--offline`. Default false (config `offline` and `HF_HUB_OFFLINE` also apply). */
  offline?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Default: from `io.env` and the running platform. */
  paths?: PathEnvironment | undefined;
  /** Free GPU memory when known, for the recommendation. */
  freeVramBytes?: number | undefined;
  /** Retry tuning (tests). */
  retry?: RetryPolicy | undefined;
  /** import (and pull of a local file): `--as <id>`. */
  as?: string | undefined;
  /** import: `--link`, a symlink instead of a copy. */
  link?: boolean | undefined;
  /** import: `--force`, replace another file under the same id. */
  force?: boolean | undefined;
}

/** `--as`, `--link` and `--force` only mean something when a file is imported. */
function rejectImportFlags(options: ModelsCommandOptions): void {
  const given = [
    options.as === undefined ? undefined : "--as",
    options.link === true ? "--link" : undefined,
    options.force === true ? "--force" : undefined,
  ].filter((flag) => flag !== undefined);
  if (given.length > 0) {
    throw new UsageError(`${given.join(", ")} only apply to \`cmdai models import\`.`, {
      hint: "e.g. cmdai models import ./model.gguf --as my-model",
    });
  }
}

function importOptions(options: ModelsCommandOptions, io: CliIo, file: string | undefined) {
  return {
    file,
    as: options.as,
    link: options.link,
    force: options.force,
    json: options.json,
    config: options.config,
    paths: pathsFor(options, io),
    signal: options.signal,
  };
}

function pathsFor(options: ModelsCommandOptions, io: CliIo): PathEnvironment {
  return options.paths ?? pathEnvironmentFrom(io.env);
}

function requireReference(options: ModelsCommandOptions): string {
  if (options.reference === undefined || options.reference.trim() === "") {
    throw new UsageError(`\`cmdai models ${options.action}\` needs a model reference.`, {
      hint: "Name a catalog id (see `cmdai models list`), hf:owner/repo/file.gguf or a URL.",
    });
  }
  return options.reference;
}

function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Runs one `cmdai models` action; returns the exit code, throws `CmdaiError` on failure. */
export async function runModelsCommand(options: ModelsCommandOptions, io: CliIo): Promise<number> {
  if (options.action === "import")
    return await runModelsImport(importOptions(options, io, options.reference), io);
  if (options.action === "pull") return await pull(options, io);
  rejectImportFlags(options);
  switch (options.action) {
    case "list":
      return await listModels(options, io);
    case "rm":
      return await remove(options, io);
    case "verify":
      return await verify(options, io);
    case "path":
      return await showModelPath({ ...options, paths: pathsFor(options, io) }, io);
  }
}

async function listModels(options: ModelsCommandOptions, io: CliIo): Promise<number> {
  const paths = pathsFor(options, io);
  const recommendation = recommendModel({
    freeMemoryBytes: os.freemem(),
    freeVramBytes: options.freeVramBytes,
  });
  const catalog = [];
  const catalogPaths = new Set<string>();
  for (const entry of CATALOG) {
    const installed = await findInstalledModel(parseModelReference(entry.id), {
      config: options.config,
      paths,
    });
    for (const file of installed?.files ?? []) catalogPaths.add(file);
    catalog.push({ entry, installed });
  }
  const root = modelsRoot(options.config, paths);
  const imported = await listImportedModels(root);
  const importedPaths = new Set(imported.map((model) => model.path));
  const others = (await listCachedModels(root)).filter(
    (model) => !catalogPaths.has(model.path) && !importedPaths.has(model.path),
  );
  if (options.json === true) {
    writeJson(io, {
      catalogVersion: CATALOG_VERSION,
      recommended: { id: recommendation.entry.id, reason: recommendation.reason },
      catalog: catalog.map(({ entry, installed }) => ({
        ...entry,
        installed: installed !== undefined,
        path: installed?.path ?? null,
        source: installed?.source ?? null,
      })),
      imported: imported.map((model) => ({
        id: model.id,
        path: model.path,
        installed: model.usable,
        sizeBytes: model.manifest?.sizeBytes ?? null,
        sha256: model.manifest?.sha256 ?? null,
        architecture: model.manifest?.architecture ?? null,
        importedFrom: model.manifest?.importedFrom ?? null,
        linked: model.manifest?.linked === true,
      })),
      cached: others.map((model) => ({ path: model.path, ...model.manifest })),
    });
    return ExitCode.ok;
  }
  const rows = catalog.map(({ entry, installed }) => [
    `${entry.id === recommendation.entry.id ? "*" : " "} ${entry.id}`,
    formatBytes(entry.sizeBytes),
    formatBytes(entry.memoryBytes),
    entry.nl2shAlfa.toFixed(2),
    entry.licence,
    installed === undefined ? "not downloaded" : `installed (${installed.source}) ${installed.path}`,
  ]);
  const header = ["  MODEL", "SIZE", "MEMORY", "NL2SH", "LICENCE", "STATUS"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  for (const row of [header, ...rows]) {
    io.stdout.write(
      `${row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd()}\n`,
    );
  }
  io.stdout.write(`\n* recommended: ${recommendation.entry.id} (${recommendation.reason})\n`);
  if (imported.length > 0) {
    io.stdout.write("\nImported models (cmdai --model <id>):\n");
    for (const model of imported) {
      const size = model.manifest === undefined ? "" : `  ${formatBytes(model.manifest.sizeBytes)}`;
      const link = model.manifest?.linked === true ? ` -> ${model.manifest.importedFrom ?? "?"}` : "";
      const state = model.usable ? "" : "  (not usable: missing, truncated or not a GGUF)";
      io.stdout.write(`  ${model.id}${size}  ${model.path}${link}${state}\n`);
    }
  }
  if (others.length > 0) {
    io.stdout.write("\nOther cached models:\n");
    for (const model of others) {
      io.stdout.write(
        `  ${model.manifest.reference}  ${formatBytes(model.manifest.sizeBytes)}  ${model.path}\n`,
      );
    }
  }
  return ExitCode.ok;
}

async function pull(options: ModelsCommandOptions, io: CliIo): Promise<number> {
  const paths = pathsFor(options, io);
  const text = requireReference(options);
  const reference = parseModelReference(text, io.cwd);
  // A file already on this machine has nothing to download: pulling it means bringing it into the cache.
  if (reference.kind === "local") return await runModelsImport(importOptions(options, io, text), io);
  rejectImportFlags(options);
  const resolveOptions = {
    config: options.config,
    env: io.env,
    paths,
    signal: options.signal,
    assumeYes: true,
    offline: options.offline,
    cwd: io.cwd,
    retry: options.retry,
  };
  const installed = await findInstalledModel(reference, resolveOptions);
  let result: ResolvedModelFile & { sha256?: string[]; sizeBytes?: number };
  if (installed !== undefined) {
    io.stderr.write(`${formatModelReference(reference)} is already present (${installed.source}).\n`);
    result = installed;
  } else if (reference.kind === "imported") {
    // An imported id has no source to download from.
    throw notImportedError(reference.id);
  } else {
    const renderer = createDownloadProgressRenderer(io.stderr);
    try {
      result = await pullModel(reference, { ...resolveOptions, onProgress: renderer.onProgress });
    } finally {
      renderer.finish();
    }
  }
  if (options.json === true) writeJson(io, result);
  else io.stdout.write(`${result.path}\n`);
  return ExitCode.ok;
}

async function remove(options: ModelsCommandOptions, io: CliIo): Promise<number> {
  const paths = pathsFor(options, io);
  const reference = parseModelReference(requireReference(options), io.cwd);
  if (reference.kind === "local") {
    throw new UsageError("`cmdai models rm` only removes models from cmdai's cache, not local files.");
  }
  const files = cachePaths(reference, modelsRoot(options.config, paths));
  let removed = 0;
  for (const file of files) if (await removeCachedFile(file)) removed++;
  if (removed === 0) {
    throw new ModelError("model_not_found", `${formatModelReference(reference)} is not in cmdai's cache.`, {
      hint: "See `cmdai models list`. Files in the Hugging Face hub cache are left to huggingface-cli.",
    });
  }
  if (options.json === true) writeJson(io, { reference: formatModelReference(reference), removed: files });
  else io.stdout.write(`Removed ${files.join(", ")}\n`);
  return ExitCode.ok;
}

interface VerifyResult {
  path: string;
  reference: string;
  ok: boolean;
  expectedSha256: string | null;
  actualSha256: string;
  sizeBytes: number;
  removed: boolean;
}

async function verifyFile(file: string, reference: string, removeOnFailure: boolean): Promise<VerifyResult> {
  const manifest = await readManifest(file);
  // A hub-cache snapshot links to blobs/<sha256> for LFS files: the blob name is the expected digest.
  const blobName = path.basename(await fs.realpath(file).catch(() => file));
  const expected = manifest?.sha256 ?? (/^[0-9a-f]{64}$/.test(blobName) ? blobName : null);
  const { hash, bytes } = await hashFile(file);
  const actual = hash.digest("hex");
  const ok =
    (expected === null || expected === actual) && (manifest === undefined || manifest.sizeBytes === bytes);
  const removed = !ok && removeOnFailure && (await removeCachedFile(file));
  return {
    path: file,
    reference,
    ok,
    expectedSha256: expected,
    actualSha256: actual,
    sizeBytes: bytes,
    removed,
  };
}

async function verify(options: ModelsCommandOptions, io: CliIo): Promise<number> {
  const paths = pathsFor(options, io);
  const results: VerifyResult[] = [];
  if (options.reference === undefined) {
    for (const model of await listCachedModels(modelsRoot(options.config, paths))) {
      results.push(await verifyFile(model.path, model.manifest.reference, true));
    }
  } else {
    const reference = parseModelReference(options.reference, io.cwd);
    const installed = await findInstalledModel(reference, { config: options.config, paths });
    if (installed === undefined && reference.kind === "imported") throw notImportedError(reference.id);
    if (installed === undefined) {
      throw new ModelError("model_not_found", `${formatModelReference(reference)} is not downloaded.`, {
        hint: `Run \`${pullCommand(formatModelReference(reference))}\`.`,
      });
    }
    for (const file of installed.files)
      results.push(await verifyFile(file, installed.reference, installed.source === "cache"));
  }
  const failed = results.filter((result) => !result.ok);
  if (options.json === true) {
    writeJson(io, { ok: failed.length === 0, files: results });
  } else {
    if (results.length === 0) io.stdout.write("No models in the cache.\n");
    for (const result of results) {
      io.stdout.write(
        result.ok
          ? `ok      ${result.actualSha256}  ${result.path}\n`
          : `FAILED  expected ${result.expectedSha256 ?? "?"}, got ${result.actualSha256}  ${result.path}${result.removed ? " (removed)" : ""}\n`,
      );
    }
  }
  if (failed.length === 0) return ExitCode.ok;
  io.stderr.write(
    `Checksum mismatch in ${failed.length} file(s); run \`${pullCommand(failed[0]?.reference ?? "<model>")}\` to download again.\n`,
  );
  return ExitCode.unavailable;
}

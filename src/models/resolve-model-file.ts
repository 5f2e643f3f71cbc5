/**
 * From a model reference to a verified file on disk: local paths as they are, then cmdai's cache, then the
 * Hugging Face hub cache, and only then — with consent and never when offline — a download. This is what the
 * embedded backend calls before loading a model, and what `cmdai models pull` runs.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { PathEnvironment } from "../config/paths.js";
import type { Config } from "../config/schema.js";
import { ModelError, UsageError } from "../errors.js";
import { findCatalogEntry, formatBytes } from "./catalog.js";
import type { DownloadSubject } from "./download-errors.js";
import type { DownloadProgressEvent } from "./download-file.js";
import type { RetryPolicy } from "../retry-delay.js";
import {
  createDownloadDispatcher,
  huggingFaceEndpoint,
  huggingFaceToken,
  offlineFromEnvironment,
  requestRemote,
} from "./hub-http.js";
import {
  cachePaths,
  findCachedFiles,
  findHubCacheFiles,
  modelsRoot,
  newManifest,
  readManifest,
  writeManifest,
} from "./model-cache.js";
import {
  formatModelReference,
  parseModelReference,
  type HuggingFaceReference,
  type ModelReference,
  type UrlReference,
} from "./model-reference.js";

/** Asked before a large download; resolves true to download. */
export type ConfirmDownload = (info: {
  reference: string;
  sizeBytes?: number | undefined;
  destination: string;
}) => Promise<boolean>;

/** Everything model resolution needs; the same fields as a backend's settings where they overlap. */
export interface ResolveModelOptions {
  config: Config;
  env: NodeJS.ProcessEnv;
  paths: PathEnvironment;
  signal?: AbortSignal | undefined;
  onProgress?: ((event: DownloadProgressEvent) => void) | undefined;
  confirmDownload?: ConfirmDownload | undefined;
  /** `--yes`: download without asking. */
  assumeYes: boolean;
  /** `--offline`; `config.offline` and `HF_HUB_OFFLINE=1` also count. Default false. */
  offline?: boolean | undefined;
  /** Resolves relative local paths. Default: the process's folder. */
  cwd?: string | undefined;
  /** Retry tuning (tests shorten it). Default: `DOWNLOAD_RETRY_POLICY`. */
  retry?: RetryPolicy | undefined;
}

/** Where a resolved model came from. */
export type ModelSource = "local" | "cache" | "hf-cache" | "download";

export interface ResolvedModelFile {
  /** The file to load: the only file, or the first part of a split GGUF (llama.cpp finds the rest). */
  path: string;
  /** Every file of the set. */
  files: string[];
  /** The canonical reference (`cmdai models pull` accepts it). */
  reference: string;
  source: ModelSource;
}

/** Whether the network is off limits: `--offline`, config `offline`, or `HF_HUB_OFFLINE`. */
export function isOffline(options: Pick<ResolveModelOptions, "config" | "env" | "offline">): boolean {
  return options.offline === true || options.config.offline || offlineFromEnvironment(options.env);
}

/** `cmdai models pull <reference>`, quoted for a POSIX shell when needed. */
export function pullCommand(reference: string): string {
  const quoted = /^[A-Za-z0-9._/:@%+=,-]+$/.test(reference)
    ? reference
    : `'${reference.replaceAll("'", `'\\''`)}'`;
  return `cmdai models pull ${quoted}`;
}

interface RemoteSource {
  url: string;
  subject: DownloadSubject;
  token?: string | undefined;
  tokenOrigin?: string | undefined;
}

function encodePath(file: string): string {
  return file.split("/").map(encodeURIComponent).join("/");
}

function remoteSources(
  reference: HuggingFaceReference | UrlReference,
  env: NodeJS.ProcessEnv,
): RemoteSource[] {
  const endpoint = huggingFaceEndpoint(env);
  const tokenOrigin = new URL(endpoint).origin;
  const token = huggingFaceToken(env);
  const canonical = formatModelReference(reference);
  if (reference.kind === "hf") {
    return reference.files.map((file) => ({
      url: `${endpoint}/${reference.repo}/resolve/${encodeURIComponent(reference.revision)}/${encodePath(file)}`,
      subject: { repo: reference.repo, file, pageUrl: `${endpoint}/${reference.repo}`, reference: canonical },
      token,
      tokenOrigin,
    }));
  }
  return reference.urls.map((url) => ({
    url,
    subject: {
      file: decodeURIComponent(new URL(url).pathname.split("/").at(-1) ?? url),
      pageUrl: url,
      reference: canonical,
    },
    // The token only ever goes to the hub itself, even for a plain URL.
    token,
    tokenOrigin,
  }));
}

function offlineError(reference: string): ModelError {
  return new ModelError(
    "offline",
    `Model ${reference} is not in the cache, and cmdai is offline (HF_HUB_OFFLINE, --offline or config offline).`,
    {
      hint: `Go online and run \`${pullCommand(reference)}\`, or bring a file you have: \`cmdai models import FILE.gguf\` (or pass --model /path/to/model.gguf).`,
    },
  );
}

/** The result of a pull. */
export interface PulledModel extends ResolvedModelFile {
  sha256: string[];
  sizeBytes: number;
}

/**
 * Downloads every file of a remote reference into cmdai's cache (skipping verified files already there) under
 * a per-file lock, so a second process waits and then reuses the first one's result.
 */
export async function pullModel(
  reference: HuggingFaceReference | UrlReference,
  options: ResolveModelOptions,
): Promise<PulledModel> {
  const canonical = formatModelReference(reference);
  if (isOffline(options)) throw offlineError(canonical);
  const destinations = cachePaths(reference, modelsRoot(options.config, options.paths));
  const sources = remoteSources(reference, options.env);
  // Imported here: resolving a model already on disk (every request) needs none of the download client.
  const [{ downloadFile }, { withFileLock }] = await Promise.all([
    import("./download-file.js"),
    import("./file-lock.js"),
  ]);
  const dispatcher = await createDownloadDispatcher(options.env);
  const outcome = { downloaded: false };
  const digests: string[] = [];
  let sizeBytes = 0;
  try {
    for (const [index, destination] of destinations.entries()) {
      const source = sources[index];
      if (source === undefined) continue;
      await fs.mkdir(path.dirname(destination), { recursive: true });
      const manifest = await withFileLock(
        `${destination}.lock`,
        {
          signal: options.signal,
          onWait: (pid) => {
            options.onProgress?.({
              kind: "status",
              label: source.subject.file,
              message: `waiting for another cmdai process${pid === undefined ? "" : ` (pid ${pid})`} that is downloading it`,
            });
          },
        },
        async () => {
          const existing = await readManifest(destination);
          if (
            existing !== undefined &&
            (await fs.stat(destination).catch(() => undefined))?.size === existing.sizeBytes
          ) {
            return existing;
          }
          const result = await downloadFile({
            ...source,
            destination,
            dispatcher,
            signal: options.signal,
            onProgress: options.onProgress,
            retry: options.retry,
          });
          outcome.downloaded = true;
          const written = newManifest({
            reference: canonical,
            repo: source.subject.repo,
            revision: reference.kind === "hf" ? reference.revision : undefined,
            commit: result.info.commit,
            file: source.subject.file,
            url: source.url,
            sizeBytes: result.sizeBytes,
            sha256: result.sha256,
            sha256Announced: result.info.sha256 !== undefined,
          });
          await writeManifest(destination, written);
          return written;
        },
      );
      digests.push(manifest.sha256);
      sizeBytes += manifest.sizeBytes;
    }
  } finally {
    await dispatcher.close();
  }
  return {
    path: destinations[0] ?? "",
    files: destinations,
    reference: canonical,
    source: outcome.downloaded ? "download" : "cache",
    sha256: digests,
    sizeBytes,
  };
}

/**
 * A model already on disk (local path, cmdai cache — downloaded, imported or placed there by hand — or the hub
 * cache), without touching the network.
 */
export async function findInstalledModel(
  reference: ModelReference,
  options: Pick<ResolveModelOptions, "config" | "paths">,
): Promise<ResolvedModelFile | undefined> {
  const canonical = formatModelReference(reference);
  if (reference.kind === "local") {
    const stats = await fs.stat(reference.path).catch(() => undefined);
    return stats?.isFile() === true
      ? { path: reference.path, files: [reference.path], reference: canonical, source: "local" }
      : undefined;
  }
  const cached = await findCachedFiles(reference, modelsRoot(options.config, options.paths));
  if (cached?.[0] !== undefined)
    return { path: cached[0], files: cached, reference: canonical, source: "cache" };
  if (reference.kind === "hf") {
    const hub = await findHubCacheFiles(reference, options.paths);
    if (hub?.[0] !== undefined) return { path: hub[0], files: hub, reference: canonical, source: "hf-cache" };
  }
  return undefined;
}

async function announcedSize(
  reference: HuggingFaceReference | UrlReference,
  options: ResolveModelOptions,
): Promise<number | undefined> {
  const entry =
    reference.kind === "hf" && reference.catalogId !== undefined
      ? findCatalogEntry(reference.catalogId)
      : undefined;
  if (entry !== undefined) return entry.sizeBytes;
  const dispatcher = await createDownloadDispatcher(options.env);
  try {
    let total = 0;
    for (const source of remoteSources(reference, options.env)) {
      const response = await requestRemote({ ...source, method: "HEAD", dispatcher, signal: options.signal });
      response.body.discard();
      if (response.info.sizeBytes === undefined) return undefined;
      total += response.info.sizeBytes;
    }
    return total;
  } catch {
    // Only for the question; the download itself reports what is wrong.
    return undefined;
  } finally {
    await dispatcher.close();
  }
}

/**
 * Resolves a reference (catalog id, `hf:…`, URL, local path) to a verified file, downloading it on first use
 * when allowed: `assumeYes` or `config.auto_download` skip the question; otherwise `confirmDownload` asks
 * (showing size and destination); with neither, it fails with exit 5 and the exact `cmdai models pull` command.
 * Offline, it never sends a request.
 */
export async function resolveModelFile(
  text: string,
  options: ResolveModelOptions,
): Promise<ResolvedModelFile> {
  const reference = parseModelReference(text, options.cwd);
  const installed = await findInstalledModel(reference, options);
  if (installed !== undefined) return installed;
  const canonical = formatModelReference(reference);
  if (reference.kind === "local") {
    throw new ModelError("model_not_found", `No model file at ${reference.path}.`, {
      hint: "Check the path, or use a catalog id (cmdai models list) to download one.",
    });
  }
  if (reference.kind === "imported") throw notImportedError(reference.id);
  if (isOffline(options)) throw offlineError(canonical);
  const command = pullCommand(canonical);
  if (!options.assumeYes && !options.config.auto_download) {
    if (options.confirmDownload === undefined) {
      const size = sizeText(reference);
      throw new ModelError("model_not_found", `Model ${canonical} is not downloaded yet${size}.`, {
        hint: `Run \`${command}\` first, or pass --yes (or set auto_download = true) to download it now.`,
      });
    }
    const destination = cachePaths(reference, modelsRoot(options.config, options.paths))[0] ?? "";
    const accepted = await options.confirmDownload({
      reference: canonical,
      sizeBytes: await announcedSize(reference, options),
      destination,
    });
    if (!accepted) {
      throw new ModelError("model_not_found", `Download of ${canonical} declined.`, {
        hint: `Run \`${command}\` when convenient, or pass --model /path/to/model.gguf.`,
      });
    }
  }
  return await pullModel(reference, options);
}

/**
 * A bare name that is neither a catalog id nor an imported model: most often a typo, so it stays the usage
 * error (exit 2) it was before imported ids existed, and names both ways to get a model under that name.
 */
export function notImportedError(id: string): UsageError {
  return new UsageError(`Unknown model "${id}": not a catalog id, and no model is imported as ${id}.`, {
    hint: `See \`cmdai models list\`; to bring a file under that name run \`cmdai models import FILE.gguf --as ${id}\`.`,
  });
}

function sizeText(reference: HuggingFaceReference | UrlReference): string {
  // Without a terminal nobody can be asked, so no request is spent just to word the error.
  const entry =
    reference.kind === "hf" && reference.catalogId !== undefined
      ? findCatalogEntry(reference.catalogId)
      : undefined;
  return entry === undefined ? "" : ` (${formatBytes(entry.sizeBytes)})`;
}

/**
 * Downloads one file into place safely: bytes go to `<destination>.part`, resume with `Range` after a dropped
 * connection (within the run, automatically) or a previous run, and only a file whose size and SHA-256 match
 * what the server announced is renamed into place. Ctrl-C (the AbortSignal) leaves a resumable `.part`.
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { Dispatcher } from "undici";
import { InterruptedError, ModelError, isCmdaiError } from "../errors.js";
import { classifyNetworkFailure, type NetworkFailure } from "../network-failure.js";
import { appendBody } from "./body-channel.js";
import { abortableDelay } from "./file-lock.js";
import { formatBytes } from "./catalog.js";
import {
  diskFullError,
  errorCode,
  networkError,
  statusError,
  type DownloadSubject,
} from "./download-errors.js";
import { RemoteRequestError, requestRemote, retryAfterHeader, type RemoteFileInfo } from "./hub-http.js";
import { parseRetryAfter, retryDelay, type RetryPolicy } from "../retry-delay.js";

/** Attempts per file in any case. */
const MAX_ATTEMPTS = 50;

/**
 * How hard a download retries: 7 retries after attempts that made no progress (an attempt that added bytes
 * resets the count and retries at once), 250 ms doubling to 10 s, and a `Retry-After` of up to 60 s, since a
 * download is long anyway and a hub that asks for a pause means it.
 */
export const DOWNLOAD_RETRY_POLICY: RetryPolicy = {
  retries: 7,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Progress of a download for the caller to show (the CLI draws a bar on stderr): bytes so far, or a status
 * line such as a retry. Models own this shape; a backend's wider progress callback accepts it as it is.
 */
export interface DownloadProgressEvent {
  kind: "download" | "status";
  /** The file being downloaded. */
  label: string;
  transferredBytes?: number;
  totalBytes?: number;
  /** Free-form line for `status` events. */
  message?: string;
}

export interface DownloadFileOptions {
  url: string;
  destination: string;
  subject: DownloadSubject;
  dispatcher: Dispatcher;
  token?: string | undefined;
  tokenOrigin?: string | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((event: DownloadProgressEvent) => void) | undefined;
  /** Default {@link DOWNLOAD_RETRY_POLICY}. */
  retry?: RetryPolicy | undefined;
}

export interface DownloadedFile {
  path: string;
  sizeBytes: number;
  sha256: string;
  info: RemoteFileInfo;
}

interface PartMetadata {
  etag?: string | undefined;
  sizeBytes?: number | undefined;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, "utf8")) as unknown;
  } catch {
    return undefined;
  }
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return undefined;
  }
}

/** SHA-256 of the first `length` bytes of a file (all of it by default), as lower-case hex. */
export async function hashFile(file: string, length?: number): Promise<{ hash: Hash; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  if (length === 0) return { hash, bytes };
  const stream = createReadStream(file, length === undefined ? {} : { start: 0, end: length - 1 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { hash, bytes };
}

/** A function so control-flow narrowing does not assume the signal stays unaborted across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly waitMs?: number,
  ) {
    super(message);
  }
}

/** Failed connections in a row to the same unreachable host or proxy before giving up. */
const MAX_UNREACHABLE_FAILURES = 3;

/**
 * The network failure behind `error`, for the hop it happened on (the URL that was asked for, after
 * redirects), naming the proxy the dispatcher sent it through.
 */
async function networkFailureOf(
  error: unknown,
  url: string,
  dispatcher: Dispatcher,
): Promise<NetworkFailure | undefined> {
  const hop = new URL(error instanceof RemoteRequestError ? error.url : url);
  // Loaded already: the dispatcher that failed came from it.
  const { dispatcherProxyFor } = await import("../proxy-dispatcher.js");
  return classifyNetworkFailure(error, { url: hop, proxy: dispatcherProxyFor(dispatcher, hop) });
}

/**
 * Downloads `url` to `destination`, verified. Throws {@link ModelError}: `checksum_mismatch` (the partial file
 * is deleted), `disk_full`, `model_not_found`, `model_download_failed` (also for every network failure, naming
 * the proxy or host; a partial file is kept for the resume); {@link InterruptedError} only when `signal`
 * aborts.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadedFile> {
  const policy = options.retry ?? DOWNLOAD_RETRY_POLICY;
  const partPath = `${options.destination}.part`;
  const metadataPath = `${partPath}.json`;
  await fs.mkdir(path.dirname(options.destination), { recursive: true });
  const emit = (message: string): void => {
    options.onProgress?.({ kind: "status", label: options.subject.file, message });
  };

  let hashState: { hash: Hash; bytes: number } | undefined;
  let info: RemoteFileInfo;
  let failuresWithoutProgress = 0;
  let unreachableFailures = 0;
  /** The URL the current attempt is reading, after redirects. */
  let bodyUrl = options.url;
  for (let attempt = 1; ; attempt++) {
    if (isAborted(options.signal))
      throw new InterruptedError("Download interrupted; run it again to resume.");
    const metadata = (await readJson(metadataPath)) as PartMetadata | undefined;
    let offset = (await fileSize(partPath)) ?? 0;
    if (offset > 0 && metadata?.etag === undefined) {
      // A partial file we cannot tie to a remote version is worthless: start over.
      await fs.rm(partPath, { force: true });
      offset = 0;
    }
    const startedAt = offset;
    bodyUrl = options.url;
    // Everything slow happens before the request, so the body is consumed the moment it arrives: bytes that
    // sit unread in a buffer when the connection drops are lost to the resume.
    if (hashState?.bytes !== offset) hashState = await hashFile(partPath, offset);
    const file = await fs.open(partPath, "a");
    try {
      const response = await requestRemote({
        url: options.url,
        method: "GET",
        token: options.token,
        tokenOrigin: options.tokenOrigin,
        rangeStart: offset,
        dispatcher: options.dispatcher,
        signal: options.signal,
      });
      info = response.info;
      bodyUrl = response.finalUrl;
      const { statusCode } = response;
      const sameVersion = metadata?.etag === undefined || metadata.etag === info.etag;
      if (statusCode === 416 && sameVersion && offset > 0) {
        // Nothing past our partial file: verify what we have (a short or corrupt file fails the checksum).
        response.body.discard();
        break;
      }
      if (statusCode === 429 || statusCode >= 500) {
        const waitMs = parseRetryAfter(retryAfterHeader(response.headers));
        response.body.discard();
        throw new RetryableFailure(`HTTP ${statusCode}`, waitMs);
      }
      if (statusCode !== 200 && statusCode !== 206 && statusCode !== 416) {
        response.body.discard();
        throw statusError(statusCode, options.subject, options.url);
      }
      const contentStart = Number.parseInt(
        /bytes (\d+)-/.exec(String(response.headers["content-range"]))?.[1] ?? "-1",
        10,
      );
      if (statusCode === 200 && offset > 0) {
        // The server ignored the range: take the whole file from this answer.
        await file.truncate(0);
        hashState = { hash: createHash("sha256"), bytes: 0 };
        offset = 0;
        emit("the server cannot resume; starting over");
      } else if (statusCode !== 200 && (statusCode !== 206 || !sameVersion || contentStart !== offset)) {
        // The remote file changed, or the server answered another range: the partial file is worthless.
        response.body.discard();
        await file.truncate(0);
        hashState = undefined;
        throw new RetryableFailure("the remote file changed since the partial download; starting over");
      }
      const state = hashState;
      const total = info.sizeBytes;
      let lastEmit = 0;
      const onChunk = (chunk: Buffer): void => {
        state.hash.update(chunk);
        state.bytes += chunk.length;
        const now = Date.now();
        if (now - lastEmit >= 100) {
          lastEmit = now;
          options.onProgress?.({
            kind: "download",
            label: options.subject.file,
            transferredBytes: state.bytes,
            ...(total === undefined ? {} : { totalBytes: total }),
          });
        }
      };
      const appending = appendBody(response.body, file, onChunk);
      // The body may fail while the metadata is written below; it is awaited after that, so mark it handled
      // now (an unhandled rejection would kill the process before the resume could happen).
      appending.catch(() => undefined);
      try {
        if (offset === 0) {
          await fs.writeFile(metadataPath, JSON.stringify({ etag: info.etag, sizeBytes: info.sizeBytes }));
        } else {
          emit(`resuming at ${formatBytes(offset)}`);
        }
        if (total !== undefined) await ensureFreeSpace(options.destination, total - offset);
      } catch (error) {
        response.body.destroy();
        await appending.catch(() => undefined);
        throw error;
      }
      try {
        await appending;
      } catch (error) {
        // After a failed write the hash may cover bytes the disk lacks; rehash from the file next time.
        if ((await fileSize(partPath)) !== state.bytes) hashState = undefined;
        throw error;
      }
      options.onProgress?.({
        kind: "download",
        label: options.subject.file,
        transferredBytes: state.bytes,
        totalBytes: total ?? state.bytes,
      });
      if (total !== undefined && state.bytes < total) {
        throw new RetryableFailure(`connection closed at ${state.bytes} of ${total} bytes`);
      }
      break;
    } catch (error) {
      // Only the caller's signal is the user cancelling: undici reports a proxy that refuses the tunnel as
      // an `AbortError` as well, and that is a network failure (exit 5), never Ctrl-C (exit 130).
      if (isAborted(options.signal)) {
        throw new InterruptedError("Download interrupted; run it again to resume.", { cause: error });
      }
      if (errorCode(error) === "ENOSPC") throw diskFullError(options.destination, error);
      if (isCmdaiError(error)) throw error;
      const partialBytes = (await fileSize(partPath)) ?? 0;
      const progressed = partialBytes > startedAt;
      failuresWithoutProgress = progressed ? 0 : failuresWithoutProgress + 1;
      const failure = await networkFailureOf(error, bodyUrl, options.dispatcher);
      const failed = (found: NetworkFailure): ModelError =>
        networkError(found, options.subject, bodyUrl, { cause: error, partialBytes });
      // A proxy's policy (403, 407) does not change between attempts: say so at once.
      if (failure?.retryable === false) throw failed(failure);
      const unreachable =
        failure?.kind === "proxy_unreachable" ||
        failure?.kind === "host_unreachable" ||
        failure?.kind === "proxy_upstream";
      unreachableFailures = unreachable ? unreachableFailures + 1 : 0;
      if (failure !== undefined && unreachableFailures >= MAX_UNREACHABLE_FAILURES) throw failed(failure);
      // The second bound stops a server that sends bytes and then makes us discard them, again and again.
      if (failuresWithoutProgress > policy.retries || attempt >= MAX_ATTEMPTS) {
        if (failure !== undefined) throw failed(failure);
        throw new ModelError(
          "model_download_failed",
          `Downloading ${options.subject.file} failed after ${attempt} attempts: ${error instanceof Error ? error.message : String(error)}.`,
          {
            cause: error,
            isRetryable: true,
            hint: `Run \`cmdai models pull ${options.subject.reference}\` again later; it resumes where it stopped.`,
          },
        );
      }
      const retryAfterMs = error instanceof RetryableFailure ? error.waitMs : undefined;
      const waitMs =
        progressed && retryAfterMs === undefined
          ? 0
          : retryDelay({ retryIndex: Math.max(0, failuresWithoutProgress - 1), retryAfterMs, policy });
      emit(
        `${failure?.reason ?? (error instanceof Error ? error.message : String(error))}; retrying${waitMs > 0 ? ` in ${(waitMs / 1000).toFixed(1)} s` : ""}`,
      );
      await abortableDelay(waitMs, options.signal);
    } finally {
      await file.close();
    }
  }
  return await verifyAndPlace(options, partPath, metadataPath, info, hashState);
}

async function verifyAndPlace(
  options: DownloadFileOptions,
  partPath: string,
  metadataPath: string,
  info: RemoteFileInfo,
  hashState: { hash: Hash; bytes: number } | undefined,
): Promise<DownloadedFile> {
  const size = (await fileSize(partPath)) ?? 0;
  const state = hashState?.bytes === size ? hashState : await hashFile(partPath);
  const actual = state.hash.digest("hex");
  const sizeWrong = info.sizeBytes !== undefined && size !== info.sizeBytes;
  if (sizeWrong || (info.sha256 !== undefined && actual !== info.sha256)) {
    await fs.rm(partPath, { force: true });
    await fs.rm(metadataPath, { force: true });
    throw new ModelError(
      "checksum_mismatch",
      `Checksum mismatch for ${options.subject.file}: expected SHA-256 ${info.sha256 ?? "(not announced)"} and ${info.sizeBytes ?? "?"} bytes, got ${actual} and ${size} bytes. The corrupt download was deleted.`,
      {
        isRetryable: true,
        hint: `Run \`cmdai models pull ${options.subject.reference}\` again; if it keeps failing, a proxy or mirror is altering the file.`,
      },
    );
  }
  await fs.rename(partPath, options.destination);
  await fs.rm(metadataPath, { force: true });
  return { path: options.destination, sizeBytes: size, sha256: actual, info };
}

async function ensureFreeSpace(destination: string, neededBytes: number): Promise<void> {
  let available: number;
  try {
    const stats = await fs.statfs(path.dirname(destination));
    available = stats.bavail * stats.bsize;
  } catch {
    return;
  }
  if (available < neededBytes) {
    throw new ModelError(
      "disk_full",
      `Not enough disk space in ${path.dirname(destination)}: ${formatBytes(neededBytes)} needed, ${formatBytes(available)} free.`,
      {
        hint: "Free some space or set [models] dir to a folder on another disk, then run the command again.",
      },
    );
  }
}

/**
 * Putting a file into the cache so that it is either entirely there or not there at all: bytes go to a
 * temporary file in the destination's own folder (so the final rename never crosses file systems), are
 * fsynced, and only then renamed over the destination. A failure or Ctrl-C removes the temporary file; a
 * kill -9 can leave one, but its name never ends in `.gguf`, so nothing takes it for a model, and the next
 * import of the same destination clears it.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { InterruptedError, ModelError } from "../errors.js";

/** Temporary files end with this; `<destination>.<pid>.<random>.import.tmp`. */
export const TEMPORARY_SUFFIX = ".import.tmp";

const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

export interface TransferOptions {
  signal?: AbortSignal | undefined;
  /** Called after each chunk with the bytes done so far and the total. */
  onProgress?: ((doneBytes: number, totalBytes: number) => void) | undefined;
  /** Bytes per read (tests make it small). Default 4 MiB. */
  chunkBytes?: number | undefined;
}

/** The bytes copied (or hashed) and their SHA-256. */
export interface TransferredFile {
  sizeBytes: number;
  sha256: string;
}

function temporaryPathFor(destination: string): string {
  return `${destination}.${process.pid}.${randomBytes(4).toString("hex")}${TEMPORARY_SUFFIX}`;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new InterruptedError("Interrupted: nothing was imported.");
}

function diskFull(destination: string, error: unknown): ModelError {
  return new ModelError("disk_full", `Not enough disk space to copy the model to ${destination}.`, {
    hint: "Free some space, or import with --link to use the file where it is.",
    cause: error,
  });
}

/** Makes a finished rename survive a crash; file systems that cannot fsync a folder (Windows) just skip it. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, "r").catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}

/**
 * Deletes temporary files a killed import left for `destination`. Call it holding the destination's lock,
 * so no live import's temporary file is taken.
 */
export async function removeStaleTemporaries(destination: string): Promise<void> {
  const folder = path.dirname(destination);
  const prefix = `${path.basename(destination)}.`;
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith(TEMPORARY_SUFFIX)) {
      await fs.rm(path.join(folder, name), { force: true });
    }
  }
}

/** Reads `source` in chunks, giving each to `consume`; returns the SHA-256 of everything read. */
async function streamFile(
  source: string,
  options: TransferOptions,
  consume: (chunk: Buffer) => Promise<void>,
): Promise<TransferredFile> {
  const input = await fs.open(source, "r");
  try {
    const total = (await input.stat()).size;
    const hash = createHash("sha256");
    const buffer = Buffer.alloc(options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    let done = 0;
    for (;;) {
      throwIfAborted(options.signal);
      const { bytesRead } = await input.read(buffer, 0, buffer.length, done);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      await consume(chunk);
      done += bytesRead;
      options.onProgress?.(done, total);
    }
    return { sizeBytes: done, sha256: hash.digest("hex") };
  } finally {
    await input.close();
  }
}

/** The SHA-256 of a file, read in chunks, cancellable. */
export async function sha256OfFile(file: string, options: TransferOptions = {}): Promise<TransferredFile> {
  return await streamFile(file, options, () => Promise.resolve());
}

/** Copies `source` to `destination` atomically (see the module comment); returns what was copied. */
export async function copyFileAtomically(
  source: string,
  destination: string,
  options: TransferOptions = {},
): Promise<TransferredFile> {
  const temporary = temporaryPathFor(destination);
  const output = await fs.open(temporary, "wx", 0o644);
  let closed = false;
  try {
    const copied = await streamFile(source, options, async (chunk) => {
      let written = 0;
      while (written < chunk.length) {
        written += (await output.write(chunk, written, chunk.length - written)).bytesWritten;
      }
    });
    await output.sync();
    await output.close();
    closed = true;
    throwIfAborted(options.signal);
    await fs.rename(temporary, destination);
    await syncFolder(path.dirname(destination));
    return copied;
  } catch (error) {
    if (!closed) await output.close().catch(() => undefined);
    await fs.rm(temporary, { force: true });
    if ((error as NodeJS.ErrnoException).code === "ENOSPC") throw diskFull(destination, error);
    throw error;
  }
}

/** Points `destination` at `target` (absolute) with a symlink, replacing whatever was there in one rename. */
export async function linkAtomically(target: string, destination: string): Promise<void> {
  const temporary = temporaryPathFor(destination);
  try {
    await fs.symlink(target, temporary, "file");
    await fs.rename(temporary, destination);
    await syncFolder(path.dirname(destination));
  } catch (error) {
    await fs.rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EPERM" || code === "EACCES") {
      throw new ModelError("model_invalid", `Cannot create a symlink at ${destination} (${code}).`, {
        hint: "Import without --link to copy the file instead (on Windows, links need Developer Mode).",
        cause: error,
      });
    }
    throw error;
  }
}

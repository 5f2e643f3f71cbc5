/**
 * A cross-process lock file so two cmdai processes never write the same model at once. The lock holds the
 * owner's pid, host and start time and is touched while held; a lock whose owner is dead (same host) or that
 * has not been touched for a while (another host, a frozen process) is stale and taken over.
 */
import fs from "node:fs/promises";
import os from "node:os";
import { InterruptedError } from "../errors.js";
import { isProcessAlive } from "../process-alive.js";

/** Options for {@link withFileLock}. */
export interface FileLockOptions {
  /** Called once when the lock is busy, with the owner's pid. */
  onWait?: ((ownerPid: number | undefined) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** A lock untouched this long is stale. Default 30 s (the holder touches it every 5 s). */
  staleAfterMs?: number | undefined;
  /** How often a waiter looks again. Default 200 ms. */
  pollMs?: number | undefined;
}

interface LockContent {
  pid: number;
  host: string;
  startedAt: string;
}

async function readLock(
  lockPath: string,
): Promise<{ content?: LockContent; modifiedMs: number } | undefined> {
  try {
    const [text, stats] = await Promise.all([fs.readFile(lockPath, "utf8"), fs.stat(lockPath)]);
    try {
      return { content: JSON.parse(text) as LockContent, modifiedMs: stats.mtimeMs };
    } catch {
      // Being written right now, or truncated by a crash: judge it by its age alone.
      return { modifiedMs: stats.mtimeMs };
    }
  } catch {
    return undefined;
  }
}

function isStale(lock: { content?: LockContent; modifiedMs: number }, staleAfterMs: number): boolean {
  if (Date.now() - lock.modifiedMs > staleAfterMs) return true;
  const content = lock.content;
  return content !== undefined && content.host === os.hostname() && !isProcessAlive(content.pid);
}

/**
 * Wait `milliseconds`, or reject with `InterruptedError` as soon as `signal` aborts (also when it already
 * has). Shared by the lock's polling and the downloader's retry back-off.
 */
export function abortableDelay(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new InterruptedError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, milliseconds);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Runs `action` holding the lock at `lockPath`, waiting for (or taking over a stale) lock first. */
export async function withFileLock<T>(
  lockPath: string,
  options: FileLockOptions,
  action: () => Promise<T>,
): Promise<T> {
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const content: LockContent = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  let announced = false;
  for (;;) {
    if (options.signal?.aborted === true) throw new InterruptedError();
    try {
      await fs.writeFile(lockPath, JSON.stringify(content), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const existing = await readLock(lockPath);
    if (existing !== undefined && isStale(existing, staleAfterMs)) {
      // Rename first so two waiters cannot both delete a lock and both create their own.
      const claimed = `${lockPath}.${process.pid}.stale`;
      try {
        await fs.rename(lockPath, claimed);
        const taken = await readLock(claimed);
        if (taken !== undefined && !isStale(taken, staleAfterMs)) {
          // Another waiter replaced the stale lock between our look and our rename: give theirs back.
          await fs.link(claimed, lockPath).catch(() => undefined);
        }
        await fs.rm(claimed, { force: true });
      } catch {
        // Someone else took it over first; go round again.
      }
      continue;
    }
    if (!announced) {
      announced = true;
      options.onWait?.(existing?.content?.pid);
    }
    await abortableDelay(options.pollMs ?? 200, options.signal);
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now).catch(() => undefined);
  }, 5_000);
  heartbeat.unref();
  try {
    return await action();
  } finally {
    clearInterval(heartbeat);
    await fs.rm(lockPath, { force: true });
  }
}

/**
 * Receives a response body without ever losing bytes that arrived before a dropped connection. A readable
 * body stream discards its buffer when the connection errors, and a small file's headers, bytes and the
 * close can arrive together, before any reader is attached — so a resume would start from zero. undici's
 * `stream()` API writes each chunk into this Writable as it is parsed; chunks move straight into a queue the
 * channel owns, which `appendBody` drains to disk whatever happens to the connection.
 */
import type fs from "node:fs/promises";
import { Writable } from "node:stream";

/** Queued bytes at which the connection is paused (undici waits for our write callback). */
const PAUSE_AT_BYTES = 8 * 1024 * 1024;

/** A response body as a queue of received chunks. */
export class BodyChannel extends Writable {
  private chunks: Buffer[] = [];
  private queuedBytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private discarding = false;
  private wake: (() => void) | undefined;
  private heldCallback: (() => void) | undefined;

  constructor() {
    super({ highWaterMark: 1024 * 1024 });
    // undici destroys the channel with the connection's error; that error is reported by `next()` instead.
    this.on("error", () => undefined);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.discarding) {
      this.chunks.push(chunk);
      this.queuedBytes += chunk.length;
    }
    if (this.queuedBytes >= PAUSE_AT_BYTES) this.heldCallback = callback;
    else callback();
    this.notify();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.ended = true;
    this.notify();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.ended) this.failure = error ?? new Error("The connection closed before the body ended.");
    this.ended = true;
    this.notify();
    callback(error);
  }

  /** Drops everything received and still to come (redirect and error bodies). */
  discard(): void {
    this.discarding = true;
    this.chunks = [];
    this.queuedBytes = 0;
    this.release();
  }

  /**
   * The chunks received since the last call; an empty array at the end of the body. Throws the connection's
   * error only once every chunk received before it was taken.
   */
  async next(): Promise<Buffer[]> {
    while (this.chunks.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const taken = this.chunks;
    this.chunks = [];
    this.queuedBytes = 0;
    this.release();
    if (taken.length === 0 && this.failure !== undefined) throw this.failure;
    return taken;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private release(): void {
    const callback = this.heldCallback;
    this.heldCallback = undefined;
    callback?.();
  }
}

/**
 * Appends the channel's bytes to `file` (opened for appending), calling `onChunk` for each chunk while it is
 * written. Resolves at the end of the body; rejects with the connection's error after writing every byte
 * received before it, or with the first write error (ENOSPC, …).
 */
export async function appendBody(
  channel: BodyChannel,
  file: fs.FileHandle,
  onChunk: (chunk: Buffer) => void,
): Promise<void> {
  for (;;) {
    const chunks = await channel.next();
    if (chunks.length === 0) return;
    // Hash while the disk write is in flight: the two then overlap instead of taking turns.
    const writing = file.writev(chunks);
    for (const chunk of chunks) onChunk(chunk);
    try {
      await writing;
    } catch (error) {
      channel.destroy();
      throw error;
    }
  }
}

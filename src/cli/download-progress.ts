/**
 * Download progress on stderr: in a terminal one line redrawn in place (bytes, speed, ETA); otherwise a plain
 * line every few seconds and one at the end, so logs stay readable. Never writes to stdout, so `--output json`
 * stays a single object.
 */
import type { ProgressEvent } from "../backends/backend.js";
import { formatBytes } from "../models/catalog.js";
import type { CliWritable } from "./io.js";

export interface DownloadProgressOptions {
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
  /** Minimum gap between plain (non-TTY) lines. Default 5,000 ms. */
  plainIntervalMs?: number;
  /** Minimum gap between TTY redraws. Default 100 ms. */
  redrawIntervalMs?: number;
}

export interface DownloadProgressRenderer {
  /** Feed every progress event here. */
  onProgress: (event: ProgressEvent) => void;
  /** Ends the redrawn line, if one is showing. */
  finish: () => void;
}

interface Transfer {
  startedAt: number;
  startBytes: number;
  lastDrawnAt: number;
  done: boolean;
}

/** `1m05s`, `42s`, `2h03m`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")}m`;
}

/** One progress line: `model.gguf  12.0 MiB / 986.0 MiB (1%)  4.2 MiB/s  ETA 3m52s`. */
export function describeTransfer(
  label: string,
  transferred: number,
  total: number | undefined,
  bytesPerSecond: number | undefined,
): string {
  const parts = [label];
  parts.push(
    total === undefined || total === 0
      ? formatBytes(transferred)
      : `${formatBytes(transferred)} / ${formatBytes(total)} (${Math.floor((transferred / total) * 100)}%)`,
  );
  if (bytesPerSecond !== undefined && bytesPerSecond > 0) {
    parts.push(`${formatBytes(bytesPerSecond)}/s`);
    if (total !== undefined && total > transferred) {
      parts.push(`ETA ${formatDuration((total - transferred) / bytesPerSecond)}`);
    }
  }
  return parts.join("  ");
}

/** A renderer for `stream` (normally the CLI's stderr). */
export function createDownloadProgressRenderer(
  stream: CliWritable,
  options: DownloadProgressOptions = {},
): DownloadProgressRenderer {
  const now = options.now ?? Date.now;
  const interactive = stream.isTTY === true;
  const interval = interactive ? (options.redrawIntervalMs ?? 100) : (options.plainIntervalMs ?? 5_000);
  const transfers = new Map<string, Transfer>();
  let lineShowing = false;

  const clearLine = (): void => {
    if (lineShowing) {
      stream.write("\r\x1b[2K");
      lineShowing = false;
    }
  };

  const onProgress = (event: ProgressEvent): void => {
    if (event.kind !== "download") {
      clearLine();
      stream.write(`${event.label}: ${event.message ?? event.kind}\n`);
      return;
    }
    const transferred = event.transferredBytes ?? 0;
    const time = now();
    let transfer = transfers.get(event.label);
    if (transfer === undefined || transferred < transfer.startBytes) {
      // Speed counts only this run's bytes, so a resumed download does not look impossibly fast.
      transfer = { startedAt: time, startBytes: transferred, lastDrawnAt: time, done: false };
      transfers.set(event.label, transfer);
      if (!interactive)
        stream.write(
          `${event.label}: downloading${event.totalBytes === undefined ? "" : ` ${formatBytes(event.totalBytes)}`}\n`,
        );
    }
    const finished = event.totalBytes !== undefined && transferred >= event.totalBytes;
    if (transfer.done || (!finished && time - transfer.lastDrawnAt < interval)) return;
    transfer.lastDrawnAt = time;
    transfer.done = finished;
    const elapsedSeconds = (time - transfer.startedAt) / 1000;
    const speed = elapsedSeconds > 0 ? (transferred - transfer.startBytes) / elapsedSeconds : undefined;
    const line = describeTransfer(event.label, transferred, event.totalBytes, speed);
    if (interactive) {
      const width = stream.columns ?? 80;
      stream.write(`\r\x1b[2K${line.slice(0, Math.max(10, width - 1))}`);
      lineShowing = true;
      if (finished) {
        stream.write("\n");
        lineShowing = false;
      }
    } else {
      stream.write(`${line}\n`);
    }
  };

  return { onProgress, finish: clearLine };
}

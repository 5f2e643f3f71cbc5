import { PassThrough } from "node:stream";
import { expect, it } from "vitest";
import { createDownloadProgressRenderer, describeTransfer, formatDuration } from "./download-progress.js";

function stream(isTTY: boolean): {
  target: PassThrough & { isTTY?: boolean; columns?: number };
  text: () => string;
} {
  const target = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  const chunks: Buffer[] = [];
  target.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { target, text: () => Buffer.concat(chunks).toString("utf8") };
}

const MB = 1024 * 1024;

it("redraws one line in a terminal with bytes, speed and ETA", () => {
  let now = 0;
  const { target, text } = stream(true);
  const renderer = createDownloadProgressRenderer(target, { now: () => now });
  renderer.onProgress({ kind: "download", label: "model.gguf", transferredBytes: 0, totalBytes: 100 * MB });
  now = 1000;
  renderer.onProgress({
    kind: "download",
    label: "model.gguf",
    transferredBytes: 10 * MB,
    totalBytes: 100 * MB,
  });
  now = 1010;
  renderer.onProgress({
    kind: "download",
    label: "model.gguf",
    transferredBytes: 11 * MB,
    totalBytes: 100 * MB,
  });
  now = 2000;
  renderer.onProgress({
    kind: "download",
    label: "model.gguf",
    transferredBytes: 100 * MB,
    totalBytes: 100 * MB,
  });
  const output = text();
  expect(output).toContain("\r\x1b[2Kmodel.gguf  10.0 MiB / 100.0 MiB (10%)  10.0 MiB/s  ETA 9s");
  expect(output).not.toContain("11.0 MiB");
  expect(output.endsWith("(100%)  50.0 MiB/s\n")).toBe(true);
});

it("writes periodic plain lines when not a terminal, and status lines as they come", () => {
  let now = 0;
  const { target, text } = stream(false);
  const renderer = createDownloadProgressRenderer(target, { now: () => now, plainIntervalMs: 5000 });
  renderer.onProgress({ kind: "download", label: "m.gguf", transferredBytes: 0, totalBytes: 10 * MB });
  for (let second = 1; second <= 9; second++) {
    now = second * 1000;
    renderer.onProgress({
      kind: "download",
      label: "m.gguf",
      transferredBytes: second * MB,
      totalBytes: 10 * MB,
    });
  }
  renderer.onProgress({ kind: "status", label: "m.gguf", message: "retrying in 1.0 s" });
  now = 10_000;
  renderer.onProgress({ kind: "download", label: "m.gguf", transferredBytes: 10 * MB, totalBytes: 10 * MB });
  const lines = text().trimEnd().split("\n");
  expect(lines).toEqual([
    "m.gguf: downloading 10.0 MiB",
    "m.gguf  5.0 MiB / 10.0 MiB (50%)  1.0 MiB/s  ETA 5s",
    "m.gguf: retrying in 1.0 s",
    "m.gguf  10.0 MiB / 10.0 MiB (100%)  1.0 MiB/s",
  ]);
  expect(text()).not.toContain("\r");
});

it("formats durations and sizes without a total", () => {
  expect(formatDuration(42)).toBe("42s");
  expect(formatDuration(65)).toBe("1m05s");
  expect(formatDuration(7380)).toBe("2h03m");
  expect(describeTransfer("x", 2048, undefined, undefined)).toBe("x  2.0 KiB");
});

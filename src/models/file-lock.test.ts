import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { InterruptedError } from "../errors.js";
import { withFileLock } from "./file-lock.js";

let folder: string;
beforeEach(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), "cmdai-lock-"));
});
afterEach(async () => {
  await fs.rm(folder, { recursive: true, force: true });
});

it("serialises holders in one process and removes the lock afterwards", async () => {
  const lockPath = path.join(folder, "model.gguf.lock");
  const order: string[] = [];
  let releaseFirst: () => void = () => undefined;
  const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
  const waits: (number | undefined)[] = [];
  const first = withFileLock(lockPath, {}, async () => {
    order.push("first start");
    await firstHolds;
    order.push("first end");
  });
  const second = withFileLock(lockPath, { pollMs: 5, onWait: (pid) => waits.push(pid) }, () => {
    order.push("second");
    return Promise.resolve();
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  releaseFirst();
  await Promise.all([first, second]);
  expect(order).toEqual(["first start", "first end", "second"]);
  expect(waits).toEqual([process.pid]);
  await expect(fs.stat(lockPath)).rejects.toThrow();
});

it("takes over a lock left by a dead process", async () => {
  const lockPath = path.join(folder, "model.gguf.lock");
  // A pid far above any default pid_max: no such process.
  await fs.writeFile(
    lockPath,
    JSON.stringify({ pid: 2 ** 30, host: os.hostname(), startedAt: new Date().toISOString() }),
  );
  const result = await withFileLock(lockPath, { pollMs: 5 }, () => Promise.resolve("ran"));
  expect(result).toBe("ran");
});

it("takes over a lock nobody touched for longer than the stale age", async () => {
  const lockPath = path.join(folder, "model.gguf.lock");
  await fs.writeFile(
    lockPath,
    JSON.stringify({ pid: process.pid, host: "another-host", startedAt: "2020-01-01T00:00:00Z" }),
  );
  const old = new Date(Date.now() - 120_000);
  await fs.utimes(lockPath, old, old);
  expect(await withFileLock(lockPath, { pollMs: 5 }, () => Promise.resolve(1))).toBe(1);
});

it("stops waiting when aborted", async () => {
  const lockPath = path.join(folder, "model.gguf.lock");
  await fs.writeFile(
    lockPath,
    JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() }),
  );
  const controller = new AbortController();
  const waiting = withFileLock(
    lockPath,
    {
      pollMs: 5,
      signal: controller.signal,
      onWait: () => {
        controller.abort();
      },
    },
    () => Promise.resolve(),
  );
  await expect(waiting).rejects.toBeInstanceOf(InterruptedError);
});

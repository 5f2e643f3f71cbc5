import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { isProcessAlive } from "./process-alive.js";

describe("isProcessAlive", () => {
  it("is true for a running process and false for one that has exited", () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const exited = spawnSync(process.execPath, ["-e", "0"]).pid;
    expect(isProcessAlive(exited)).toBe(false);
  });
});

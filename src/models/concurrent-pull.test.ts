import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { startHubServer, type HubServer } from "../../test/support/hub-server.js";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const childScript = path.join(repositoryRoot, "test/fixtures/pull-model-child.ts");

let hub: HubServer;
let temporary: string;

beforeEach(async () => {
  hub = await startHubServer();
  temporary = await fs.mkdtemp(path.join(os.tmpdir(), "cmdai-concurrent-"));
});
afterEach(async () => {
  await hub.close();
  await fs.rm(temporary, { recursive: true, force: true });
});

function runChild(
  reference: string,
  onLine: (line: Record<string, unknown>) => void = () => undefined,
): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", childScript, reference], {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH, HOME: temporary, HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: temporary },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let pending = "";
    const lines: Record<string, unknown>[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      const complete = pending.split("\n");
      pending = complete.pop() ?? "";
      for (const text of complete.filter((line) => line.startsWith("{"))) {
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        onLine(line);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code, lines });
    });
  });
}

it("two processes pulling the same model download it once; the second waits, says so, and reuses it", async () => {
  const content = Buffer.alloc(2 * 1024 * 1024, 7);
  // The hub holds the body after its first bytes until the second process says it is waiting for the lock.
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const sha256 = hub.addFile("acme/tiny-gguf", "model.gguf", content, { gate });
  const first = runChild("hf:acme/tiny-gguf/model.gguf");
  // Start the second once the first holds the lock (its body request reached the CDN).
  for (
    let waited = 0;
    !hub.requests.some((request) => request.server === "cdn") && waited < 30_000;
    waited += 20
  ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const second = runChild("hf:acme/tiny-gguf/model.gguf", (line) => {
    if (typeof line.status === "string" && line.status.includes("waiting")) release();
  });
  const [one, two] = await Promise.all([first, second]);
  expect(one.code).toBe(0);
  expect(two.code).toBe(0);
  const results = [one, two].map(
    (run) => run.lines.find((line) => "result" in line)?.result as { path: string; source: string },
  );
  expect(results.map((result) => result.source)).toEqual(["download", "cache"]);
  expect(results[0]?.path).toBe(results[1]?.path);
  expect(
    two.lines.some(
      (line) => typeof line.status === "string" && line.status.includes("waiting for another cmdai process"),
    ),
  ).toBe(true);
  const bytes = await fs.readFile(results[0]?.path ?? "");
  expect(createHash("sha256").update(bytes).digest("hex")).toBe(sha256);
  expect(hub.requests.filter((request) => request.server === "cdn" && request.method === "GET")).toHaveLength(
    1,
  );
  const leftovers = (await fs.readdir(path.dirname(results[0]?.path ?? ""))).sort();
  expect(leftovers).toEqual(["model.gguf", "model.gguf.manifest.json"]);
}, 60_000);

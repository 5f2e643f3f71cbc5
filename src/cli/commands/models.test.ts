import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configSchema } from "../../config/schema.js";
import { CmdaiError } from "../../errors.js";
import { startHubServer, type HubServer } from "../../../test/support/hub-server.js";
import type { CliIo } from "../io.js";
import { runModelsCommand, type ModelsCommandOptions } from "./models.js";

const FAST_RETRY = { retries: 3, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 2_000 };

interface Captured {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
}

function capture(env: NodeJS.ProcessEnv, cwd: string): Captured {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (chunk: Buffer) => out.push(chunk));
  stderr.on("data", (chunk: Buffer) => err.push(chunk));
  return {
    io: { stdout, stderr, stdin: new PassThrough(), env, cwd },
    stdout: () => Buffer.concat(out).toString("utf8"),
    stderr: () => Buffer.concat(err).toString("utf8"),
  };
}

/** Deterministic pseudo-random bytes (so a flipped byte is a real change). */
function modelBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  let state = 12345;
  for (let index = 0; index < size; index++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

async function filesUnder(folder: string): Promise<string[]> {
  try {
    return (await fs.readdir(folder, { recursive: true })).map((entry) => path.join(folder, entry));
  } catch {
    return [];
  }
}

describe("cmdai models against a loopback hub", () => {
  let hub: HubServer;
  let temporary: string;
  let env: NodeJS.ProcessEnv;
  const content = modelBytes(3 * 1024 * 1024 + 517);
  const sha256 = createHash("sha256").update(content).digest("hex");

  beforeEach(async () => {
    hub = await startHubServer();
    temporary = await fs.mkdtemp(path.join(os.tmpdir(), "cmdai-models-"));
    env = { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: path.join(temporary, "cache"), HOME: temporary };
  });
  afterEach(async () => {
    await hub.close();
    await fs.rm(temporary, { recursive: true, force: true });
  });

  async function run(
    options: Omit<ModelsCommandOptions, "config">,
    environment = env,
  ): Promise<{ code: number; captured: Captured }> {
    const captured = capture(environment, temporary);
    const code = await runModelsCommand(
      { config: configSchema.parse({}), retry: FAST_RETRY, ...options },
      captured.io,
    );
    return { code, captured };
  }

  async function runFailing(
    options: Omit<ModelsCommandOptions, "config">,
    environment = env,
  ): Promise<CmdaiError> {
    const error: unknown = await run(options, environment).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(CmdaiError);
    return error as CmdaiError;
  }

  it("survives a connection dropped mid-body by resuming with Range, ends with the announced SHA-256, and lists it", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content, { dropAfterBytes: [1_000_000] });
    const { code, captured } = await run({ action: "pull", reference: "hf:acme/tiny-gguf/model.gguf" });
    expect(code).toBe(0);
    const cachedPath = captured.stdout().trim();
    expect(cachedPath.startsWith(path.join(temporary, "cache", "cmdai", "models"))).toBe(true);
    const cached = await fs.readFile(cachedPath);
    expect(createHash("sha256").update(cached).digest("hex")).toBe(sha256);
    const cdnGets = hub.requests.filter((request) => request.server === "cdn" && request.method === "GET");
    expect(cdnGets).toHaveLength(2);
    expect(cdnGets[1]?.headers.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(cdnGets[1]?.headers.range ?? "")?.[0])).toBeGreaterThan(0);
    // Progress went to stderr, stdout holds only the path.
    expect(captured.stdout().split("\n").filter(Boolean)).toHaveLength(1);
    expect(captured.stderr()).toContain("model.gguf");

    const manifest = JSON.parse(await fs.readFile(`${cachedPath}.manifest.json`, "utf8")) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({
      repo: "acme/tiny-gguf",
      revision: "main",
      file: "model.gguf",
      sha256,
      sizeBytes: content.length,
    });

    const listed = await run({ action: "list" });
    expect(listed.captured.stdout()).toContain("hf:acme/tiny-gguf/model.gguf");
    const listedJson = await run({ action: "list", json: true });
    const parsed = JSON.parse(listedJson.captured.stdout()) as { cached: { path: string; sha256: string }[] };
    expect(parsed.cached).toEqual([expect.objectContaining({ path: cachedPath, sha256 })]);

    const verified = await run({ action: "verify", json: true });
    expect(JSON.parse(verified.captured.stdout())).toMatchObject({
      ok: true,
      files: [{ actualSha256: sha256 }],
    });
    const shown = await run({ action: "path", reference: "hf:acme/tiny-gguf/model.gguf" });
    expect(shown.captured.stdout().trim()).toBe(cachedPath);
  });

  it("fails on corrupted bytes with both digests and leaves no .gguf in the cache", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content, { corrupt: true });
    const error = await runFailing({ action: "pull", reference: "hf:acme/tiny-gguf/model.gguf" });
    expect(error.code).toBe("checksum_mismatch");
    expect(error.exitCode).not.toBe(0);
    expect(error.message).toMatch(/checksum/i);
    expect(error.message).toContain(sha256);
    const leftovers = (await filesUnder(path.join(temporary, "cache"))).filter((file) =>
      file.includes(".gguf"),
    );
    expect(leftovers).toEqual([]);
  });

  it("names HF_TOKEN on 401 and succeeds with it, never sending the token to the CDN host", async () => {
    hub.addFile("acme/gated-gguf", "model.gguf", content, { requireToken: "secret-token" });
    const error = await runFailing({ action: "pull", reference: "hf:acme/gated-gguf/model.gguf" });
    expect(error.exitCode).toBe(5);
    expect(`${error.message} ${error.hint ?? ""}`).toContain("HF_TOKEN");
    expect(`${error.message} ${error.hint ?? ""}`).toContain(`${hub.endpoint}/acme/gated-gguf`);

    const { code } = await run(
      { action: "pull", reference: "hf:acme/gated-gguf/model.gguf" },
      { ...env, HF_TOKEN: "secret-token" },
    );
    expect(code).toBe(0);
    const withToken = hub.requests.filter((request) => request.headers.authorization !== undefined);
    expect(withToken.length).toBeGreaterThan(0);
    expect(withToken.every((request) => request.server === "hub")).toBe(true);
    expect(hub.requests.some((request) => request.server === "cdn")).toBe(true);
  });

  it("accepts HUGGING_FACE_HUB_TOKEN too", async () => {
    hub.addFile("acme/gated-gguf", "model.gguf", content, { requireToken: "other-token" });
    const { code } = await run(
      { action: "pull", reference: "hf:acme/gated-gguf/model.gguf" },
      { ...env, HUGGING_FACE_HUB_TOKEN: "other-token" },
    );
    expect(code).toBe(0);
  });

  it("fails on 404 naming the repo and the file", async () => {
    const error = await runFailing({ action: "pull", reference: "hf:acme/tiny-gguf/missing.gguf" });
    expect(error.code).toBe("model_not_found");
    expect(error.exitCode).toBe(5);
    expect(error.message).toContain("acme/tiny-gguf");
    expect(error.message).toContain("missing.gguf");
  });

  it("sends not a single request with HF_HUB_OFFLINE=1 and a missing model", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    const error = await runFailing(
      { action: "pull", reference: "hf:acme/tiny-gguf/model.gguf" },
      { ...env, HF_HUB_OFFLINE: "1" },
    );
    expect(error.code).toBe("offline");
    expect(error.exitCode).toBe(5);
    expect(hub.requests).toEqual([]);
  });

  it("retries 429 honouring Retry-After and 5xx with backoff", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content, {
      failures: [{ status: 429, retryAfterSeconds: 1 }, { status: 503 }, { status: 500 }],
    });
    const { code, captured } = await run({ action: "pull", reference: "hf:acme/tiny-gguf/model.gguf" });
    expect(code).toBe(0);
    expect(captured.stderr()).toContain("HTTP 429; retrying in 1.0 s");
    expect(hub.requests.filter((request) => request.server === "hub")).toHaveLength(4);
  });

  it("removes a model and verifies a tampered one as failed", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    const pulled = await run({ action: "pull", reference: "hf:acme/tiny-gguf/model.gguf" });
    const cachedPath = pulled.captured.stdout().trim();
    const tampered = Buffer.from(content);
    tampered[10] = (tampered[10] ?? 0) ^ 1;
    await fs.writeFile(cachedPath, tampered);
    const verified = await run({ action: "verify", reference: "hf:acme/tiny-gguf/model.gguf" });
    expect(verified.code).toBe(5);
    expect(verified.captured.stdout()).toContain("FAILED");
    await expect(fs.stat(cachedPath)).rejects.toThrow();

    await run({ action: "pull", reference: "hf:acme/tiny-gguf/model.gguf" });
    const removed = await run({ action: "rm", reference: "hf:acme/tiny-gguf/model.gguf" });
    expect(removed.code).toBe(0);
    await expect(fs.stat(cachedPath)).rejects.toThrow();
    const again = await runFailing({ action: "rm", reference: "hf:acme/tiny-gguf/model.gguf" });
    expect(again.code).toBe("model_not_found");
  });

  it("path prints where a model that is not downloaded belongs, naming the pull command on stderr", async () => {
    const { code, captured } = await run({ action: "path", reference: "qwen2.5-coder-0.5b" });
    expect(code).toBe(0);
    expect(captured.stdout().trim()).toBe(
      path.join(
        temporary,
        "cache",
        "cmdai",
        "models",
        "hf",
        "Qwen",
        "Qwen2.5-Coder-0.5B-Instruct-GGUF",
        "main",
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
      ),
    );
    expect(captured.stderr()).toContain("cmdai models pull qwen2.5-coder-0.5b");
    const json = await run({ action: "path", reference: "qwen2.5-coder-0.5b", json: true });
    expect(JSON.parse(json.captured.stdout())).toMatchObject({
      installed: false,
      reference: "qwen2.5-coder-0.5b",
    });
    expect(hub.requests).toEqual([]);
  });

  it("refuses the import flags on actions that do not import", async () => {
    const error = await runFailing({ action: "list", link: true });
    expect(error.code).toBe("usage");
    expect(error.message).toContain("--link");
  });

  it("lists the catalog with a recommendation", async () => {
    const { captured } = await run({ action: "list", json: true });
    const parsed = JSON.parse(captured.stdout()) as {
      catalog: { id: string; installed: boolean }[];
      recommended: { id: string };
    };
    expect(parsed.catalog.map((entry) => entry.id)).toEqual([
      "qwen2.5-coder-0.5b",
      "qwen2.5-coder-1.5b",
      "qwen2.5-coder-3b",
      "qwen2.5-coder-7b",
    ]);
    expect(parsed.catalog.every((entry) => !entry.installed)).toBe(true);
    expect(parsed.catalog.map((entry) => entry.id)).toContain(parsed.recommended.id);
    const plain = await run({ action: "list" });
    expect(plain.captured.stdout()).toContain("* recommended:");
  });
});

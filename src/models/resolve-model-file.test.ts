import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHubServer, startLoopbackProxy, type HubServer } from "../../test/support/hub-server.js";
import type { DownloadProgressEvent } from "./download-file.js";
import { configSchema, type Config } from "../config/schema.js";
import { CmdaiError, InterruptedError } from "../errors.js";
import { resolveModelFile, type ResolveModelOptions } from "./resolve-model-file.js";

const FAST_RETRY = { retries: 2, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 1_000 };
const REFERENCE = "hf:acme/tiny-gguf/model.gguf";

let hub: HubServer;
let temporary: string;
let env: NodeJS.ProcessEnv;
const content = Buffer.from(
  Array.from({ length: 700_000 }, (_, index) => (index * 31 + (index >> 9)) & 0xff),
);
const sha256 = createHash("sha256").update(content).digest("hex");

beforeEach(async () => {
  hub = await startHubServer();
  temporary = await fs.mkdtemp(path.join(os.tmpdir(), "cmdai-resolve-"));
  env = { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: path.join(temporary, "cache"), HOME: temporary };
});
afterEach(async () => {
  await hub.close();
  await fs.rm(temporary, { recursive: true, force: true });
});

function options(
  overrides: Partial<ResolveModelOptions> & { configValues?: Partial<Config> } = {},
): ResolveModelOptions {
  const environment = overrides.env ?? env;
  const { configValues, ...rest } = overrides;
  return {
    config: configSchema.parse(configValues ?? {}),
    env: environment,
    paths: { env: environment, platform: process.platform, homedir: temporary },
    assumeYes: false,
    retry: FAST_RETRY,
    cwd: temporary,
    ...rest,
  };
}

async function rejection(promise: Promise<unknown>): Promise<CmdaiError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(CmdaiError);
  return error as CmdaiError;
}

async function digest(file: string): Promise<string> {
  return createHash("sha256")
    .update(await fs.readFile(file))
    .digest("hex");
}

describe("first-run consent", () => {
  it("without a TTY and without consent fails with exit 5, the exact pull command, and no request", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    const error = await rejection(resolveModelFile(REFERENCE, options()));
    expect(error.exitCode).toBe(5);
    expect(error.hint).toContain(`cmdai models pull ${REFERENCE}`);
    expect(hub.requests).toEqual([]);
  });

  it("asks with size and destination, and a refusal downloads nothing", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    const questions: { sizeBytes?: number | undefined; destination: string }[] = [];
    const error = await rejection(
      resolveModelFile(
        REFERENCE,
        options({
          confirmDownload: (info) => {
            questions.push(info);
            return Promise.resolve(false);
          },
        }),
      ),
    );
    expect(error.exitCode).toBe(5);
    expect(questions).toEqual([
      {
        reference: REFERENCE,
        sizeBytes: content.length,
        destination: expect.stringContaining(path.join("cmdai", "models")) as string,
      },
    ]);
    expect(hub.requests.filter((request) => request.method === "GET")).toEqual([]);
  });

  it("downloads after a yes, and with auto_download or --yes without asking", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    const asked = await resolveModelFile(
      REFERENCE,
      options({ confirmDownload: () => Promise.resolve(true) }),
    );
    expect(asked.source).toBe("download");
    expect(await digest(asked.path)).toBe(sha256);
    const again = await resolveModelFile(REFERENCE, options());
    expect(again).toMatchObject({ source: "cache", path: asked.path });

    hub.addFile("acme/tiny-gguf", "other.gguf", content);
    const automatic = await resolveModelFile(
      "hf:acme/tiny-gguf/other.gguf",
      options({ configValues: { auto_download: true } }),
    );
    expect(automatic.source).toBe("download");
    hub.addFile("acme/tiny-gguf", "third.gguf", content);
    const yes = await resolveModelFile("hf:acme/tiny-gguf/third.gguf", options({ assumeYes: true }));
    expect(yes.source).toBe("download");
  });
});

describe("offline", () => {
  it("uses a model from the Hugging Face hub cache without a single request", async () => {
    const hubCache = path.join(temporary, "hf-home", "hub", "models--acme--tiny-gguf");
    const commit = "a".repeat(40);
    await fs.mkdir(path.join(hubCache, "blobs"), { recursive: true });
    await fs.mkdir(path.join(hubCache, "refs"), { recursive: true });
    await fs.mkdir(path.join(hubCache, "snapshots", commit), { recursive: true });
    await fs.writeFile(path.join(hubCache, "blobs", sha256), content);
    await fs.writeFile(path.join(hubCache, "refs", "main"), commit);
    await fs.symlink(
      path.join("..", "..", "blobs", sha256),
      path.join(hubCache, "snapshots", commit, "model.gguf"),
    );
    const offlineEnv = { ...env, HF_HOME: path.join(temporary, "hf-home"), HF_HUB_OFFLINE: "1" };
    const resolved = await resolveModelFile(REFERENCE, options({ env: offlineEnv }));
    expect(resolved.source).toBe("hf-cache");
    expect(await digest(resolved.path)).toBe(sha256);
    expect(hub.requests).toEqual([]);
  });

  it("fails clearly for a missing model whether offline comes from the flag, config or environment", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    for (const variant of [
      options({ offline: true, assumeYes: true }),
      options({ configValues: { offline: true }, assumeYes: true }),
      options({ env: { ...env, HF_HUB_OFFLINE: "true" }, assumeYes: true }),
    ]) {
      const error = await rejection(resolveModelFile(REFERENCE, variant));
      expect(error.code).toBe("offline");
      expect(error.hint).toContain("--model");
    }
    expect(hub.requests).toEqual([]);
  });
});

describe("downloads", () => {
  it("leaves a resumable .part on abort and resumes it with Range in the next run", async () => {
    let release: () => void = () => undefined;
    hub.addFile("acme/tiny-gguf", "model.gguf", content, {
      gate: new Promise<void>((resolve) => (release = resolve)),
    });
    const controller = new AbortController();
    const folder = path.join(temporary, "cache", "cmdai", "models", "hf", "acme", "tiny-gguf", "main");
    const partPath = path.join(folder, "model.gguf.part");
    // Ctrl-C once the first bytes are on disk (the hub holds the rest back).
    const abortOnceWritten = async (): Promise<void> => {
      while (((await fs.stat(partPath).catch(() => undefined))?.size ?? 0) === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      controller.abort();
    };
    let watching = false;
    const onProgress = (event: DownloadProgressEvent): void => {
      if (event.kind === "download" && !watching) {
        watching = true;
        void abortOnceWritten();
      }
    };
    const error = await rejection(
      resolveModelFile(REFERENCE, options({ assumeYes: true, signal: controller.signal, onProgress })),
    );
    expect(error).toBeInstanceOf(InterruptedError);
    release();
    const files = await fs.readdir(
      path.join(temporary, "cache", "cmdai", "models", "hf", "acme", "tiny-gguf", "main"),
    );
    expect(files).toContain("model.gguf.part");
    expect(files).not.toContain("model.gguf");
    const partSize = (
      await fs.stat(
        path.join(
          temporary,
          "cache",
          "cmdai",
          "models",
          "hf",
          "acme",
          "tiny-gguf",
          "main",
          "model.gguf.part",
        ),
      )
    ).size;
    expect(partSize).toBeGreaterThan(0);

    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    const resolved = await resolveModelFile(REFERENCE, options({ assumeYes: true }));
    expect(await digest(resolved.path)).toBe(sha256);
    const lastGet = hub.requests
      .filter((request) => request.server === "cdn" && request.method === "GET")
      .at(-1);
    expect(lastGet?.headers.range).toBe(`bytes=${partSize}-`);
  });

  it("starts over when the server ignores Range", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content, { dropAfterBytes: [300_000], ignoreRange: true });
    const resolved = await resolveModelFile(REFERENCE, options({ assumeYes: true }));
    expect(await digest(resolved.path)).toBe(sha256);
  });

  it("retries a failing server a bounded number of times, then fails retryably", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content, {
      failures: [{ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 }],
    });
    const error = await rejection(resolveModelFile(REFERENCE, options({ assumeYes: true })));
    expect(error.code).toBe("model_download_failed");
    expect(error.hint).toContain("cmdai models pull");
  });

  it("downloads a split GGUF as a set and returns the first part", async () => {
    const parts = [1, 2, 3].map((part) => Buffer.alloc(10_000 + part, part));
    parts.forEach((part, index) => hub.addFile("acme/split", `big-0000${index + 1}-of-00003.gguf`, part));
    const resolved = await resolveModelFile(
      "hf:acme/split/big-00002-of-00003.gguf",
      options({ assumeYes: true }),
    );
    expect(resolved.files.map((file) => path.basename(file))).toEqual([
      "big-00001-of-00003.gguf",
      "big-00002-of-00003.gguf",
      "big-00003-of-00003.gguf",
    ]);
    expect(resolved.path).toBe(resolved.files[0]);
    expect(await fs.readFile(resolved.files[2] ?? "")).toEqual(parts[2]);
  });

  it("downloads a plain URL, sending the token to no host but the endpoint", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    const other = await startHubServer();
    try {
      other.addFile("elsewhere/repo", "model.gguf", content);
      const url = `${other.endpoint}/elsewhere/repo/resolve/main/model.gguf`;
      const resolved = await resolveModelFile(
        url,
        options({ assumeYes: true, env: { ...env, HF_TOKEN: "secret" } }),
      );
      expect(await digest(resolved.path)).toBe(sha256);
      expect(other.requests.length).toBeGreaterThan(0);
      expect(other.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it("sends the token to the CDN only when the CDN is the endpoint's own origin", async () => {
    const sameOrigin = await startHubServer({ sameServerCdn: true });
    try {
      sameOrigin.addFile("acme/tiny-gguf", "model.gguf", content, { requireToken: "secret" });
      const environment = { ...env, HF_ENDPOINT: sameOrigin.endpoint, HF_TOKEN: "secret" };
      const resolved = await resolveModelFile(REFERENCE, options({ assumeYes: true, env: environment }));
      expect(await digest(resolved.path)).toBe(sha256);
      expect(sameOrigin.requests.every((request) => request.headers.authorization === "Bearer secret")).toBe(
        true,
      );
    } finally {
      await sameOrigin.close();
    }
  });

  it.runIf(existsSync("/dev/full"))("reports a full disk clearly and leaves no final file", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    const folder = path.join(temporary, "cache", "cmdai", "models", "hf", "acme", "tiny-gguf", "main");
    await fs.mkdir(folder, { recursive: true });
    // Writes through this link fail with ENOSPC, as on a full disk.
    await fs.symlink("/dev/full", path.join(folder, "model.gguf.part"));
    const error = await rejection(resolveModelFile(REFERENCE, options({ assumeYes: true })));
    expect(error.code).toBe("disk_full");
    expect(existsSync(path.join(folder, "model.gguf"))).toBe(false);
  });
});

describe("network", () => {
  it("goes through HTTP_PROXY, and the error for an unreachable hub says what to do", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    const proxy = await startLoopbackProxy();
    try {
      const port = new URL(hub.endpoint).port;
      // hub.invalid never resolves, so only the proxy can reach it (the proxy maps every host to 127.0.0.1).
      const proxied = { ...env, HF_ENDPOINT: `http://hub.invalid:${port}`, HTTP_PROXY: proxy.url };
      const resolved = await resolveModelFile(REFERENCE, options({ assumeYes: true, env: proxied }));
      expect(await digest(resolved.path)).toBe(sha256);
      expect(proxy.requests.some((request) => request.includes(`hub.invalid:${port}`))).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it("reaches loopback directly even with a proxy set", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    const resolved = await resolveModelFile(
      REFERENCE,
      options({
        assumeYes: true,
        env: { ...env, HTTPS_PROXY: "http://127.0.0.1:9", HTTP_PROXY: "http://127.0.0.1:9" },
      }),
    );
    expect(await digest(resolved.path)).toBe(sha256);
  });

  it("names a proxy, and pulling elsewhere then importing, when the hub is unreachable", async () => {
    const closed = await startHubServer();
    const endpoint = closed.endpoint;
    await closed.close();
    const error = await rejection(
      resolveModelFile(REFERENCE, options({ assumeYes: true, env: { ...env, HF_ENDPOINT: endpoint } })),
    );
    expect(error.code).toBe("model_download_failed");
    expect(error.hint).toContain("HTTPS_PROXY");
    expect(error.hint).toContain("on a machine with access");
    expect(error.hint).toMatch(/`cmdai models import FILE\.gguf( --as [\w.-]+)?`/);
  });
});

describe("local files", () => {
  it("uses an existing local path and fails clearly for a missing one", async () => {
    const file = path.join(temporary, "mine.gguf");
    await fs.writeFile(file, "GGUF");
    expect(await resolveModelFile("./mine.gguf", options())).toMatchObject({ path: file, source: "local" });
    const error = await rejection(resolveModelFile("./missing.gguf", options()));
    expect(error.code).toBe("model_not_found");
    expect(hub.requests).toEqual([]);
  });
});

describe("resume after an early drop", () => {
  it("keeps the first few kilobytes and resumes after them", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content, { dropAfterBytes: [5_000, 5_000] });
    const resolved = await resolveModelFile(REFERENCE, options({ assumeYes: true }));
    expect(await digest(resolved.path)).toBe(sha256);
    const ranges = hub.requests
      .filter((request) => request.server === "cdn" && request.method === "GET")
      .map((request) => request.headers.range);
    expect(ranges).toEqual([undefined, "bytes=5000-", "bytes=10000-"]);
  });
});

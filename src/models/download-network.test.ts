/**
 * `downloadFile` through loopback proxies that fail: every network failure is a `model_download_failed`
 * ModelError (exit 5) naming the proxy or host, never an InterruptedError (exit 130), and a partial download
 * stays a resumable `.part`. Only the caller's signal makes an InterruptedError.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExitCode, InterruptedError, ModelError } from "../errors.js";
import { createProxyDispatcher } from "../proxy-dispatcher.js";
import { startHubServer, type HubServer } from "../../test/support/hub-server.js";
import { startProxyStandIn, unusedPort, type ConnectAnswer } from "../../test/support/proxy-stand-in.js";
import { downloadFile } from "./download-file.js";

const content = crypto.randomBytes(400_000);
const subject = { repo: "acme/tiny-gguf", file: "model.gguf", reference: "hf:acme/tiny-gguf/model.gguf" };
/** Retries without waiting, so the failing cases end at once. */
const retry = { retries: 2, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 };

let folder: string;
let hub: HubServer;
let sha256: string;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-download-network-"));
  hub = await startHubServer();
  sha256 = hub.addFile("acme/tiny-gguf", "model.gguf", content);
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await hub.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

/** The blob's URL under a non-loopback name, so the dispatcher sends it through the proxy. */
function blobUrl(): string {
  return `${hub.cdnOrigin.replace("127.0.0.1", "hub.invalid")}/cdn/blobs/${sha256}`;
}

async function download(proxyUrl: string, options: { signal?: AbortSignal } = {}): Promise<unknown> {
  const dispatcher = createProxyDispatcher({ env: { HTTP_PROXY: proxyUrl } });
  closers.push(() => dispatcher.destroy());
  try {
    return await downloadFile({
      url: blobUrl(),
      destination: path.join(folder, "model.gguf"),
      subject,
      dispatcher,
      retry,
      signal: options.signal,
    });
  } catch (error) {
    return error;
  }
}

async function proxy(answer: (index: number) => ConnectAnswer) {
  const started = await startProxyStandIn((_request, index) => answer(index));
  closers.push(() => started.close());
  return started;
}

describe("downloadFile through a failing proxy", () => {
  it("a proxy refusing CONNECT (403) is exit 5 naming the proxy and the fix, at once, not 'interrupted'", async () => {
    const refusing = await proxy(() => ({ refuse: 403 }));
    const error = await download(refusing.url);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).not.toBeInstanceOf(InterruptedError);
    const typed = error as ModelError;
    expect(typed.code).toBe("model_download_failed");
    expect(typed.exitCode).toBe(ExitCode.unavailable);
    expect(typed.message).toBe(
      `Cannot download model.gguf: the proxy at ${refusing.address} refused to tunnel to hub.invalid:${new URL(blobUrl()).port} (403 Forbidden).`,
    );
    expect(typed.hint).toMatch(
      /Allow CONNECT to port \d+ on the proxy, use an https:\/\/ HF_ENDPOINT, set NO_PROXY/,
    );
    expect(typed.hint).toContain("cmdai models import");
    // A proxy's policy does not change between attempts: one CONNECT, no retries.
    expect(refusing.connects).toHaveLength(1);
  });

  it("a proxy asking for credentials (407) names the variable, never the credentials sent", async () => {
    const asking = await proxy(() => ({ refuse: 407 }));
    const error = (await download(`http://bob:hunter2@127.0.0.1:${asking.port}`)) as ModelError;
    expect(error.exitCode).toBe(ExitCode.unavailable);
    expect(error.message).toContain(`the proxy at ${asking.address} asked for credentials`);
    expect(error.hint).toContain("HTTP_PROXY");
    expect(`${error.message} ${error.hint ?? ""}`).not.toMatch(/bob|hunter2/);
    expect(asking.connects[0]?.authorization).toMatch(/^Basic /);
  });

  it("a proxy that is not listening is named instead of the hub, after a few tries", async () => {
    const port = await unusedPort();
    const error = (await download(`http://127.0.0.1:${port}`)) as ModelError;
    expect(error).toBeInstanceOf(ModelError);
    expect(error.exitCode).toBe(ExitCode.unavailable);
    expect(error.message).toBe(
      `Cannot download model.gguf: cannot reach the proxy at 127.0.0.1:${port} (connection refused).`,
    );
    expect(error.hint).toContain("HTTP_PROXY");
  });

  it("a tunnel cut mid-body keeps the partial file, fails with exit 5 when the proxy then refuses, and resumes", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content, { dropAfterBytes: [150_000] });
    const destination = path.join(folder, "model.gguf");
    // The first tunnel is cut mid-body by the hub; the retry is refused.
    const flaky = await proxy((index) => (index === 0 ? "tunnel" : { refuse: 403 }));
    const error = (await download(flaky.url)) as ModelError;
    expect(error).toBeInstanceOf(ModelError);
    expect(error.exitCode).toBe(ExitCode.unavailable);
    expect(error.message).toContain("refused to tunnel");
    expect(error.hint).toMatch(/downloaded so far are kept/);
    // A partial stays a partial: never renamed into place.
    expect(fs.existsSync(destination)).toBe(false);
    const partial = fs.statSync(`${destination}.part`).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(content.length);

    const open = await proxy(() => "tunnel");
    const result = await download(open.url);
    expect(result).toMatchObject({ path: destination, sha256 });
    expect(hub.requests.at(-1)?.headers.range).toBe(`bytes=${partial}-`);
  });

  it("a tunnel that keeps breaking ends as a network error naming the route, the partial kept", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content, { dropAfterBytes: [100_000, 0, 0, 0, 0, 0] });
    const breaking = await proxy(() => "tunnel");
    const error = (await download(breaking.url)) as ModelError;
    expect(error).toBeInstanceOf(ModelError);
    expect(error.exitCode).toBe(ExitCode.unavailable);
    expect(error.message).toMatch(
      new RegExp(`the connection to hub\\.invalid:\\d+ through the proxy at ${breaking.address} broke`),
    );
    expect(fs.statSync(path.join(folder, "model.gguf.part")).size).toBeGreaterThan(0);
  });

  it("only the caller's signal is an interruption (exit 130)", async () => {
    const controller = new AbortController();
    let release: () => void = () => undefined;
    hub.addFile("acme/tiny-gguf", "model.gguf", content, {
      gate: new Promise<void>((resolve) => (release = resolve)),
    });
    const open = await proxy(() => "tunnel");
    const pending = download(open.url, { signal: controller.signal });
    await expect.poll(() => hub.requests.length).toBeGreaterThan(0);
    controller.abort(new InterruptedError());
    const error = await pending;
    release();
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(ExitCode.interrupted);
  });
});

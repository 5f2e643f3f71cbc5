/** `cmdai models` through the built CLI against the loopback Hugging Face stand-in. */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHubServer, type HubServer } from "../support/hub-server.js";
import { makeTemporaryHome, runBuiltCli } from "../support/run-built-cli.js";

let home: ReturnType<typeof makeTemporaryHome>;
let hub: HubServer;
const content = crypto.randomBytes(300_000);
const digest = crypto.createHash("sha256").update(content).digest("hex");

beforeEach(async () => {
  home = makeTemporaryHome();
  hub = await startHubServer();
});
afterEach(async () => {
  await hub.close();
  home.cleanup();
});

function cacheFiles(): string[] {
  const root = path.join(home.root, "cache");
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).map((file) => file.replace(/\\/g, "/"));
}

describe("cmdai models pull", () => {
  it("resumes a dropped connection with Range and verifies the SHA-256; list then shows the model", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content, { dropAfterBytes: [100_000] });
    const env = { ...home.env, HF_ENDPOINT: hub.endpoint };
    const pull = await runBuiltCli(["models", "pull", "hf:acme/tiny-gguf/model.gguf"], { env });
    expect(pull.code).toBe(0);
    expect(hub.requests.some((request) => request.headers.range !== undefined)).toBe(true);
    const located = await runBuiltCli(["models", "path", "hf:acme/tiny-gguf/model.gguf"], { env });
    const file = located.stdout.trim();
    expect(crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex")).toBe(digest);
    const list = await runBuiltCli(["models", "list"], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("model.gguf");
  });

  it("fails on corrupted bytes, names the checksum, and leaves no .gguf behind", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content, { corrupt: true });
    const run = await runBuiltCli(["models", "pull", "hf:acme/tiny-gguf/model.gguf"], {
      env: { ...home.env, HF_ENDPOINT: hub.endpoint },
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/SHA-256|checksum/i);
    expect(cacheFiles().filter((file) => file.endsWith(".gguf"))).toEqual([]);
  });

  it("names HF_TOKEN on 401 and succeeds with it; 404 fails", async () => {
    hub.addFile("acme/private-gguf", "model.gguf", content, { requireToken: "hf_secret" });
    const env = { ...home.env, HF_ENDPOINT: hub.endpoint };
    const denied = await runBuiltCli(["models", "pull", "hf:acme/private-gguf/model.gguf"], { env });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain("HF_TOKEN");
    const allowed = await runBuiltCli(["models", "pull", "hf:acme/private-gguf/model.gguf"], {
      env: { ...env, HF_TOKEN: "hf_secret" },
    });
    expect(allowed.code).toBe(0);
    const missing = await runBuiltCli(["models", "pull", "hf:acme/nothing-here/model.gguf"], { env });
    expect(missing.code).not.toBe(0);
  });

  it("sends not a single request when offline and the model is missing", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    const run = await runBuiltCli(["models", "pull", "hf:acme/tiny-gguf/model.gguf"], {
      env: { ...home.env, HF_ENDPOINT: hub.endpoint, HF_HUB_OFFLINE: "1" },
    });
    expect(run.code).not.toBe(0);
    expect(hub.requests).toEqual([]);
  });
});

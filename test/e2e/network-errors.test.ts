/**
 * Network failures through the built CLI: a proxy that refuses CONNECT (as a squid that only allows port 443
 * does in front of an http:// HF_ENDPOINT), one that wants credentials, one that cannot reach the hub, and a
 * tunnel cut mid-download. Each is exit 5 with the proxy named and nothing said about an interruption (exit
 * 130 is Ctrl-C only). HF_ENDPOINT uses the name `hub.invalid` so requests go through the proxy (loopback
 * hosts never do); the stand-in proxy sends tunnels to 127.0.0.1, so nothing leaves the machine.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHubServer, type HubServer } from "../support/hub-server.js";
import { startProxyStandIn, type ConnectAnswer, type ProxyStandIn } from "../support/proxy-stand-in.js";
import { makeTemporaryHome, runBuiltCli } from "../support/run-built-cli.js";

interface ErrorDocument {
  exitCode: number;
  error: { code: string; message: string; hint?: string };
}

let home: ReturnType<typeof makeTemporaryHome>;
let proxy: ProxyStandIn | undefined;
let hub: HubServer | undefined;

beforeEach(() => {
  home = makeTemporaryHome();
});
afterEach(async () => {
  await proxy?.close();
  await hub?.close();
  proxy = undefined;
  hub = undefined;
  home.cleanup();
});

async function startProxy(answer: (index: number) => ConnectAnswer): Promise<ProxyStandIn> {
  proxy = await startProxyStandIn((_request, index) => answer(index));
  return proxy;
}

/** The environment of a user behind `proxyUrl` with an http:// hub that is no loopback name. */
function behindProxy(proxyUrl: string, endpoint = "http://hub.invalid"): NodeJS.ProcessEnv {
  return { ...home.env, HTTP_PROXY: proxyUrl, http_proxy: proxyUrl, HF_ENDPOINT: endpoint };
}

describe("cmdai models pull behind a proxy", () => {
  it("a proxy refusing CONNECT (403) exits 5 naming the proxy and the fix, not 'interrupted'", async () => {
    const refusing = await startProxy(() => ({ refuse: 403 }));
    const run = await runBuiltCli(["models", "pull", "qwen2.5-coder-0.5b"], {
      env: behindProxy(refusing.url),
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(`the proxy at ${refusing.address} refused to tunnel to hub.invalid:80`);
    expect(run.stderr).toContain("403 Forbidden");
    expect(run.stderr).toMatch(/allow CONNECT to port 80/i);
    expect(run.stderr).not.toMatch(/interrupt/i);
    expect(refusing.connects.map((connect) => connect.target)).toEqual(["hub.invalid:80"]);
  }, 60_000);

  it("-o json: one error document on stdout with the code and exit code 5", async () => {
    const refusing = await startProxy(() => ({ refuse: 403 }));
    const run = await runBuiltCli(["models", "pull", "qwen2.5-coder-0.5b", "-o", "json"], {
      env: behindProxy(refusing.url),
    });
    expect(run.code).toBe(5);
    const document = JSON.parse(run.stdout) as ErrorDocument;
    expect(document.exitCode).toBe(5);
    expect(document.error.code).toBe("model_download_failed");
    expect(document.error.message).toContain(refusing.address);
    expect(document.error.hint).toContain("NO_PROXY");
    expect(run.stdout).not.toMatch(/interrupt/i);
  }, 60_000);

  it("a proxy wanting credentials (407) names the proxy variable and never shows the password", async () => {
    const asking = await startProxy(() => ({ refuse: 407 }));
    const run = await runBuiltCli(["models", "pull", "qwen2.5-coder-0.5b"], {
      env: behindProxy(`http://carol:pa55word@127.0.0.1:${asking.port}`),
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(`the proxy at ${asking.address} asked for credentials`);
    expect(run.stderr).toContain("HTTP_PROXY");
    expect(run.stderr).not.toMatch(/pa55word|carol/);
    expect(run.stderr).not.toMatch(/interrupt/i);
  }, 60_000);

  it("a proxy that cannot reach the hub (502) exits 5 saying so", async () => {
    const gateway = await startProxy(() => ({ refuse: 502 }));
    const run = await runBuiltCli(["models", "pull", "qwen2.5-coder-0.5b"], {
      env: behindProxy(gateway.url),
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(
      `the proxy at ${gateway.address} could not reach hub.invalid:80 (502 Bad Gateway)`,
    );
    expect(run.stderr).not.toMatch(/interrupt/i);
  }, 60_000);

  it("a tunnel the hub cuts mid-download, then refused: exit 5, the partial kept, and the next pull resumes it", async () => {
    hub = await startHubServer({ cdnHost: "cdn.invalid" });
    const content = crypto.randomBytes(300_000);
    const digest = hub.addFile("acme/tiny-gguf", "model.gguf", content, { dropAfterBytes: [120_000] });
    const endpoint = hub.endpoint.replace("127.0.0.1", "hub.invalid");
    // Tunnels are allowed until the download has started (and the hub cuts it); every later CONNECT is
    // refused, so the retry fails the way a proxy that turned restrictive would.
    const downloading = (): boolean => hub?.requests.some((request) => request.server === "cdn") === true;
    const flaky = await startProxy(() => (downloading() ? { refuse: 403 } : "tunnel"));
    const failed = await runBuiltCli(["models", "pull", "hf:acme/tiny-gguf/model.gguf", "-o", "json"], {
      env: behindProxy(flaky.url, endpoint),
    });
    expect(failed.code).toBe(5);
    const document = JSON.parse(failed.stdout) as ErrorDocument;
    expect(document.error.code).toBe("model_download_failed");
    expect(document.error.message).toContain(`the proxy at ${flaky.address} refused to tunnel`);
    expect(document.error.hint).toContain("downloaded so far are kept");
    const cached = (fs.readdirSync(path.join(home.root, "cache"), { recursive: true }) as string[]).map(
      (file) => file.replace(/\\/g, "/"),
    );
    expect(cached.filter((file) => file.endsWith(".gguf"))).toEqual([]);
    const part = cached.find((file) => file.endsWith(".gguf.part"));
    expect(part).toBeDefined();
    const partialBytes = fs.statSync(path.join(home.root, "cache", part ?? "")).size;
    expect(partialBytes).toBeGreaterThan(0);
    expect(partialBytes).toBeLessThan(content.length);

    await flaky.close();
    const open = await startProxy(() => "tunnel");
    const resumed = await runBuiltCli(["models", "pull", "hf:acme/tiny-gguf/model.gguf"], {
      env: behindProxy(open.url, endpoint),
    });
    expect(resumed.code).toBe(0);
    expect(hub.requests.some((request) => request.headers.range === `bytes=${partialBytes}-`)).toBe(true);
    const located = await runBuiltCli(["models", "path", "hf:acme/tiny-gguf/model.gguf"], {
      env: behindProxy(open.url, endpoint),
    });
    const file = located.stdout.trim();
    expect(crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex")).toBe(digest);
  }, 90_000);
});

describe("the first request's automatic download behind a refusing proxy", () => {
  it("exits 5 with the proxy named, not 130", async () => {
    const refusing = await startProxy(() => ({ refuse: 403 }));
    fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
    fs.writeFileSync(home.configFile, "auto_download = true\n");
    const run = await runBuiltCli(
      ["--model", "qwen2.5-coder-0.5b", "-o", "json", "--dry-run", "list files"],
      { env: behindProxy(refusing.url) },
    );
    expect(run.code).toBe(5);
    const document = JSON.parse(run.stdout) as ErrorDocument;
    expect(document.error.code).toBe("model_download_failed");
    expect(document.error.message).toContain(`the proxy at ${refusing.address} refused to tunnel`);
    expect(run.stdout).not.toMatch(/interrupt/i);
  }, 120_000);
});

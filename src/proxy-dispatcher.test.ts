import net from "node:net";
import type { LookupFunction } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "undici";
import { createProxyDispatcher, proxyFor, proxySettings } from "./proxy-dispatcher.js";

/**
 * Loopback stand-ins: two proxies that record the first request line they get and refuse it, and an origin
 * server that answers 200. Every host name resolves to 127.0.0.1 (a custom `lookup`), so a request that goes
 * direct reaches the origin and one that goes through a proxy shows up in that proxy's log, whatever its name.
 */
interface StandIn {
  port: number;
  seen: string[];
  close: () => Promise<void>;
}

function standIn(answer: string): Promise<StandIn> {
  const seen: string[] = [];
  const server = net.createServer((socket) => {
    socket.once("data", (chunk: Buffer) => {
      seen.push(chunk.toString("latin1").split("\r\n")[0] ?? "");
      socket.end(answer);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address !== null ? address.port : 0,
        seen,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

const toLoopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all === true) callback(null, [{ address: "127.0.0.1", family: 4 }]);
  else callback(null, "127.0.0.1", 4);
};

let httpProxy: StandIn;
let httpsProxy: StandIn;
let origin: StandIn;

beforeAll(async () => {
  const refuse = "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
  httpProxy = await standIn(refuse);
  httpsProxy = await standIn(refuse);
  origin = await standIn("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
});

afterAll(async () => {
  await Promise.all([httpProxy.close(), httpsProxy.close(), origin.close()]);
});

/** Which stand-in a request to `url` reached: `direct`, `http-proxy` or `https-proxy`. */
async function routeOf(url: string, env: NodeJS.ProcessEnv): Promise<string> {
  const before = [httpProxy.seen.length, httpsProxy.seen.length, origin.seen.length];
  const dispatcher = createProxyDispatcher({
    env,
    target: new URL(url),
    agentOptions: { connect: { lookup: toLoopback } },
  });
  try {
    const response = await request(url, { dispatcher });
    await response.body.text();
  } catch {
    // A proxy refuses every request; which one it reached is in its log.
  } finally {
    await dispatcher.close();
  }
  const routes = [
    ["http-proxy", httpProxy.seen.length > (before[0] ?? 0)],
    ["https-proxy", httpsProxy.seen.length > (before[1] ?? 0)],
    ["direct", origin.seen.length > (before[2] ?? 0)],
  ] as const;
  return routes
    .filter(([, reached]) => reached)
    .map(([name]) => name)
    .join("+");
}

describe("createProxyDispatcher", () => {
  const proxies = (): NodeJS.ProcessEnv => ({
    HTTP_PROXY: `http://127.0.0.1:${httpProxy.port}`,
    HTTPS_PROXY: `http://127.0.0.1:${httpsProxy.port}`,
  });

  it("goes direct when no proxy variable is set", async () => {
    expect(await routeOf(`http://models.example:${origin.port}/`, {})).toBe("direct");
  });

  it("sends http:// through HTTP_PROXY and https:// through HTTPS_PROXY", async () => {
    expect(await routeOf(`http://models.example:${origin.port}/`, proxies())).toBe("http-proxy");
    expect(await routeOf(`https://models.example:${origin.port}/`, proxies())).toBe("https-proxy");
    expect(httpsProxy.seen.at(-1)).toBe(`CONNECT models.example:${origin.port} HTTP/1.1`);
  });

  it("sends https:// through HTTP_PROXY when HTTPS_PROXY is not set", async () => {
    const env = { HTTP_PROXY: `http://127.0.0.1:${httpProxy.port}` };
    expect(await routeOf(`https://models.example:${origin.port}/`, env)).toBe("http-proxy");
  });

  it("reads the lower-case variables first", async () => {
    const env = { ...proxies(), http_proxy: `http://127.0.0.1:${httpsProxy.port}` };
    expect(await routeOf(`http://models.example:${origin.port}/`, env)).toBe("https-proxy");
  });

  it("reaches NO_PROXY hosts and their subdomains directly, others through the proxy", async () => {
    const env = { ...proxies(), NO_PROXY: "internal.example" };
    expect(await routeOf(`http://internal.example:${origin.port}/`, env)).toBe("direct");
    expect(await routeOf(`http://api.internal.example:${origin.port}/`, env)).toBe("direct");
    expect(await routeOf(`http://models.example:${origin.port}/`, env)).toBe("http-proxy");
    expect(await routeOf(`http://models.example:${origin.port}/`, { ...proxies(), NO_PROXY: "*" })).toBe(
      "direct",
    );
  });

  it("reaches loopback hosts directly, whatever NO_PROXY says", async () => {
    expect(await routeOf(`http://127.0.0.1:${origin.port}/`, proxies())).toBe("direct");
    expect(await routeOf(`http://localhost:${origin.port}/`, { ...proxies(), NO_PROXY: "x.example" })).toBe(
      "direct",
    );
  });

  it("ignores this process's proxy variables", async () => {
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = `http://127.0.0.1:${httpProxy.port}`;
    try {
      expect(await routeOf(`http://models.example:${origin.port}/`, {})).toBe("direct");
      // Only HTTPS_PROXY given: http:// goes direct, not through the process's HTTP_PROXY.
      const env = { HTTPS_PROXY: `http://127.0.0.1:${httpsProxy.port}` };
      expect(await routeOf(`http://models.example:${origin.port}/`, env)).toBe("direct");
      expect(await routeOf(`https://models.example:${origin.port}/`, env)).toBe("https-proxy");
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    }
  });
});

describe("proxySettings", () => {
  it("adds the loopback hosts to the user's NO_PROXY", () => {
    expect(proxySettings({ HTTPS_PROXY: "http://p:3128", no_proxy: "corp.example" })).toEqual({
      httpProxy: undefined,
      httpsProxy: "http://p:3128",
      noProxy: "corp.example,localhost,127.0.0.1,[::1]",
    });
    expect(proxySettings({ NO_PROXY: "corp.example" })).toBeUndefined();
  });
});

describe("proxyFor", () => {
  const settings = proxySettings({
    HTTP_PROXY: "http://user:pw@proxy.corp:3128",
    HTTPS_PROXY: "http://tls-proxy.corp:8080",
    NO_PROXY: "internal.example,.lan,mirror.example:8443",
  });
  const route = (url: string): string | undefined => proxyFor(settings, new URL(url))?.host;

  it("names the proxy for the URL's scheme, and none where NO_PROXY or loopback sends it direct", () => {
    expect(route("http://hub.example/x")).toBe("proxy.corp:3128");
    expect(route("https://hub.example/x")).toBe("tls-proxy.corp:8080");
    expect(route("https://internal.example/x")).toBeUndefined();
    expect(route("https://a.internal.example/x")).toBeUndefined();
    expect(route("http://box.lan/x")).toBeUndefined();
    expect(route("https://mirror.example:8443/x")).toBeUndefined();
    expect(route("https://mirror.example/x")).toBe("tls-proxy.corp:8080");
    expect(route("http://127.0.0.1:8080/x")).toBeUndefined();
    expect(proxyFor(undefined, new URL("http://hub.example/x"))).toBeUndefined();
  });
});

/**
 * The classification table, fed with the errors undici really throws against loopback stand-ins: proxies
 * that refuse CONNECT (403, 407, 502), a proxy port nothing listens on, a tunnel cut mid-body, and a host
 * whose name does not resolve (a `lookup` that fails, so no query leaves the machine).
 */
import http from "node:http";
import type net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent, request } from "undici";
import type { Dispatcher } from "undici";
import { classifyNetworkFailure, hostAndPort, type NetworkFailureKind } from "./network-failure.js";
import { createProxyDispatcher, dispatcherProxyFor } from "./proxy-dispatcher.js";
import { ModelError, isAbortError } from "./errors.js";
import { startProxyStandIn, unusedPort, type ProxyStandIn } from "../test/support/proxy-stand-in.js";

let refusing: ProxyStandIn;
let asksCredentials: ProxyStandIn;
let badGateway: ProxyStandIn;
let tunnelling: ProxyStandIn;
/** Answers 200 with a 1000-byte length, sends 10 bytes, then cuts the connection. */
let cutting: http.Server;
let cuttingPort: number;

beforeAll(async () => {
  refusing = await startProxyStandIn(() => ({ refuse: 403 }));
  asksCredentials = await startProxyStandIn(() => ({ refuse: 407 }));
  badGateway = await startProxyStandIn(() => ({ refuse: 502 }));
  tunnelling = await startProxyStandIn(() => "tunnel");
  cutting = http.createServer((_request, response) => {
    response.writeHead(200, { "content-length": "1000" });
    response.write("0123456789", () => response.socket?.destroy());
  });
  await new Promise<void>((resolve) => cutting.listen(0, "127.0.0.1", resolve));
  cuttingPort = (cutting.address() as AddressInfo).port;
});

afterAll(async () => {
  await Promise.all([refusing, asksCredentials, badGateway, tunnelling].map((proxy) => proxy.close()));
  cutting.closeAllConnections();
  await new Promise((resolve) => cutting.close(resolve));
});

/** Sends one GET, reads the whole body, and returns what it rejected with. */
async function failureOf(url: string, dispatcher: Dispatcher): Promise<unknown> {
  try {
    const response = await request(url, { dispatcher });
    await response.body.arrayBuffer();
  } catch (error) {
    return error;
  }
  throw new Error(`${url} did not fail`);
}

function viaProxy(proxyUrl: string): Dispatcher {
  return createProxyDispatcher({ env: { HTTP_PROXY: proxyUrl } });
}

interface Row {
  name: string;
  /** The URL to ask for and the dispatcher to ask through. */
  setup: () => Promise<{ url: string; dispatcher: Dispatcher }>;
  kind: NetworkFailureKind;
  reason: string | RegExp | ((url: URL) => string);
  retryable: boolean;
}

/** A `lookup` that fails as getaddrinfo does for a name that does not exist, without asking any resolver. */
const lookupNotFound: net.LookupFunction = (hostname, _options, callback) => {
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: "ENOTFOUND",
    syscall: "getaddrinfo",
    hostname,
  });
  callback(error, "", 4);
};

const rows: Row[] = [
  {
    name: "a proxy that refuses CONNECT (403)",
    setup: () =>
      Promise.resolve({ url: "http://hub.invalid/model.gguf", dispatcher: viaProxy(refusing.url) }),
    kind: "proxy_refused",
    reason: () => `the proxy at ${refusing.address} refused to tunnel to hub.invalid:80 (403 Forbidden)`,
    retryable: false,
  },
  {
    name: "a proxy that wants credentials (407); the ones in the proxy URL are never shown",
    setup: () =>
      Promise.resolve({
        url: "https://hub.invalid/model.gguf",
        dispatcher: createProxyDispatcher({
          env: { HTTPS_PROXY: `http://alice:s3cret@127.0.0.1:${asksCredentials.port}` },
        }),
      }),
    kind: "proxy_auth",
    reason: () =>
      `the proxy at ${asksCredentials.address} asked for credentials to tunnel to hub.invalid:443 (407 Proxy Authentication Required)`,
    retryable: false,
  },
  {
    name: "a proxy that cannot reach the host (502)",
    setup: () =>
      Promise.resolve({ url: "http://hub.invalid:8080/model.gguf", dispatcher: viaProxy(badGateway.url) }),
    kind: "proxy_upstream",
    reason: () => `the proxy at ${badGateway.address} could not reach hub.invalid:8080 (502 Bad Gateway)`,
    retryable: true,
  },
  {
    name: "a proxy that is not listening: the proxy is named, not the hub",
    setup: async () => ({
      url: "http://hub.invalid/model.gguf",
      dispatcher: viaProxy(`http://127.0.0.1:${await unusedPort()}`),
    }),
    kind: "proxy_unreachable",
    reason: /^cannot reach the proxy at 127\.0\.0\.1:\d+ \(connection refused\)$/,
    retryable: true,
  },
  {
    name: "a tunnel cut mid-body",
    setup: () =>
      Promise.resolve({
        url: `http://hub.invalid:${cuttingPort}/model.gguf`,
        dispatcher: viaProxy(tunnelling.url),
      }),
    kind: "connection_lost",
    reason: () =>
      `the connection to hub.invalid:${cuttingPort} through the proxy at ${tunnelling.address} broke (connection reset)`,
    retryable: true,
  },
  {
    name: "a host name that does not resolve, direct",
    setup: () =>
      Promise.resolve({
        url: "http://hub.invalid/model.gguf",
        dispatcher: new Agent({ connect: { lookup: lookupNotFound } }),
      }),
    kind: "host_unreachable",
    reason: "cannot reach hub.invalid:80 (host name not found)",
    retryable: true,
  },
  {
    name: "a connection refused, direct",
    setup: async () => ({ url: `http://127.0.0.1:${await unusedPort()}/`, dispatcher: new Agent() }),
    kind: "host_unreachable",
    reason: (url) => `cannot reach 127.0.0.1:${url.port} (connection refused)`,
    retryable: true,
  },
];

describe("classifyNetworkFailure on real undici errors", () => {
  it.each(rows)("$name", async (row) => {
    const setup = await row.setup();
    const url = new URL(setup.url);
    try {
      const error = await failureOf(url.href, setup.dispatcher);
      const failure = classifyNetworkFailure(error, {
        url,
        proxy: dispatcherProxyFor(setup.dispatcher, url),
      });
      expect(failure).toMatchObject({ kind: row.kind, retryable: row.retryable });
      const reason = typeof row.reason === "function" ? row.reason(url) : row.reason;
      if (typeof reason === "string") expect(failure?.reason).toBe(reason);
      else expect(failure?.reason).toMatch(reason);
      expect(failure?.reason).not.toMatch(/alice|s3cret/);
    } finally {
      await setup.dispatcher.close();
    }
  });
});

describe("classifyNetworkFailure", () => {
  it("takes undici's tunnel refusal, named AbortError, for the proxy's answer, not a cancel", async () => {
    const dispatcher = viaProxy(refusing.url);
    const error = await failureOf("http://hub.invalid/", dispatcher);
    await dispatcher.close();
    // The shape that made a refusing proxy exit 130: undici names it like a cancelled request.
    expect(error).toMatchObject({ name: "AbortError", code: "UND_ERR_ABORTED" });
    const typed = new ModelError("model_download_failed", "x", { cause: error });
    expect(isAbortError(typed)).toBe(false);
    expect(isAbortError(error)).toBe(true);
  });

  it("names a proxy whose name does not resolve as the proxy", () => {
    const error = Object.assign(new Error("getaddrinfo ENOTFOUND proxy.corp"), { code: "ENOTFOUND" });
    const failure = classifyNetworkFailure(new TypeError("fetch failed", { cause: error }), {
      url: new URL("https://huggingface.co/x"),
      proxy: new URL("http://user:pw@proxy.corp:3128"),
    });
    expect(failure).toMatchObject({
      kind: "proxy_unreachable",
      proxy: "proxy.corp:3128",
      reason: "cannot reach the proxy at proxy.corp:3128 (host name not found)",
    });
  });

  it("leaves errors that are no network failure alone", () => {
    const route = { url: new URL("http://hub.invalid/") };
    expect(classifyNetworkFailure(new Error("something else"), route)).toBeUndefined();
    expect(
      classifyNetworkFailure(Object.assign(new Error("disk"), { code: "ENOSPC" }), route),
    ).toBeUndefined();
    expect(classifyNetworkFailure("not an error", route)).toBeUndefined();
  });

  it("spells out default ports and drops credentials", () => {
    expect(hostAndPort(new URL("https://user:pw@hub.example/x"))).toBe("hub.example:443");
    expect(hostAndPort(new URL("http://[::1]:3128"))).toBe("[::1]:3128");
  });
});

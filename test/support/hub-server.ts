/**
 * A loopback stand-in for the Hugging Face hub, speaking the real `resolve` protocol: HEAD and GET on
 * `/{owner}/{repo}/resolve/{revision}/{file}` answer 302 to a CDN path (on a second loopback server, or the same
 * one) with `X-Linked-Etag`, `X-Linked-Size`, `X-Repo-Commit` and `ETag`; the CDN honours `Range` with 206 and
 * `Content-Range`. Faults can be injected per file, and every request is logged with its headers.
 * Listens on 127.0.0.1 only.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import net, { type AddressInfo } from "node:net";

/** Faults and settings for one file. */
export interface HubFileOptions {
  revision?: string;
  /** Commit announced in `X-Repo-Commit`. Default: a fixed 40-hex id. */
  commit?: string;
  /** Stored in LFS (302 to the CDN with X-Linked-*), the case for GGUFs. Default true. */
  lfs?: boolean;
  /** Answer 401 unless `Authorization: Bearer <token>` is sent. */
  requireToken?: string;
  /** Statuses answered (in order, one per `resolve` request) before the file is served, e.g. 429 or 503. */
  failures?: { status: number; retryAfterSeconds?: number }[];
  /** For each of the first GET bodies in turn: drop the connection after this many bytes. */
  dropAfterBytes?: number[];
  /** Serve bytes that differ from the announced SHA-256 (one byte flipped in the middle). */
  corrupt?: boolean;
  /** Throttle the body to about this many bytes per second. */
  bytesPerSecond?: number;
  /** Send the first 64 KiB of each body, then wait for this before sending the rest. */
  gate?: Promise<unknown>;
  /** Ignore `Range` and always answer 200 with the whole file. */
  ignoreRange?: boolean;
}

/** One logged request. */
export interface HubRequest {
  server: "hub" | "cdn";
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

interface StoredFile {
  content: Buffer;
  sha256: string;
  options: HubFileOptions;
  failuresLeft: { status: number; retryAfterSeconds?: number }[];
  dropsLeft: number[];
}

export interface HubServer {
  /** `http://127.0.0.1:<port>`: use as `HF_ENDPOINT`. */
  endpoint: string;
  /** Origin of the CDN server the hub redirects to. */
  cdnOrigin: string;
  /** Every request so far, in order. */
  requests: HubRequest[];
  /** Adds (or replaces) a file; returns its SHA-256. */
  addFile(repo: string, file: string, content: Buffer, options?: HubFileOptions): string;
  close(): Promise<void>;
}

const DEFAULT_COMMIT = "0123456789abcdef0123456789abcdef01234567";

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

async function sendBody(
  response: http.ServerResponse,
  body: Buffer,
  options: {
    dropAfter?: number | undefined;
    bytesPerSecond?: number | undefined;
    gate?: Promise<unknown> | undefined;
  },
): Promise<void> {
  if (options.dropAfter === undefined && options.bytesPerSecond === undefined && options.gate === undefined) {
    response.end(body);
    return;
  }
  const chunkSize = 64 * 1024;
  for (let offset = 0; offset < body.length; offset += chunkSize) {
    const chunk = body.subarray(offset, Math.min(body.length, offset + chunkSize));
    if (options.dropAfter !== undefined && offset + chunk.length > options.dropAfter) {
      // Cut the connection as soon as the bytes are handed to the kernel, so headers, bytes and the close
      // may reach the client together.
      await new Promise<void>((resolve) => {
        response.write(chunk.subarray(0, options.dropAfter! - offset), () => {
          resolve();
        });
      });
      response.socket?.destroy();
      return;
    }
    if (!response.write(chunk)) await new Promise((resolve) => response.once("drain", resolve));
    if (options.bytesPerSecond !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, (chunk.length / options.bytesPerSecond!) * 1000));
    }
    if (offset === 0 && options.gate !== undefined) await options.gate;
    if (response.destroyed) return;
  }
  response.end();
}

/**
 * Starts the stand-in. `sameServerCdn` serves the CDN paths from the hub's own origin; `cdnHost` is the host
 * name its redirects give the CDN (default 127.0.0.1), e.g. a name a loopback proxy sends to 127.0.0.1, so
 * the download itself goes through the proxy too.
 */
export async function startHubServer(
  settings: { sameServerCdn?: boolean; cdnHost?: string } = {},
): Promise<HubServer> {
  const files = new Map<string, StoredFile>();
  const blobs = new Map<string, StoredFile>();
  const requests: HubRequest[] = [];
  let cdnOrigin = "";

  const serveBlob = (
    request: http.IncomingMessage,
    response: http.ServerResponse,
    stored: StoredFile,
  ): void => {
    let body = stored.content;
    if (stored.options.corrupt === true) {
      body = Buffer.from(body);
      const middle = Math.floor(body.length / 2);
      body[middle] = (body[middle] ?? 0) ^ 0xff;
    }
    const headers: http.OutgoingHttpHeaders = {
      "content-type": "application/octet-stream",
      "accept-ranges": "bytes",
      etag: `"${stored.sha256}"`,
    };
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
    let status = 200;
    if (range?.[1] !== undefined && stored.options.ignoreRange !== true) {
      const start = Number.parseInt(range[1], 10);
      if (start >= body.length) {
        response.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
        return;
      }
      headers["content-range"] = `bytes ${start}-${body.length - 1}/${body.length}`;
      body = body.subarray(start);
      status = 206;
    }
    headers["content-length"] = body.length;
    response.writeHead(status, headers);
    if (request.method === "HEAD") {
      response.end();
      return;
    }
    const dropAfter = stored.dropsLeft.shift();
    void sendBody(response, body, {
      dropAfter,
      bytesPerSecond: stored.options.bytesPerSecond,
      gate: stored.options.gate,
    });
  };

  const handleCdn = (
    request: http.IncomingMessage,
    response: http.ServerResponse,
    pathname: string,
  ): void => {
    const stored = blobs.get(pathname.slice("/cdn/blobs/".length));
    if (stored === undefined) {
      response.writeHead(404).end("blob not found");
      return;
    }
    serveBlob(request, response, stored);
  };

  const handleHub = (
    request: http.IncomingMessage,
    response: http.ServerResponse,
    pathname: string,
  ): void => {
    const match = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(pathname);
    if (match === null) {
      response.writeHead(404).end("not found");
      return;
    }
    const [, repo = "", revision = "", file = ""] = match;
    const stored = files.get(`${repo}|${decodeURIComponent(revision)}|${decodeURIComponent(file)}`);
    if (stored === undefined) {
      response.writeHead(404, { "x-error-code": "EntryNotFound" }).end("Entry not found");
      return;
    }
    const token = stored.options.requireToken;
    if (token !== undefined && request.headers.authorization !== `Bearer ${token}`) {
      response.writeHead(401, { "x-error-code": "GatedRepo" }).end("Access to this model is restricted");
      return;
    }
    const failure = stored.failuresLeft.shift();
    if (failure !== undefined) {
      const headers: http.OutgoingHttpHeaders =
        failure.retryAfterSeconds === undefined ? {} : { "retry-after": String(failure.retryAfterSeconds) };
      response.writeHead(failure.status, headers).end("try again later");
      return;
    }
    const common: http.OutgoingHttpHeaders = { "x-repo-commit": stored.options.commit ?? DEFAULT_COMMIT };
    if (stored.options.lfs === false) {
      // Small git files: the etag is the git blob id, not a SHA-256.
      const gitId = createHash("sha1").update(stored.content).digest("hex");
      response.writeHead(200, { ...common, etag: `"${gitId}"`, "content-length": stored.content.length });
      response.end(request.method === "HEAD" ? undefined : stored.content);
      return;
    }
    response
      .writeHead(302, {
        ...common,
        location: `${cdnOrigin}/cdn/blobs/${stored.sha256}`,
        "x-linked-etag": `"${stored.sha256}"`,
        "x-linked-size": String(stored.content.length),
        etag: `W/"${createHash("sha1").update(stored.sha256).digest("hex")}"`,
      })
      .end();
  };

  const logged =
    (server: "hub" | "cdn") =>
    (request: http.IncomingMessage, response: http.ServerResponse): void => {
      const pathname = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
      requests.push({ server, method: request.method ?? "", path: pathname, headers: request.headers });
      if (pathname.startsWith("/cdn/blobs/")) handleCdn(request, response, pathname);
      else if (server === "hub") handleHub(request, response, pathname);
      else response.writeHead(404).end();
    };

  const hub = http.createServer(logged("hub"));
  const cdn = settings.sameServerCdn === true ? undefined : http.createServer(logged("cdn"));
  const endpoint = await listen(hub);
  cdnOrigin = cdn === undefined ? endpoint : await listen(cdn);
  if (settings.cdnHost !== undefined) cdnOrigin = cdnOrigin.replace("127.0.0.1", settings.cdnHost);

  return {
    endpoint,
    cdnOrigin,
    requests,
    addFile(repo, file, content, options = {}) {
      const sha256 = createHash("sha256").update(content).digest("hex");
      const stored: StoredFile = {
        content,
        sha256,
        options,
        failuresLeft: [...(options.failures ?? [])],
        dropsLeft: [...(options.dropAfterBytes ?? [])],
      };
      files.set(`${repo}|${options.revision ?? "main"}|${file}`, stored);
      blobs.set(sha256, stored);
      return sha256;
    },
    async close() {
      for (const server of [hub, cdn]) {
        if (server === undefined) continue;
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}

/**
 * A forward HTTP proxy on loopback (CONNECT tunnels and absolute-form requests) that sends everything to
 * 127.0.0.1 at the requested port, whatever the host name, logging each request.
 */
export async function startLoopbackProxy(): Promise<{
  url: string;
  requests: string[];
  close(): Promise<void>;
}> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const target = new URL(request.url ?? "/");
    requests.push(`${request.method ?? ""} ${target.toString()}`);
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: request.method,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  // Tunnelled requests (how undici and curl use a proxy by default): CONNECT host:port, then raw bytes.
  server.on("connect", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    requests.push(`CONNECT ${request.url ?? ""}`);
    const port = Number.parseInt((request.url ?? "").split(":").at(-1) ?? "", 10);
    const upstream = net.connect(port, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  const url = await listen(server);
  return {
    url,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The HTTP side of model downloads: the Hugging Face endpoint and token from the environment, the shared
 * dispatcher that honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY, and one request that follows redirects by hand so the
 * token only ever goes to the endpoint's own origin (never to the CDN a `resolve` URL redirects to).
 */
import type { Dispatcher } from "undici";
import { BodyChannel } from "./body-channel.js";
import { ModelError } from "../errors.js";

/** The default hub; `HF_ENDPOINT` overrides it (mirrors, tests). */
export const DEFAULT_HF_ENDPOINT = "https://huggingface.co";

const MAX_REDIRECTS = 10;

/** `HF_ENDPOINT` without a trailing slash, default {@link DEFAULT_HF_ENDPOINT}. */
export function huggingFaceEndpoint(env: NodeJS.ProcessEnv): string {
  const value = env.HF_ENDPOINT?.trim();
  return (value === undefined || value === "" ? DEFAULT_HF_ENDPOINT : value).replace(/\/+$/, "");
}

/** `HF_TOKEN`, else `HUGGING_FACE_HUB_TOKEN`, else undefined. */
export function huggingFaceToken(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"] as const) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

/** Whether `HF_HUB_OFFLINE` asks for no network at all (1, true, yes, on). */
export function offlineFromEnvironment(env: NodeJS.ProcessEnv): boolean {
  return ["1", "true", "yes", "on"].includes((env.HF_HUB_OFFLINE ?? "").trim().toLowerCase());
}

/** The dispatcher every cmdai request uses (`proxy-dispatcher.ts`), for this environment. */
export async function createDownloadDispatcher(env: NodeJS.ProcessEnv): Promise<Dispatcher> {
  // undici (~80 ms to load) is imported only when something is fetched: resolving a model that is already
  // on disk, on every request, never needs it.
  const { createProxyDispatcher } = await import("../proxy-dispatcher.js");
  return createProxyDispatcher({ env });
}

/** What the hub announced about a file, gathered over the redirect chain. */
export interface RemoteFileInfo {
  /** Size in bytes (`X-Linked-Size`, else `Content-Length` of a full answer, else `Content-Range` total). */
  sizeBytes?: number | undefined;
  /** Lower-case hex SHA-256 when the hub announced one (`X-Linked-Etag` or `ETag` of 64 hex digits). */
  sha256?: string | undefined;
  /** The raw entity tag, used to tell whether a partial download still matches the remote file. */
  etag?: string | undefined;
  /** `X-Repo-Commit`, when the hub sent it. */
  commit?: string | undefined;
}

/** An answer after redirects. The caller must consume `body` or call `body.discard()`. */
export interface RemoteResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: BodyChannel;
  info: RemoteFileInfo;
  /** Where the answer finally came from. */
  finalUrl: string;
}

/** One request to make. */
export interface RemoteRequest {
  url: string;
  method: "GET" | "HEAD";
  /** Sent as a Bearer token, only to `tokenOrigin`. */
  token?: string | undefined;
  /** The one origin (scheme://host:port) trusted with the token. */
  tokenOrigin?: string | undefined;
  /** First byte wanted (sends `Range: bytes=N-`). */
  rangeStart?: number | undefined;
  dispatcher: Dispatcher;
  signal?: AbortSignal | undefined;
}

function header(headers: RemoteResponse["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cleanEtag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.replace(/^W\//, "").replace(/^"|"$/g, "").trim() || undefined;
}

function parseSize(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number.parseInt(value.trim(), 10);
}

function mergeInfo(info: RemoteFileInfo, headers: RemoteResponse["headers"], statusCode: number): void {
  const linkedEtag = cleanEtag(header(headers, "x-linked-etag"));
  const etag = linkedEtag ?? cleanEtag(header(headers, "etag"));
  if (info.etag === undefined && etag !== undefined) info.etag = etag;
  if (info.sha256 === undefined && etag !== undefined && /^[0-9a-f]{64}$/i.test(etag)) {
    info.sha256 = etag.toLowerCase();
  }
  info.commit ??= header(headers, "x-repo-commit");
  info.sizeBytes ??= parseSize(header(headers, "x-linked-size"));
  if (info.sizeBytes === undefined && statusCode === 200) {
    info.sizeBytes = parseSize(header(headers, "content-length"));
  }
  if (info.sizeBytes === undefined && statusCode === 206) {
    info.sizeBytes = parseSize(/\/(\d+)\s*$/.exec(header(headers, "content-range") ?? "")?.[1]);
  }
}

/**
 * One request through undici's `stream()` API: resolves at the response headers with the status, the headers
 * and a {@link BodyChannel} that undici fills as the body arrives.
 */
async function openStream(
  url: string,
  options: Pick<Dispatcher.RequestOptions, "method" | "headers" | "signal"> & { dispatcher: Dispatcher },
): Promise<{ statusCode: number; headers: RemoteResponse["headers"]; body: BodyChannel }> {
  const { stream } = await import("undici");
  return new Promise((resolve, reject) => {
    let started = false;
    stream(url, options, ({ statusCode, headers }) => {
      started = true;
      const body = new BodyChannel();
      resolve({ statusCode, headers, body });
      return body;
    }).catch((error: unknown) => {
      // After the headers, failures reach the caller through the channel.
      if (!started)
        reject(error instanceof Error ? error : new Error("The request failed.", { cause: error }));
    });
  });
}

/**
 * A request that failed before its answer's headers (no connection, a proxy refusing the tunnel, …), with the
 * URL of the hop that failed: after a redirect that is the CDN, not the URL first asked for.
 */
export class RemoteRequestError extends Error {
  override readonly name = "RemoteRequestError";
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : `The request to ${url} failed.`, { cause });
  }
}

/**
 * Sends one request and follows up to 10 redirects manually. A failure before the headers rejects with a
 * {@link RemoteRequestError} naming the hop. The token goes only to requests whose origin is
 * `tokenOrigin`; once a redirect leaves it, the token is not sent again on that chain.
 */
export async function requestRemote(options: RemoteRequest): Promise<RemoteResponse> {
  let url = options.url;
  const info: RemoteFileInfo = {};
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = { "user-agent": "cmdai", "accept-encoding": "identity" };
    if (options.token !== undefined && new URL(url).origin === options.tokenOrigin) {
      headers.authorization = `Bearer ${options.token}`;
    }
    if (options.rangeStart !== undefined && options.rangeStart > 0) {
      headers.range = `bytes=${options.rangeStart}-`;
    }
    let response: Awaited<ReturnType<typeof openStream>>;
    try {
      response = await openStream(url, {
        method: options.method,
        headers,
        dispatcher: options.dispatcher,
        signal: options.signal ?? null,
      });
    } catch (error) {
      throw new RemoteRequestError(url, error);
    }
    mergeInfo(info, response.headers, response.statusCode);
    const location = header(response.headers, "location");
    if (response.statusCode >= 300 && response.statusCode < 400 && location !== undefined) {
      response.body.discard();
      url = new URL(location, url).toString();
      continue;
    }
    return {
      statusCode: response.statusCode,
      headers: response.headers,
      body: response.body,
      info,
      finalUrl: url,
    };
  }
  throw new ModelError("model_download_failed", `Too many redirects while fetching ${options.url}.`);
}

/** The raw `Retry-After` header of an answer, for `parseRetryAfter` (`retry-delay.ts`). */
export function retryAfterHeader(headers: RemoteResponse["headers"]): string | undefined {
  return header(headers, "retry-after");
}

/**
 * What a failed request's error says about the network below HTTP, in words naming the hop at fault: the
 * proxy (it refused the tunnel, wants credentials, could not reach the host, or is not there) or the host
 * itself (DNS, refused, reset). undici reports a proxy's refusal of CONNECT as a `RequestAbortedError` named
 * `AbortError`, which looks like a cancelled request; classifying it here keeps a refusing proxy from being
 * taken for Ctrl-C. Loads nothing: callers on a start-up path may import it.
 */
import { unreachableReason } from "./unreachable-reason.js";

/** Where a request went: its URL, and the proxy it was sent through (undefined when it went direct). */
export interface NetworkRoute {
  url: URL;
  proxy?: URL | undefined;
}

export type NetworkFailureKind =
  /** The proxy answered CONNECT with a refusal (403, 405, …): its policy, not worth retrying. */
  | "proxy_refused"
  /** The proxy answered 407: it wants (other) credentials. */
  | "proxy_auth"
  /** The proxy answered CONNECT with 502/503/504: it could not reach the host. */
  | "proxy_upstream"
  /** No connection to the proxy itself (refused, name not found, timeout). */
  | "proxy_unreachable"
  /** No connection to the host, reached directly (refused, name not found, no route, timeout). */
  | "host_unreachable"
  /** A connection that worked broke (reset, closed mid-answer). */
  | "connection_lost";

export interface NetworkFailure {
  kind: NetworkFailureKind;
  /**
   * One clause naming who failed and why, to put in a sentence: e.g. "the proxy at 127.0.0.1:3128 refused to
   * tunnel to hub.example:80 (403 Forbidden)". Never contains a proxy's credentials.
   */
  reason: string;
  /** `host:port` of the proxy, when the request went through one. */
  proxy: string | undefined;
  /** `host:port` the request was for. */
  target: string;
  /** HTTP status the proxy answered CONNECT with, for the proxy_* kinds that have one. */
  proxyStatus: number | undefined;
  /** Whether the same request may work if tried again (a proxy's policy does not change between tries). */
  retryable: boolean;
}

/** undici's message when the proxy answers CONNECT with anything but 200 (`ProxyAgent`). */
const TUNNEL_REFUSED = /Proxy response \((\d{3})\) !== 200 when HTTP Tunneling/;
/** undici's message for a 407 on a proxied request without a tunnel (`proxyTunnel: false`). */
const PLAIN_PROXY_AUTH = /Proxy Authentication Required \(407\)/;

/** Codes meaning no connection could be opened at all. */
const CONNECT_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Codes meaning an open connection broke. */
const LOST_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  407: "Proxy Authentication Required",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** `host:port` of a URL with the scheme's default port spelled out, and never its user name or password. */
export function hostAndPort(url: URL): string {
  const port = url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80";
  return `${url.hostname}:${port}`;
}

/** `403 Forbidden`, or `HTTP 418` for a status without a common name here. */
function statusWords(status: number): string {
  const text = STATUS_TEXT[status];
  return text === undefined ? `HTTP ${status}` : `${status} ${text}`;
}

/** The errors along a cause chain, AggregateError members included (happy eyeballs tries several addresses). */
function chain(error: unknown): Error[] {
  const found: Error[] = [];
  const visit = (current: unknown, depth: number): void => {
    if (depth >= 6 || !(current instanceof Error)) return;
    found.push(current);
    if (current instanceof AggregateError) for (const inner of current.errors) visit(inner, depth + 1);
    visit(current.cause, depth + 1);
  };
  visit(error, 0);
  return found;
}

function codeOf(error: Error): string | undefined {
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === "string" && code !== "" ? code : undefined;
}

/**
 * Sorts `error` (as undici or node:net threw it for a request along `route`) into a {@link NetworkFailure};
 * undefined when it is no network failure (an HTTP status, a disk error, a bug).
 */
export function classifyNetworkFailure(error: unknown, route: NetworkRoute): NetworkFailure | undefined {
  const errors = chain(error);
  const target = hostAndPort(route.url);
  const proxy = route.proxy === undefined ? undefined : hostAndPort(route.proxy);
  const base = { proxy, target, proxyStatus: undefined };
  for (const current of errors) {
    const refused = TUNNEL_REFUSED.exec(current.message)?.[1];
    const status = refused !== undefined ? Number.parseInt(refused, 10) : undefined;
    const auth = status === 407 || PLAIN_PROXY_AUTH.test(current.message);
    if (status === undefined && !auth) continue;
    const at = proxy === undefined ? "the proxy" : `the proxy at ${proxy}`;
    if (auth) {
      return {
        ...base,
        kind: "proxy_auth",
        proxyStatus: 407,
        retryable: false,
        reason: `${at} asked for credentials to tunnel to ${target} (407 Proxy Authentication Required)`,
      };
    }
    if (status === undefined) continue;
    const upstream = status === 502 || status === 503 || status === 504;
    return {
      ...base,
      kind: upstream ? "proxy_upstream" : "proxy_refused",
      proxyStatus: status,
      retryable: upstream,
      reason: upstream
        ? `${at} could not reach ${target} (${statusWords(status)})`
        : `${at} refused to tunnel to ${target} (${statusWords(status)})`,
    };
  }
  const code = errors.map(codeOf).find((found) => found !== undefined);
  if (code !== undefined && CONNECT_CODES.has(code)) {
    // Through a proxy the only connection cmdai opens is to the proxy (it connects to the host for us), so
    // a connection that cannot be opened is the proxy's, whatever the host.
    return proxy === undefined
      ? {
          ...base,
          kind: "host_unreachable",
          retryable: true,
          reason: `cannot reach ${target} (${unreachableReason(code)})`,
        }
      : {
          ...base,
          kind: "proxy_unreachable",
          retryable: true,
          reason: `cannot reach the proxy at ${proxy} (${unreachableReason(code)})`,
        };
  }
  if (code !== undefined && LOST_CODES.has(code)) {
    const via = proxy === undefined ? "" : ` through the proxy at ${proxy}`;
    return {
      ...base,
      kind: "connection_lost",
      retryable: true,
      reason: `the connection to ${target}${via} broke (${unreachableReason(code)})`,
    };
  }
  return undefined;
}

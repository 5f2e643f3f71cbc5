/**
 * Turning HTTP failures into typed {@link BackendError}s: the server's own message is pulled out of whichever
 * error body shape it uses (Ollama, OpenAI, vLLM, llama.cpp server, LM Studio, FastAPI), and network failures
 * are sorted into "unavailable" (nothing to talk to: the fallback chain may try the next backend) and
 * "connection reset" (worth a retry); a proxy on the way that fails is named as the one at fault.
 */
import { classifyNetworkFailure, type NetworkRoute } from "../../network-failure.js";
import { unreachableReason } from "../../unreachable-reason.js";
import { BackendError } from "../../errors.js";

/** Who is being talked to, for messages: e.g. `Ollama at http://127.0.0.1:11434`. */
export interface ServiceLabel {
  /** e.g. `Ollama`, `the OpenAI-compatible server`. */
  name: string;
  /** The base URL, as shown to users. */
  location: string;
  /** One line naming the fix when the server cannot be reached. */
  unreachableHint: string;
}

/** An HTTP error status, with the server's own message kept for callers that branch on it. */
export class HttpStatusError extends BackendError {
  /** The message the server put in its error body (or the start of the body). */
  readonly serverMessage: string;
  /** The request path that failed, e.g. `/api/chat`. */
  readonly path: string;
  /** `Retry-After` in milliseconds, when the server sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(options: {
    service: ServiceLabel;
    path: string;
    status: number;
    body: string;
    retryAfterMs?: number | undefined;
  }) {
    const serverMessage = serverErrorMessage(options.body) ?? "";
    const retryable = RETRYABLE_STATUSES.has(options.status);
    const detail = serverMessage === "" ? "" : `: ${serverMessage}`;
    super(
      "backend_http",
      `${sentenceStart(options.service.name)} at ${options.service.location} answered HTTP ${options.status} to ${options.path}${detail}`,
      { status: options.status, isRetryable: retryable, hint: statusHint(options.status) },
    );
    this.serverMessage = serverMessage;
    this.path = options.path;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Statuses worth retrying: rate limits and overloaded or restarting servers and proxies. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

function statusHint(status: number): string | undefined {
  if (status === 401 || status === 403) {
    return "Check the API key (OPENAI_API_KEY, or the variable named by [openai] api_key_env).";
  }
  if (status === 429) return "The server is rate-limiting requests; wait a moment and try again.";
  if (status === 502 || status === 503 || status === 504) {
    return "The server (or a proxy in front of it) is overloaded or restarting; try again shortly.";
  }
  return undefined;
}

/** Longest server message quoted in an error, so a stray HTML page does not flood the terminal. */
const MAX_SERVER_MESSAGE = 300;

/**
 * The human message inside an error body, from the shapes servers use:
 * `{"error":"…"}` (Ollama, LM Studio), `{"error":{"message":"…"}}` (OpenAI, llama.cpp server, newer vLLM),
 * `{"object":"error","message":"…"}` (vLLM), `{"detail":"…"}` (FastAPI), or plain text.
 */
export function serverErrorMessage(body: string): string | undefined {
  const trimmed = body.trim();
  if (trimmed === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return shorten(trimmed.replace(/\s+/g, " "));
  }
  const message = messageFrom(parsed);
  return message === undefined ? shorten(trimmed) : shorten(message);
}

function messageFrom(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  for (const key of ["error", "message", "detail"]) {
    const inner = record[key];
    if (typeof inner === "string") return inner;
    if (typeof inner === "object" && inner !== null) {
      const nested = messageFrom(inner);
      if (nested !== undefined) return nested;
      if (Array.isArray(inner)) return JSON.stringify(inner);
    }
  }
  return undefined;
}

function shorten(text: string): string {
  return text.length > MAX_SERVER_MESSAGE ? `${text.slice(0, MAX_SERVER_MESSAGE)}…` : text;
}

/** Network error codes meaning there is nothing to talk to (try the next backend, don't retry). */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Network error codes meaning the connection broke mid-request (worth a retry). */
const RESET_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

/** The first `code` found along an error's cause chain (fetch wraps socket errors in `TypeError`). */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    // AggregateError (happy eyeballs tried several addresses): use the first inner error.
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      current = errors[0];
      continue;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A typed error for a failure below HTTP (refused, DNS, reset, TLS). With the request's `route`, a failure of
 * the proxy it went through (refused tunnel, credentials wanted, no proxy listening) names that proxy and the
 * variables that set it, not the server, which was never reached.
 */
export function networkError(error: unknown, service: ServiceLabel, route?: NetworkRoute): BackendError {
  const failure = route?.proxy === undefined ? undefined : classifyNetworkFailure(error, route);
  if (failure !== undefined && failure.kind.startsWith("proxy_")) {
    return new BackendError(
      "backend_unavailable",
      `Cannot reach ${service.name} at ${service.location}: ${failure.reason}.`,
      {
        hint: `Check ${route?.url.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY"}, or set NO_PROXY=${route?.url.hostname ?? "HOST"} if the server is reachable without the proxy.`,
        cause: error,
        isRetryable: false,
      },
    );
  }
  const code = networkErrorCode(error);
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return new BackendError(
      "backend_unavailable",
      `Cannot reach ${service.name} at ${service.location} (${unreachableReason(code)}).`,
      { hint: service.unreachableHint, cause: error, isRetryable: false },
    );
  }
  const reset = code !== undefined && RESET_CODES.has(code);
  const detail = code ?? (error instanceof Error ? error.message : String(error));
  return new BackendError(
    "backend_unavailable",
    reset
      ? `${sentenceStart(service.name)} at ${service.location} closed the connection mid-request (${detail}).`
      : `Request to ${service.name} at ${service.location} failed (${detail}).`,
    { hint: service.unreachableHint, cause: error, isRetryable: reset },
  );
}

/** A service name at the start of a sentence ("the OpenAI-compatible server" → "The OpenAI-compatible server"). */
export function sentenceStart(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

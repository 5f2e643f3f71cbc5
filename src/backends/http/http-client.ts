/**
 * The small HTTP client both server backends share. It owns the things every request needs and that are easy
 * to get subtly wrong: a connect timeout, one overall deadline covering every attempt (so a stalled server
 * fails within the user's `--timeout`, retries included), jittered retries honouring `Retry-After`, prompt
 * cancellation through an AbortSignal, a cap on the body size, and typed errors.
 *
 * It uses undici's own `fetch` with the dispatcher every cmdai request uses (`proxy-dispatcher.ts`): loopback
 * servers are always reached directly, other hosts through `HTTP(S)_PROXY` / `NO_PROXY` when those are set (as
 * Ollama's and OpenAI's own clients do).
 */
import { fetch } from "undici";
import type { Dispatcher } from "undici";
import { createProxyDispatcher, dispatcherProxyFor } from "../../proxy-dispatcher.js";
import { BackendError, isAbortError } from "../../errors.js";
import { HttpStatusError, networkError, sentenceStart } from "./http-errors.js";
import type { ServiceLabel } from "./http-errors.js";
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay } from "../../retry-delay.js";
import type { RetryPolicy } from "../../retry-delay.js";

/** Default connect timeout: 5 s. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** Largest response body read: 8 MiB (an answer is a few hundred bytes; this only stops a runaway server). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** The point in time by which a whole operation (all attempts) must be done. */
export interface Deadline {
  /** `Date.now()` value at which the operation fails. */
  expiresAt: number;
  /** The budget as the user gave it, for messages. */
  seconds: number;
  /** One line naming the fix when the deadline passes. */
  hint: string;
}

/** A deadline `seconds` from now. */
export function createDeadline(seconds: number, hint: string): Deadline {
  return { expiresAt: Date.now() + seconds * 1000, seconds, hint };
}

export interface HttpClientOptions {
  /** Base URL; request paths are resolved against it (a trailing slash is added when missing). */
  baseUrl: URL;
  service: ServiceLabel;
  /** Headers sent with every request (after the defaults, so they can override them). */
  headers?: Record<string, string> | undefined;
  /** Environment for proxy settings. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Default {@link DEFAULT_CONNECT_TIMEOUT_MS}. */
  connectTimeoutMs?: number | undefined;
  /** Default {@link DEFAULT_RETRY_POLICY}. */
  retry?: Partial<RetryPolicy> | undefined;
  /** Diagnostics for `--verbose` (retries, timings). Default: none. */
  log?: ((line: string) => void) | undefined;
}

export interface HttpRequest {
  method: "GET" | "POST";
  /** Path relative to the base URL, without a leading slash, e.g. `api/chat`. */
  path: string;
  /** Sent as JSON. */
  json?: unknown;
  deadline: Deadline;
  signal?: AbortSignal | undefined;
  /**
   * Each piece of a 2xx response body as it arrives, with the 0-based attempt it belongs to (a retried
   * request starts its body again). Default: none.
   */
  onBodyChunk?: ((chunk: string, attempt: number) => void) | undefined;
}

/** A complete response with a 2xx status. */
export interface HttpTextResponse {
  status: number;
  contentType: string;
  text: string;
  /** Milliseconds from sending the final attempt to its response headers. */
  firstByteMs: number;
  /** Milliseconds from the response headers to the end of the body. */
  bodyMs: number;
}

/** An AbortError carrying the caller's reason, recognised by `isAbortError`. */
export function abortErrorFrom(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && isAbortError(reason)) return reason;
  const error = new Error("The request was aborted.", { cause: reason });
  error.name = "AbortError";
  return error;
}

/** See the module comment. Call {@link HttpClient.close} when done. */
export class HttpClient {
  readonly baseUrl: URL;
  readonly service: ServiceLabel;
  private readonly headers: Record<string, string>;
  private readonly policy: RetryPolicy;
  private readonly dispatcher: Dispatcher & { close(): Promise<void> };
  private readonly log: (line: string) => void;
  private closed = false;

  constructor(options: HttpClientOptions) {
    this.baseUrl = new URL(
      options.baseUrl.href.endsWith("/") ? options.baseUrl.href : `${options.baseUrl.href}/`,
    );
    this.service = options.service;
    this.headers = {
      accept: "application/json, application/x-ndjson, text/event-stream",
      "user-agent": "cmdai",
      ...lowerCaseKeys(options.headers ?? {}),
    };
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.log = options.log ?? (() => undefined);
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    // Timeouts are ours (the deadline); undici's own 300 s header/body timers are switched off.
    this.dispatcher = createProxyDispatcher({
      env: options.env ?? {},
      target: this.baseUrl,
      agentOptions: { connect: { timeout: connectTimeoutMs }, headersTimeout: 0, bodyTimeout: 0 },
    });
  }

  /**
   * Send a request and read the whole body, retrying 429/502/503/504 and connection resets. Rejects with
   * {@link HttpStatusError} for other statuses, `BackendError("backend_timeout")` when the deadline passes,
   * `BackendError("backend_unavailable")` when nothing answers, and an AbortError when `signal` aborts.
   */
  async request(request: HttpRequest): Promise<HttpTextResponse> {
    if (this.closed)
      throw new BackendError(
        "backend_unavailable",
        `${sentenceStart(this.service.name)} client was disposed.`,
      );
    for (let attempt = 0; ; attempt++) {
      let failure: BackendError;
      try {
        return await this.attempt(request, attempt);
      } catch (error) {
        if (!(error instanceof BackendError) || !error.isRetryable || attempt >= this.policy.retries)
          throw error;
        failure = error;
      }
      const wait = retryDelay({
        retryIndex: attempt,
        retryAfterMs: failure instanceof HttpStatusError ? failure.retryAfterMs : undefined,
        policy: this.policy,
      });
      if (Date.now() + wait >= request.deadline.expiresAt) throw failure;
      this.log(`${failure.message} Retrying in ${wait} ms (retry ${attempt + 1} of ${this.policy.retries}).`);
      await this.sleep(wait, request);
    }
  }

  /** Close pooled connections. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.dispatcher.close();
  }

  private async attempt(request: HttpRequest, attempt: number): Promise<HttpTextResponse> {
    const url = new URL(request.path, this.baseUrl);
    const controller = new AbortController();
    const remaining = request.deadline.expiresAt - Date.now();
    const timer = setTimeout(
      () => {
        controller.abort();
      },
      Math.max(0, remaining),
    );
    const onAbort = (): void => {
      controller.abort();
    };
    request.signal?.addEventListener("abort", onAbort, { once: true });
    const started = performance.now();
    try {
      if (request.signal?.aborted === true) throw abortErrorFrom(request.signal);
      if (remaining <= 0) throw this.timeoutError(request);
      const headers: Record<string, string> = { ...this.headers };
      if (request.json !== undefined) headers["content-type"] = "application/json";
      const response = await fetch(url, {
        method: request.method,
        headers,
        body: request.json === undefined ? null : JSON.stringify(request.json),
        signal: controller.signal,
        dispatcher: this.dispatcher,
      });
      const firstByte = performance.now();
      const ok = response.status >= 200 && response.status <= 299;
      const onChunk = request.onBodyChunk;
      const text = await readBody(
        response.body,
        ok && onChunk !== undefined ? (chunk) => onChunk(chunk, attempt) : undefined,
      );
      const bodyMs = performance.now() - firstByte;
      if (!ok) {
        throw new HttpStatusError({
          service: this.service,
          path: `/${url.pathname.replace(/^\//, "")}`,
          status: response.status,
          body: text,
          retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
        });
      }
      return {
        status: response.status,
        contentType: response.headers.get("content-type") ?? "",
        text,
        firstByteMs: firstByte - started,
        bodyMs,
      };
    } catch (error) {
      if (request.signal?.aborted === true) throw abortErrorFrom(request.signal);
      // The controller aborts for the caller's signal (handled above) or for the deadline.
      if (controller.signal.aborted) throw this.timeoutError(request);
      if (error instanceof BackendError) throw error;
      throw networkError(error, this.service, { url, proxy: dispatcherProxyFor(this.dispatcher, url) });
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener("abort", onAbort);
    }
  }

  private timeoutError(request: HttpRequest): BackendError {
    return new BackendError(
      "backend_timeout",
      `${sentenceStart(this.service.name)} at ${this.service.location} gave no answer within ${request.deadline.seconds} s.`,
      { hint: request.deadline.hint },
    );
  }

  /** Wait between attempts; the deadline and the caller's signal still apply. */
  private async sleep(milliseconds: number, request: HttpRequest): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      if (request.signal?.aborted === true) {
        reject(abortErrorFrom(request.signal));
        return;
      }
      const timer = setTimeout(() => {
        request.signal?.removeEventListener("abort", onAbort);
        resolve();
      }, milliseconds);
      const onAbort = (): void => {
        clearTimeout(timer);
        if (request.signal !== undefined) reject(abortErrorFrom(request.signal));
      };
      request.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

async function readBody(
  body: ReadableStream<Uint8Array> | null,
  onChunk: ((chunk: string) => void) | undefined,
): Promise<string> {
  if (body === null) return "";
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (bytes > MAX_BODY_BYTES) {
      throw new BackendError(
        "backend_protocol",
        `The server sent more than ${MAX_BODY_BYTES} bytes; giving up.`,
      );
    }
    const piece = decoder.decode(chunk, { stream: true });
    text += piece;
    if (piece !== "") onChunk?.(piece);
  }
  return text + decoder.decode();
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

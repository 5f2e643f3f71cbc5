/**
 * How long to wait before retrying a failed HTTP request, for every client cmdai has (remote backends, model
 * downloads): exponential backoff with jitter, or the server's `Retry-After`, each capped so a busy server
 * cannot park a command for longer than its caller accepts.
 */

/** Retry settings. Defaults for backend requests: {@link DEFAULT_RETRY_POLICY}. */
export interface RetryPolicy {
  /** Retries after the first attempt (a download counts only attempts that made no progress). Default 2. */
  retries: number;
  /** Backoff before the first retry, doubled for each further one. Default 300 ms. */
  baseDelayMs: number;
  /** Longest backoff. Default 5,000 ms. */
  maxDelayMs: number;
  /** Longest wait cmdai accepts from a `Retry-After` header. Default 5,000 ms. */
  maxRetryAfterMs: number;
}

/** 2 retries, 300 ms base backoff, waits capped at 5 s: an interactive request to a remote backend. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 2,
  baseDelayMs: 300,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 5_000,
};

/**
 * Milliseconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or undefined when absent or
 * unreadable. Never negative.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The wait before retry number `retryIndex` (0 for the first retry). A server's `Retry-After` wins over the
 * backoff, capped at `policy.maxRetryAfterMs`; the backoff is capped at `policy.maxDelayMs` and uses "equal
 * jitter" (half fixed, half random) so clients that failed together do not retry together. `random` is
 * injectable for tests.
 */
export function retryDelay(options: {
  retryIndex: number;
  retryAfterMs?: number | undefined;
  policy: RetryPolicy;
  random?: () => number;
}): number {
  const { policy } = options;
  if (options.retryAfterMs !== undefined) return Math.min(options.retryAfterMs, policy.maxRetryAfterMs);
  const exponential = Math.min(policy.baseDelayMs * 2 ** options.retryIndex, policy.maxDelayMs);
  const random = options.random ?? Math.random;
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay } from "./retry-delay.js";

describe("parseRetryAfter", () => {
  it.each([
    [null, undefined],
    ["", undefined],
    ["soon", undefined],
    ["0", 0],
    ["2", 2000],
    ["1.5", 1500],
  ])("%j → %j ms", (header, expected) => {
    expect(parseRetryAfter(header)).toBe(expected);
  });

  it("reads an HTTP date relative to now, never negative", () => {
    const now = Date.parse("Wed, 21 Oct 2026 07:28:00 GMT");
    expect(parseRetryAfter("Wed, 21 Oct 2026 07:28:03 GMT", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 21 Oct 2026 07:27:00 GMT", now)).toBe(0);
  });
});

describe("retryDelay", () => {
  const policy = DEFAULT_RETRY_POLICY;

  it("honours Retry-After, capped at the policy's maximum", () => {
    expect(retryDelay({ retryIndex: 0, retryAfterMs: 1200, policy })).toBe(1200);
    expect(retryDelay({ retryIndex: 0, retryAfterMs: 120_000, policy })).toBe(policy.maxRetryAfterMs);
    const patient = { ...policy, maxRetryAfterMs: 60_000 };
    expect(retryDelay({ retryIndex: 0, retryAfterMs: 30_000, policy: patient })).toBe(30_000);
  });

  it("backs off exponentially with equal jitter", () => {
    const low = () => 0;
    const high = () => 1;
    expect(retryDelay({ retryIndex: 0, policy, random: low })).toBe(policy.baseDelayMs / 2);
    expect(retryDelay({ retryIndex: 0, policy, random: high })).toBe(policy.baseDelayMs);
    expect(retryDelay({ retryIndex: 1, policy, random: high })).toBe(policy.baseDelayMs * 2);
    expect(retryDelay({ retryIndex: 30, policy, random: high })).toBe(policy.maxDelayMs);
  });

  it("spreads retries of clients that failed together", () => {
    const delays = new Set(Array.from({ length: 20 }, () => retryDelay({ retryIndex: 1, policy })));
    expect(delays.size).toBeGreaterThan(1);
  });
});

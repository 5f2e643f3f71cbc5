import { expect, it } from "vitest";
import {
  DEFAULT_HF_ENDPOINT,
  huggingFaceEndpoint,
  huggingFaceToken,
  isUnreachableError,
  offlineFromEnvironment,
  retryAfterMilliseconds,
} from "./hub-http.js";

it("reads the endpoint, token and offline switch from the environment", () => {
  expect(huggingFaceEndpoint({})).toBe(DEFAULT_HF_ENDPOINT);
  expect(huggingFaceEndpoint({ HF_ENDPOINT: "http://127.0.0.1:8080/" })).toBe("http://127.0.0.1:8080");
  expect(huggingFaceToken({ HUGGING_FACE_HUB_TOKEN: "b" })).toBe("b");
  expect(huggingFaceToken({ HF_TOKEN: "a", HUGGING_FACE_HUB_TOKEN: "b" })).toBe("a");
  expect(huggingFaceToken({ HF_TOKEN: " " })).toBeUndefined();
  expect(offlineFromEnvironment({ HF_HUB_OFFLINE: "1" })).toBe(true);
  expect(offlineFromEnvironment({ HF_HUB_OFFLINE: "0" })).toBe(false);
  expect(offlineFromEnvironment({})).toBe(false);
});

it("parses Retry-After as seconds or an HTTP date", () => {
  expect(retryAfterMilliseconds({ "retry-after": "3" })).toBe(3000);
  const now = Date.parse("2026-01-01T00:00:00Z");
  expect(retryAfterMilliseconds({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }, now)).toBe(5000);
  expect(retryAfterMilliseconds({})).toBeUndefined();
  expect(retryAfterMilliseconds({ "retry-after": "soon" })).toBeUndefined();
});

it("recognises unreachable-network errors through causes", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  expect(isUnreachableError(new TypeError("fetch failed", { cause: refused }))).toBe(true);
  expect(isUnreachableError(new Error("other"))).toBe(false);
});

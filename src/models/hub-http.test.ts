import { expect, it } from "vitest";
import {
  DEFAULT_HF_ENDPOINT,
  huggingFaceEndpoint,
  huggingFaceToken,
  offlineFromEnvironment,
  retryAfterHeader,
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

it("reads the Retry-After header of an answer, first value of a repeated one", () => {
  expect(retryAfterHeader({ "retry-after": "3" })).toBe("3");
  expect(retryAfterHeader({ "retry-after": ["5", "7"] })).toBe("5");
  expect(retryAfterHeader({})).toBeUndefined();
});

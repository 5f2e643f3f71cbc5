import { describe, expect, it } from "vitest";
import { sentenceStart } from "./backends/http/http-errors.js";
import { unreachableReason } from "./unreachable-reason.js";

describe("unreachableReason", () => {
  it("words a refused connection the same way for every caller", () => {
    expect(unreachableReason("ECONNREFUSED")).toBe("connection refused");
    expect(unreachableReason("ENOTFOUND")).toBe("host name not found");
    expect(unreachableReason(undefined)).toBe("network error");
    expect(unreachableReason("EWEIRD")).toBe("EWEIRD");
  });
  it("capitalises a service name only at the start of a sentence", () => {
    expect(sentenceStart("the OpenAI-compatible server")).toBe("The OpenAI-compatible server");
  });
});

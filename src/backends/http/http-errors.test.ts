import { describe, expect, it } from "vitest";
import { isAbortError } from "../../errors.js";
import { HttpStatusError, networkError, networkErrorCode, serverErrorMessage } from "./http-errors.js";

const service = { name: "Test server", location: "http://127.0.0.1:1", unreachableHint: "Start it." };

describe("serverErrorMessage", () => {
  it.each([
    [
      '{"error":"model \\"llama3\\" not found, try pulling it first"}',
      'model "llama3" not found, try pulling it first',
    ],
    [
      '{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}',
      "Incorrect API key provided",
    ],
    [
      '{"error":{"code":500,"message":"response_format type must be one of \\"text\\" or \\"json_object\\", but got: json_schema","type":"server_error"}}',
      'response_format type must be one of "text" or "json_object", but got: json_schema',
    ],
    [
      '{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","param":null,"code":404}',
      "The model `x` does not exist.",
    ],
    [
      `{"error":"'response_format.type' must be 'json_schema' or 'text'"}`,
      "'response_format.type' must be 'json_schema' or 'text'",
    ],
    ['{"detail":"Not Found"}', "Not Found"],
    ["<html>\n<body>502 Bad Gateway</body>\n</html>", "<html> <body>502 Bad Gateway</body> </html>"],
    ["", undefined],
  ])("%s", (body, expected) => {
    expect(serverErrorMessage(body)).toBe(expected);
  });

  it("shortens long bodies", () => {
    expect(serverErrorMessage("x".repeat(5000))!.length).toBeLessThan(400);
  });
});

describe("HttpStatusError", () => {
  it.each([
    [429, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [401, false],
    [404, false],
    [500, false],
  ])("HTTP %i is retryable: %s", (status, retryable) => {
    const error = new HttpStatusError({ service, path: "/x", status, body: "" });
    expect(error).toMatchObject({ status, isRetryable: retryable, code: "backend_http", exitCode: 5 });
  });
});

describe("networkError", () => {
  function fetchFailure(code: string): Error {
    return new TypeError("fetch failed", { cause: Object.assign(new Error(`connect ${code}`), { code }) });
  }

  it("reads the code through fetch's wrapper and AggregateErrors", () => {
    expect(networkErrorCode(fetchFailure("ECONNREFUSED"))).toBe("ECONNREFUSED");
    const aggregate = new AggregateError([Object.assign(new Error("x"), { code: "EHOSTUNREACH" })]);
    expect(networkErrorCode(new TypeError("fetch failed", { cause: aggregate }))).toBe("EHOSTUNREACH");
  });

  it("treats refused, unresolvable and connect timeouts as unavailable, not retryable", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "UND_ERR_CONNECT_TIMEOUT"]) {
      expect(networkError(fetchFailure(code), service)).toMatchObject({
        code: "backend_unavailable",
        isRetryable: false,
        hint: "Start it.",
      });
    }
  });

  it("treats resets as retryable", () => {
    for (const code of ["ECONNRESET", "UND_ERR_SOCKET", "EPIPE"]) {
      expect(networkError(fetchFailure(code), service)).toMatchObject({ isRetryable: true, exitCode: 5 });
    }
  });

  it("names a proxy that refuses the tunnel instead of the server, as unavailable (exit 5), no abort", () => {
    const refused = Object.assign(new Error("Proxy response (403) !== 200 when HTTP Tunneling"), {
      name: "AbortError",
      code: "UND_ERR_ABORTED",
    });
    const error = networkError(new TypeError("fetch failed", { cause: refused }), service, {
      url: new URL("http://gpu-box.example:11434/api/chat"),
      proxy: new URL("http://user:secret@127.0.0.1:3128"),
    });
    expect(error).toMatchObject({ code: "backend_unavailable", exitCode: 5, isRetryable: false });
    expect(error.message).toBe(
      "Cannot reach Test server at http://127.0.0.1:1: the proxy at 127.0.0.1:3128 refused to tunnel to gpu-box.example:11434 (403 Forbidden).",
    );
    expect(error.hint).toContain("NO_PROXY=gpu-box.example");
    expect(isAbortError(error)).toBe(false);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { describeBackendContract, contractRequest } from "../../test/support/backend-contract.js";
import { startFakeOllama } from "../../test/support/fake-ollama-server.js";
import type { FakeServer } from "../../test/support/fake-server-script.js";
import { closedPort, serverSettings } from "../../test/support/server-backend-settings.js";
import { wireTranscript } from "../../test/support/wire-transcript.js";
import { BackendError, ConfigError } from "../errors.js";
import type { CmdaiError } from "../errors.js";
import { OLLAMA_DEFAULT_MODEL, OllamaBackend, resolveOllamaHost } from "./ollama.js";
import { backendLoader } from "./registry.js";

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function fake(options: Parameters<typeof startFakeOllama>[0] = {}): Promise<FakeServer> {
  const server = await startFakeOllama(options);
  servers.push(server);
  return server;
}

function backendFor(
  server: { url: string } | string,
  config: Record<string, unknown> = {},
  modelOverride?: string,
) {
  const host = typeof server === "string" ? server : server.url;
  const { ollama, ...rest } = config as { ollama?: Record<string, unknown> };
  const settings = serverSettings({
    config: { ...rest, ollama: { host, ...ollama } },
    ...(modelOverride === undefined ? {} : { modelOverride }),
  });
  return { backend: new OllamaBackend(settings), settings };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describeBackendContract("ollama", {
  makeBackend: async () => backendFor(await fake()).backend,
  makeBrokenBackend: async () => backendFor(`127.0.0.1:${await closedPort()}`).backend,
});

describe("resolveOllamaHost", () => {
  it.each([
    ["", "http://127.0.0.1:11434/"],
    ["127.0.0.1:11434", "http://127.0.0.1:11434/"],
    ["example.com", "http://example.com:11434/"],
    ["0.0.0.0", "http://127.0.0.1:11434/"],
    ["0.0.0.0:9999", "http://127.0.0.1:9999/"],
    [":5555", "http://127.0.0.1:5555/"],
    ["http://server", "http://server/"],
    ["https://server", "https://server/"],
    ["https://server:8443/ollama", "https://server:8443/ollama"],
    ["[::]:11434", "http://[::1]:11434/"],
    ["  http://127.0.0.1:11434  ", "http://127.0.0.1:11434/"],
  ])("%j → %s", (input, expected) => {
    expect(resolveOllamaHost(input).href).toBe(expected);
  });

  it("rejects other schemes with a config error naming the key", () => {
    const error = (() => {
      try {
        resolveOllamaHost("ftp://server");
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe("ollama.host");
  });
});

describe("ollama backend against a loopback Ollama", () => {
  it("sends the shell, the JSON schema format, options and keep_alive, and reads the streamed answer", async () => {
    const server = await fake();
    const { backend } = backendFor(server, { ollama: { model: "qwen2.5-coder:1.5b", keep_alive: "10m" } });
    try {
      const result = await backend.generate(contractRequest("say hello", { shell: "zsh" }));
      expect(result).toMatchObject({ command: "echo hello-from-cmdai", model: "qwen2.5-coder:1.5b" });
      // The final line's counts, for --verbose.
      expect(result.usage).toEqual({ promptTokens: 212, answerTokens: 18 });
      const [request] = server.generationRequests();
      const body = request!.body as Record<string, unknown>;
      expect(body.model).toBe("qwen2.5-coder:1.5b");
      expect(body.stream).toBe(true);
      expect(body.keep_alive).toBe("10m");
      const sampling = body.options as Record<string, unknown>;
      expect(Object.keys(sampling).sort()).toEqual(["num_predict", "temperature"]);
      expect(typeof sampling.temperature).toBe("number");
      expect(typeof sampling.num_predict).toBe("number");
      expect(body.format).toMatchObject({ type: "object", required: ["command"] });
      expect(request!.rawBody).toContain("zsh");
      const messages = body.messages as { role: string; content: string }[];
      expect(messages.map((message) => message.role)).toEqual(["system", "user"]);
      expect(messages[0]!.content).toContain("zsh");
      expect(messages[1]!.content).toContain("say hello");
    } finally {
      await backend.dispose();
    }
  });

  it.each([
    ["a JSON answer", '{"command":"echo hello-from-cmdai"}', true],
    ["a JSON answer, not streamed", '{"command":"echo hello-from-cmdai"}', false],
    [
      "a fenced answer wrapped in prose",
      "Sure:\n\n```bash\necho hello-from-cmdai\n```\nThat prints it.",
      true,
    ],
    [
      "a <think>-prefixed answer",
      '<think>\nEasy: use echo.\n</think>\n\n{"command": "echo hello-from-cmdai"}',
      true,
    ],
    [
      "a <think>-prefixed fenced answer, not streamed",
      "<think>hmm</think>\n```sh\necho hello-from-cmdai\n```",
      false,
    ],
  ])("extracts the command from %s", async (_label, content, stream) => {
    const server = await fake({ script: [{ kind: "answer", content, stream }] });
    const { backend } = backendFor(server);
    try {
      expect((await backend.generate(contractRequest("say hello"))).command).toBe("echo hello-from-cmdai");
    } finally {
      await backend.dispose();
    }
  });

  it("returns the explanation when asked for one, and the schema requires it", async () => {
    const server = await fake({ script: ['{"command":"ls -la","explanation":"Lists all files."}'] });
    const { backend } = backendFor(server);
    try {
      const result = await backend.generate(contractRequest("list files", { wantExplanation: true }));
      expect(result.explanation).toBe("Lists all files.");
      const body = server.generationRequests()[0]!.body as { format: { required: string[] } };
      expect(body.format.required).toEqual(["command", "explanation"]);
    } finally {
      await backend.dispose();
    }
  });

  it("ignores the separate thinking field and uses the content", async () => {
    const server = await fake({
      script: [{ kind: "answer", thinking: 'maybe {"command":"rm -rf /"}', content: '{"command":"pwd"}' }],
    });
    const { backend } = backendFor(server);
    try {
      expect((await backend.generate(contractRequest("where am i"))).command).toBe("pwd");
    } finally {
      await backend.dispose();
    }
  });

  it("survives two 503s (with Retry-After) and then answers", async () => {
    const unavailable = {
      kind: "status",
      status: 503,
      body: '{"error":"server busy"}',
      headers: { "retry-after": "0" },
    } as const;
    const server = await fake({ script: [unavailable, unavailable, '{"command":"echo hello-from-cmdai"}'] });
    const { backend, settings } = backendFor(server);
    try {
      expect((await backend.generate(contractRequest("say hello"))).command).toBe("echo hello-from-cmdai");
      expect(server.generationRequests()).toHaveLength(3);
      expect(settings.logLines.filter((line) => line.includes("Retrying"))).toHaveLength(2);
    } finally {
      await backend.dispose();
    }
  });

  it("retries a connection reset", async () => {
    const server = await fake({ script: [{ kind: "reset" }, '{"command":"uptime"}'] });
    const { backend } = backendFor(server);
    try {
      expect((await backend.generate(contractRequest("how long up"))).command).toBe("uptime");
    } finally {
      await backend.dispose();
    }
  });

  it("gives up after 2 retries with a retryable typed error carrying the status", async () => {
    const server = await fake({ script: [{ kind: "status", status: 503, headers: { "retry-after": "0" } }] });
    const { backend } = backendFor(server);
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      expect(error).toBeInstanceOf(BackendError);
      expect(error).toMatchObject({ status: 503, isRetryable: true, exitCode: 5 });
      expect(server.generationRequests()).toHaveLength(3);
    } finally {
      await backend.dispose();
    }
  });

  it("does not retry other 4xx", async () => {
    const server = await fake({
      script: [{ kind: "status", status: 400, body: '{"error":"invalid format"}' }],
    });
    const { backend } = backendFor(server);
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      expect(error).toMatchObject({ code: "backend_http", status: 400, isRetryable: false });
      expect((error as Error).message).toContain("invalid format");
      expect(server.generationRequests()).toHaveLength(1);
    } finally {
      await backend.dispose();
    }
  });

  it("fails a stalled server at the deadline with backend_timeout, without retrying past it", async () => {
    const server = await fake({ script: [{ kind: "stall", ms: 20_000 }] });
    const { backend } = backendFor(server, { timeout: 1 });
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      expect(error).toMatchObject({ code: "backend_timeout", exitCode: 5 });
      expect((error as BackendError).hint).toContain("--timeout");
    } finally {
      await backend.dispose();
    }
  });

  it("fails a server that stalls mid-stream at the deadline ([ollama] timeout wins over timeout)", async () => {
    const server = await fake({ script: [{ kind: "stall", ms: 20_000, afterHeaders: true }] });
    const { backend } = backendFor(server, { timeout: 60, ollama: { timeout: 1 } });
    try {
      expect(await failure(backend.generate(contractRequest("say hello")))).toMatchObject({
        code: "backend_timeout",
      });
    } finally {
      await backend.dispose();
    }
  });

  it("reports a closed port as backend_unavailable (exit 5) with a hint naming ollama serve and OLLAMA_HOST", async () => {
    const { backend } = backendFor(`127.0.0.1:${await closedPort()}`);
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      expect(error).toMatchObject({ code: "backend_unavailable", exitCode: 5, isRetryable: false });
      expect((error as CmdaiError).hint).toMatch(/ollama serve/);
      expect((error as CmdaiError).hint).toMatch(/OLLAMA_HOST/);
    } finally {
      await backend.dispose();
    }
  });

  it("rejects an answer without a command with answer_unparseable, never a command", async () => {
    const server = await fake({ script: ["I'm sorry, but I can't help with that."] });
    const { backend } = backendFor(server);
    try {
      const error = await failure(backend.generate(contractRequest("do something impossible")));
      expect(error).toMatchObject({ code: "answer_unparseable", exitCode: 5 });
    } finally {
      await backend.dispose();
    }
  });

  it("names `ollama pull <model>` when the server lacks the model, in generate and isAvailable", async () => {
    const server = await fake({ models: ["llama3.2:latest"] });
    const { backend } = backendFor(server, {}, "qwen2.5-coder:7b");
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      expect(error).toMatchObject({ code: "backend_unavailable", status: 404 });
      expect((error as CmdaiError).hint).toContain("ollama pull qwen2.5-coder:7b");
      const availability = await backend.isAvailable();
      expect(availability).toMatchObject({ available: false, hint: "Run `ollama pull qwen2.5-coder:7b`." });
    } finally {
      await backend.dispose();
    }
  });

  it("uses the first listed model when none is configured, and matches names without a tag", async () => {
    const server = await fake({ models: ["llama3.2", "qwen2.5-coder:1.5b"] });
    const { backend } = backendFor(server);
    try {
      await backend.generate(contractRequest("say hello"));
      await backend.generate(contractRequest("say hello again"));
      expect(server.generationRequests().map((request) => (request.body as { model: string }).model)).toEqual(
        ["llama3.2:latest", "llama3.2:latest"],
      );
      expect(server.requests.filter((request) => request.path === "/api/tags")).toHaveLength(1);
      const tagged = backendFor(server, { ollama: { model: "llama3.2" } }).backend;
      expect(await tagged.isAvailable()).toMatchObject({ available: true });
      await tagged.dispose();
    } finally {
      await backend.dispose();
    }
  });

  it("falls back to the documented default model when the server cannot list models", async () => {
    const server = await fake({ models: [OLLAMA_DEFAULT_MODEL] });
    const { backend } = backendFor(`${server.url}/not-ollama-prefix`);
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      // The prefix makes every path 404: the default model is tried, and the 404 reported.
      expect(error).toBeInstanceOf(BackendError);
      expect(server.requests.map((request) => request.path)).toEqual([
        "/not-ollama-prefix/api/tags",
        "/not-ollama-prefix/api/chat",
      ]);
      expect((server.requests[1]!.body as { model: string }).model).toBe(OLLAMA_DEFAULT_MODEL);
    } finally {
      await backend.dispose();
    }
  });

  it("rejects promptly with an AbortError when aborted mid-request", async () => {
    const server = await fake({ script: [{ kind: "stall", ms: 20_000 }] });
    const { backend } = backendFor(server);
    try {
      const controller = new AbortController();
      const pending = failure(backend.generate(contractRequest("say hello"), { signal: controller.signal }));
      setTimeout(() => {
        controller.abort();
      }, 50);
      const error = await pending;
      expect((error as Error).name).toBe("AbortError");
    } finally {
      await backend.dispose();
    }
  });

  it("sends configured extra headers", async () => {
    const server = await fake();
    const { backend } = backendFor(server, { ollama: { headers: { "X-Team": "infra" } } });
    try {
      await backend.generate(contractRequest("say hello"));
      expect(server.generationRequests()[0]!.headers["x-team"]).toBe("infra");
    } finally {
      await backend.dispose();
    }
  });

  it("is reached directly on loopback even when a proxy is configured", async () => {
    const server = await fake();
    const settings = serverSettings({
      config: { ollama: { host: server.url } },
      env: { HTTP_PROXY: `http://127.0.0.1:${await closedPort()}` },
    });
    const backend = new OllamaBackend(settings);
    try {
      expect((await backend.generate(contractRequest("say hello"))).command).toBe("echo hello-from-cmdai");
    } finally {
      await backend.dispose();
    }
  });

  it("is registered as a lazy loader", async () => {
    const loader = backendLoader("ollama");
    expect(loader).toBeDefined();
    const backend = await (await loader!())(serverSettings());
    expect(backend.name).toBe("ollama");
    await backend.dispose();
  });
});

describe("ollama backend edge cases", () => {
  it("takes OLLAMA_HOST from the environment over the config file", async () => {
    const server = await fake();
    const settings = serverSettings({
      config: { ollama: { host: `127.0.0.1:${await closedPort()}` } },
      env: { OLLAMA_HOST: server.url.replace("http://", "") },
    });
    const backend = new OllamaBackend(settings);
    try {
      expect((await backend.generate(contractRequest("say hello"))).command).toBe("echo hello-from-cmdai");
      expect(backend.describe().location).toBe(server.url);
    } finally {
      await backend.dispose();
    }
  });

  it("reports an error line in the stream as a typed error with the server's message", async () => {
    const server = await fake({ script: [wireTranscript("ollama/stream-error-line.ndjson")] });
    const { backend } = backendFor(server);
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      expect(error).toMatchObject({ code: "backend_http", exitCode: 5 });
      expect((error as Error).message).toContain("unexpected EOF");
    } finally {
      await backend.dispose();
    }
  });

  it("says when an answer without a command was cut off at the token limit", async () => {
    const server = await fake({ script: [wireTranscript("ollama/cut-off-at-token-limit.ndjson")] });
    const { backend } = backendFor(server);
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      expect(error).toMatchObject({ code: "answer_unparseable" });
      expect((error as Error).message).toContain("cut off");
    } finally {
      await backend.dispose();
    }
  });

  it("does not wait for a Retry-After beyond the deadline: it reports the 503 instead", async () => {
    const server = await fake({
      script: [{ kind: "status", status: 503, headers: { "retry-after": "30" } }],
    });
    const { backend } = backendFor(server, { timeout: 2 });
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      expect(error).toMatchObject({ code: "backend_http", status: 503 });
      expect(server.generationRequests()).toHaveLength(1);
    } finally {
      await backend.dispose();
    }
  });

  it("reports an answer that is not Ollama's format as a protocol error", async () => {
    const server = await fake({ script: [wireTranscript("ollama/proxy-login-page.html")] });
    const { backend } = backendFor(server);
    try {
      expect(await failure(backend.generate(contractRequest("say hello")))).toMatchObject({
        code: "backend_protocol",
        exitCode: 5,
      });
    } finally {
      await backend.dispose();
    }
  });
});

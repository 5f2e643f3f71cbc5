import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeBackendContract, contractRequest } from "../../test/support/backend-contract.js";
import { requestedFormat, startFakeOpenAi } from "../../test/support/fake-openai-server.js";
import type { FakeServer } from "../../test/support/fake-server-script.js";
import { closedPort, serverSettings } from "../../test/support/server-backend-settings.js";
import { wireTranscript } from "../../test/support/wire-transcript.js";
import { BackendError, ConfigError } from "../errors.js";
import type { CmdaiError } from "../errors.js";
import { OpenAiCompatibleBackend, forgetResponseFormats, resolveOpenAiBaseUrl } from "./openai-compatible.js";
import { backendLoader } from "./registry.js";

const servers: FakeServer[] = [];
beforeEach(() => {
  forgetResponseFormats();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function fake(options: Parameters<typeof startFakeOpenAi>[0] = {}): Promise<FakeServer> {
  const server = await startFakeOpenAi(options);
  servers.push(server);
  return server;
}

function backendFor(
  server: { url: string } | string,
  options: { config?: Record<string, unknown>; env?: NodeJS.ProcessEnv; modelOverride?: string } = {},
) {
  const base_url = typeof server === "string" ? server : server.url;
  const { openai, ...rest } = (options.config ?? {}) as { openai?: Record<string, unknown> };
  const settings = serverSettings({
    config: { ...rest, openai: { base_url, ...openai } },
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.modelOverride === undefined ? {} : { modelOverride: options.modelOverride }),
  });
  return { backend: new OpenAiCompatibleBackend(settings), settings };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describeBackendContract("openai", {
  makeBackend: async () => backendFor(await fake()).backend,
  makeBrokenBackend: async () => backendFor(`http://127.0.0.1:${await closedPort()}/v1`).backend,
});

describe("resolveOpenAiBaseUrl", () => {
  it.each([
    ["http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1/"],
    ["http://127.0.0.1:8000/v1/", "http://127.0.0.1:8000/v1/"],
    ["localhost:1234/v1", "http://localhost:1234/v1/"],
    ["https://api.example.com/openai/v1", "https://api.example.com/openai/v1/"],
  ])("%s → %s", (input, expected) => {
    expect(resolveOpenAiBaseUrl(input).href).toBe(expected);
  });

  it("rejects a non-HTTP URL with a config error naming the key", () => {
    let caught: unknown;
    try {
      resolveOpenAiBaseUrl("ftp://example.com/v1");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).key).toBe("openai.base_url");
  });
});

describe("openai backend against a loopback OpenAI-compatible server", () => {
  it("sends the Bearer key, the shell, json_schema response_format and streams the answer", async () => {
    const server = await fake({ apiKey: "sk-test-123" });
    const { backend } = backendFor(server, {
      env: { OPENAI_API_KEY: "sk-test-123" },
      config: { openai: { model: "Qwen/Qwen2.5-Coder-1.5B-Instruct" } },
    });
    try {
      const result = await backend.generate(contractRequest("say hello", { shell: "fish" }));
      expect(result).toMatchObject({
        command: "echo hello-from-cmdai",
        model: "Qwen/Qwen2.5-Coder-1.5B-Instruct",
      });
      const request = server.generationRequests()[0]!;
      expect(request.headers.authorization).toBe("Bearer sk-test-123");
      const body = request.body as Record<string, unknown>;
      expect(body.stream).toBe(true);
      expect(body.response_format).toMatchObject({
        type: "json_schema",
        json_schema: {
          name: "shell_command",
          strict: true,
          schema: { type: "object", required: ["command"] },
        },
      });
      const messages = body.messages as { role: string; content: string }[];
      expect(messages[0]!.content).toContain("fish");
      expect(messages[1]!.content).toContain("say hello");
    } finally {
      await backend.dispose();
    }
  });

  it("reads the key from the variable named by api_key_env, and sends none when unset", async () => {
    const server = await fake();
    const named = backendFor(server, {
      env: { TEAM_KEY: "sk-team" },
      config: { openai: { api_key_env: "TEAM_KEY" } },
    });
    const keyless = backendFor(server);
    try {
      await named.backend.generate(contractRequest("say hello"));
      await keyless.backend.generate(contractRequest("say hello"));
      const [first, second] = server.generationRequests();
      expect(first!.headers.authorization).toBe("Bearer sk-team");
      expect(second!.headers.authorization).toBeUndefined();
    } finally {
      await named.backend.dispose();
      await keyless.backend.dispose();
    }
  });

  it("reports a refused key as a non-retryable 401 with a hint naming the variable", async () => {
    const server = await fake({ apiKey: "right" });
    const { backend } = backendFor(server, { env: { OPENAI_API_KEY: "wrong" }, modelOverride: "m" });
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      expect(error).toMatchObject({ status: 401, isRetryable: false, exitCode: 5 });
      expect((error as CmdaiError).hint).toContain("OPENAI_API_KEY");
      expect(await backend.isAvailable()).toMatchObject({ available: false });
    } finally {
      await backend.dispose();
    }
  });

  it.each([
    ["a JSON answer", '{"command":"echo hello-from-cmdai"}', true],
    ["a JSON answer, not streamed", '{"command":"echo hello-from-cmdai"}', false],
    ["a fenced answer wrapped in prose", "Here you go:\n```\necho hello-from-cmdai\n```\nEnjoy!", true],
    [
      "a <think>-prefixed answer",
      "<think>\nThe user wants a greeting.\n</think>\n\n`echo hello-from-cmdai`",
      true,
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

  it("ignores reasoning_content and uses the content", async () => {
    const server = await fake({
      script: [{ kind: "answer", thinking: '{"command":"rm -rf ~"}', content: '{"command":"date"}' }],
    });
    const { backend } = backendFor(server);
    try {
      expect((await backend.generate(contractRequest("what time"))).command).toBe("date");
    } finally {
      await backend.dispose();
    }
  });

  it.each([
    ["llama.cpp", ["json_object", "none"], "json_object"],
    ["lmstudio", ["json_schema", "none"], "json_schema"],
    ["vllm", ["none"], "none"],
  ] as const)(
    "falls back when a %s-style server rejects response_format, and remembers what worked",
    async (style, accepted, works) => {
      const server = await fake({ rejectStyle: style, acceptedFormats: [...accepted] });
      const { backend, settings } = backendFor(server);
      try {
        expect((await backend.generate(contractRequest("say hello"))).command).toBe("echo hello-from-cmdai");
        const firstRun = server.generationRequests().map((request) => requestedFormat(request.body));
        expect(firstRun[0]).toBe("json_schema");
        expect(firstRun[firstRun.length - 1]).toBe(works);
        if (works !== "json_schema")
          expect(settings.logLines.some((line) => line.includes("response_format"))).toBe(true);
        await backend.generate(contractRequest("say hello again"));
        const secondRun = server.generationRequests().slice(firstRun.length);
        expect(secondRun.map((request) => requestedFormat(request.body))).toEqual([works]);
      } finally {
        await backend.dispose();
      }
    },
  );

  it("survives two 503s then answers, and gives up on a third", async () => {
    const unavailable = { kind: "status", status: 503, headers: { "retry-after": "0" } } as const;
    const server = await fake({ script: [unavailable, unavailable, '{"command":"echo hello-from-cmdai"}'] });
    const { backend } = backendFor(server, { modelOverride: "m" });
    try {
      expect((await backend.generate(contractRequest("say hello"))).command).toBe("echo hello-from-cmdai");
      expect(server.generationRequests()).toHaveLength(3);
      server.setScript([unavailable]);
      expect(await failure(backend.generate(contractRequest("say hello")))).toMatchObject({
        status: 503,
        isRetryable: true,
      });
    } finally {
      await backend.dispose();
    }
  });

  it("retries 429 and 502 as well", async () => {
    const server = await fake({
      script: [
        {
          kind: "status",
          status: 429,
          body: '{"error":{"message":"Rate limit reached"}}',
          headers: { "retry-after": "0" },
        },
        { kind: "status", status: 502, body: "<html>Bad Gateway</html>" },
        '{"command":"whoami"}',
      ],
    });
    const { backend } = backendFor(server, { modelOverride: "m" });
    try {
      expect((await backend.generate(contractRequest("who am i"))).command).toBe("whoami");
    } finally {
      await backend.dispose();
    }
  });

  it("fails a stalled server at the deadline with backend_timeout", async () => {
    const server = await fake({ script: [{ kind: "stall", ms: 20_000 }] });
    const { backend } = backendFor(server, { config: { timeout: 1 }, modelOverride: "m" });
    try {
      expect(await failure(backend.generate(contractRequest("say hello")))).toMatchObject({
        code: "backend_timeout",
        exitCode: 5,
      });
    } finally {
      await backend.dispose();
    }
  });

  it("fails a server that stalls mid-stream at the deadline", async () => {
    const server = await fake({ script: [{ kind: "stall", ms: 20_000, afterHeaders: true }] });
    const { backend } = backendFor(server, { config: { openai: { timeout: 1 } }, modelOverride: "m" });
    try {
      expect(await failure(backend.generate(contractRequest("say hello")))).toMatchObject({
        code: "backend_timeout",
      });
    } finally {
      await backend.dispose();
    }
  });

  it("reports a closed port as backend_unavailable with a hint naming OPENAI_BASE_URL", async () => {
    const { backend } = backendFor(`http://127.0.0.1:${await closedPort()}/v1`);
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      expect(error).toMatchObject({ code: "backend_unavailable", exitCode: 5 });
      expect((error as CmdaiError).hint).toContain("OPENAI_BASE_URL");
      expect(await backend.isAvailable()).toMatchObject({ available: false });
    } finally {
      await backend.dispose();
    }
  });

  it("rejects an answer without a command with answer_unparseable", async () => {
    const server = await fake({
      script: ['{"command": "", "explanation": "No shell command can do that."}'],
    });
    const { backend } = backendFor(server);
    try {
      const error = await failure(backend.generate(contractRequest("make coffee")));
      expect(error).toBeInstanceOf(BackendError);
      expect(error).toMatchObject({ code: "answer_unparseable", exitCode: 5 });
    } finally {
      await backend.dispose();
    }
  });

  it("uses the first listed model when none is configured", async () => {
    const server = await fake({ models: ["local-model-a", "local-model-b"] });
    const { backend } = backendFor(server);
    try {
      const result = await backend.generate(contractRequest("say hello"));
      expect((server.generationRequests()[0]!.body as { model: string }).model).toBe("local-model-a");
      expect(result.model).toBe("local-model-a");
    } finally {
      await backend.dispose();
    }
  });

  it("reports a wrong base URL (404) as unavailable with a hint about /v1", async () => {
    const server = await fake();
    const { backend } = backendFor(server.url.replace(/\/v1$/, ""), { modelOverride: "m" });
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      expect(error).toMatchObject({ code: "backend_unavailable", status: 404 });
      expect((error as CmdaiError).hint).toContain("/v1");
    } finally {
      await backend.dispose();
    }
  });

  it("is registered as a lazy loader", async () => {
    const loader = backendLoader("openai");
    expect(loader).toBeDefined();
    const backend = await (await loader!())(serverSettings());
    expect(backend.name).toBe("openai");
    await backend.dispose();
  });
});

describe("openai backend edge cases", () => {
  it("takes OPENAI_BASE_URL from the environment over the config file", async () => {
    const server = await fake();
    const settings = serverSettings({
      config: { openai: { base_url: `http://127.0.0.1:${await closedPort()}/v1` } },
      env: { OPENAI_BASE_URL: server.url },
    });
    const backend = new OpenAiCompatibleBackend(settings);
    try {
      expect((await backend.generate(contractRequest("say hello"))).command).toBe("echo hello-from-cmdai");
    } finally {
      await backend.dispose();
    }
  });

  it("reports an error event in the stream with the server's message", async () => {
    const server = await fake({ script: [wireTranscript("openai/stream-error-event.sse")] });
    const { backend } = backendFor(server, { modelOverride: "m" });
    try {
      const error = await failure(backend.generate(contractRequest("say hello")));
      expect(error).toMatchObject({ code: "backend_http" });
      expect((error as Error).message).toContain("CUDA out of memory");
    } finally {
      await backend.dispose();
    }
  });

  it("reads content given as an array of text parts", async () => {
    const server = await fake({ script: [wireTranscript("openai/content-parts.json")] });
    const { backend } = backendFor(server, { modelOverride: "m" });
    try {
      expect((await backend.generate(contractRequest("machine name"))).command).toBe("hostname");
    } finally {
      await backend.dispose();
    }
  });

  it("does not fall back on response_format for errors that are not about it", async () => {
    const server = await fake({
      script: [{ kind: "status", status: 500, body: '{"error":{"message":"internal error"}}' }],
    });
    const { backend } = backendFor(server, { modelOverride: "m" });
    try {
      expect(await failure(backend.generate(contractRequest("say hello")))).toMatchObject({ status: 500 });
      expect(server.generationRequests()).toHaveLength(1);
    } finally {
      await backend.dispose();
    }
  });
});

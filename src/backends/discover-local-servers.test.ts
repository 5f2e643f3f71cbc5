import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeOllama } from "../../test/support/fake-ollama-server.js";
import { startFakeOpenAi } from "../../test/support/fake-openai-server.js";
import type { FakeServer } from "../../test/support/fake-server-script.js";
import { unusedPort } from "../../test/support/proxy-stand-in.js";
import {
  describeServer,
  discoverLocalServers,
  discoveryCandidates,
  ollamaRoot,
  switchCommands,
} from "./discover-local-servers.js";

const open: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

async function track(server: Promise<FakeServer>): Promise<FakeServer> {
  const started = await server;
  open.push(started);
  return started;
}

/** A server that accepts the connection and never answers. */
async function silentServer(): Promise<number> {
  const server = http.createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  open.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return (server.address() as AddressInfo).port;
}

describe("ollamaRoot", () => {
  it.each([
    ["127.0.0.1:11434", "http://127.0.0.1:11434"],
    ["0.0.0.0", "http://127.0.0.1:11434"],
    ["http://localhost:9999/", "http://localhost:9999"],
    ["localhost", "http://localhost:11434"],
  ])("%s → %s", (host, root) => {
    expect(ollamaRoot(host)).toBe(root);
  });

  it("rejects what is not an address", () => {
    expect(ollamaRoot("ftp://host:21")).toBeUndefined();
    expect(ollamaRoot("http://[bad")).toBeUndefined();
  });
});

describe("discoveryCandidates", () => {
  it("looks at Ollama's default and the usual OpenAI-compatible ports, Ollama first", () => {
    const candidates = discoveryCandidates({});
    expect(candidates.map((candidate) => `${candidate.product} ${candidate.baseUrl}`)).toEqual([
      "Ollama http://127.0.0.1:11434",
      "LM Studio http://127.0.0.1:1234/v1",
      "llama.cpp server http://127.0.0.1:8080/v1",
      "vLLM http://127.0.0.1:8000/v1",
    ]);
  });

  it("follows OLLAMA_HOST and OPENAI_BASE_URL without probing a port twice", () => {
    const candidates = discoveryCandidates({
      OLLAMA_HOST: "127.0.0.1:4321",
      OPENAI_BASE_URL: "http://localhost:8080/v1/",
    });
    expect(candidates.map((candidate) => candidate.baseUrl)).toEqual([
      "http://127.0.0.1:4321",
      "http://localhost:8080/v1",
      "http://127.0.0.1:1234/v1",
      "http://127.0.0.1:8000/v1",
    ]);
  });

  it("never probes a remote address (loopback only)", () => {
    const candidates = discoveryCandidates({
      OLLAMA_HOST: "http://gpu-box.example:11434",
      OPENAI_BASE_URL: "https://api.example.com/v1",
    });
    expect(candidates.every((candidate) => /^http:\/\/127\.0\.0\.1:/.test(candidate.baseUrl))).toBe(true);
    expect(candidates.some((candidate) => candidate.backend === "ollama")).toBe(false);
  });
});

describe("discoverLocalServers", () => {
  it("finds an Ollama and an OpenAI-compatible server with their models, in candidate order", async () => {
    const ollama = await track(startFakeOllama({ models: ["nomic-embed-text", "qwen2.5-coder:7b"] }));
    const vllm = await track(startFakeOpenAi({ models: ["Qwen/Qwen2.5-Coder-7B-Instruct"] }));
    const found = await discoverLocalServers({
      env: {},
      candidates: [
        { backend: "ollama", product: "Ollama", baseUrl: ollama.url },
        { backend: "openai", product: "LM Studio", baseUrl: `http://127.0.0.1:${await unusedPort()}/v1` },
        { backend: "openai", product: "llama.cpp server", baseUrl: vllm.url },
      ],
    });
    expect(found).toEqual([
      {
        backend: "ollama",
        product: "Ollama",
        baseUrl: ollama.url,
        models: ["nomic-embed-text:latest", "qwen2.5-coder:7b"],
      },
      // The server says who it is (owned_by "vllm"), whatever port it uses.
      {
        backend: "openai",
        product: "vLLM",
        baseUrl: vllm.url,
        models: ["Qwen/Qwen2.5-Coder-7B-Instruct"],
      },
    ]);
  });

  it("does not take a server of another kind for a model server", async () => {
    const ollama = await track(startFakeOllama({}));
    // Ollama has no /v1/models list in the shape asked for at this path: /api/tags is not /models.
    const found = await discoverLocalServers({
      env: {},
      candidates: [{ backend: "openai", product: "vLLM", baseUrl: `${ollama.url}/api` }],
    });
    expect(found).toEqual([]);
  });

  it("gives up on a server that does not answer within the deadline", async () => {
    const port = await silentServer();
    const started = performance.now();
    const found = await discoverLocalServers({
      env: {},
      timeoutMs: 200,
      candidates: [{ backend: "ollama", product: "Ollama", baseUrl: `http://127.0.0.1:${port}` }],
    });
    expect(found).toEqual([]);
    // Bounded by the deadline, not by a socket timeout (generous margin: this is not a timing test).
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("ignores candidates that are not loopback even when given explicitly", async () => {
    const found = await discoverLocalServers({
      env: {},
      candidates: [{ backend: "ollama", product: "Ollama", baseUrl: "http://192.0.2.1:11434" }],
    });
    expect(found).toEqual([]);
  });
});

describe("wording", () => {
  it("names the server, its first model and how to keep it", () => {
    const server = {
      backend: "openai" as const,
      product: "LM Studio",
      baseUrl: "http://127.0.0.1:1234/v1",
      models: ["qwen2.5-coder-7b-instruct", "llama-3.2-3b"],
    };
    expect(describeServer(server)).toBe(
      "LM Studio at http://127.0.0.1:1234/v1 (qwen2.5-coder-7b-instruct, +1 more)",
    );
    expect(switchCommands(server)).toEqual([
      "cmdai config set openai.base_url http://127.0.0.1:1234/v1",
      "cmdai config set backend openai",
    ]);
    expect(switchCommands({ ...server, backend: "ollama", baseUrl: "http://127.0.0.1:11434" })).toEqual([
      "cmdai config set backend ollama",
    ]);
  });
});

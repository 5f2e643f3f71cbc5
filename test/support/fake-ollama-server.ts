/**
 * A loopback stand-in for an Ollama server, speaking Ollama's real wire format: `GET /api/tags`,
 * `GET /api/version`, `GET /` ("Ollama is running"), and `POST /api/chat` answering as streamed NDJSON
 * (`{"model","created_at","message":{"role","content"},"done":false}` lines, then a `done: true` line with
 * `done_reason` and durations) or as one JSON object when the request says `"stream": false`. A model it does
 * not list gets Ollama's 404 `{"error":"model \"x\" not found, try pulling it first"}`.
 *
 * In tests:
 * ```ts
 * const ollama = await startFakeOllama({ script: ['{"command":"echo hi"}'] });
 * // OLLAMA_HOST=ollama.url … then inspect ollama.requests / ollama.generationRequests()
 * await ollama.close();
 * ```
 * From a shell (e.g. a tmux test of the interactive menu), answering every request with one command:
 * `npx tsx test/support/fake-ollama-server.ts --command "echo hi" [--port 11434] [--model qwen2.5-coder:1.5b]`
 * prints the URL on stdout and runs until killed.
 */
import type { ServerResponse } from "node:http";
import { pathToFileURL } from "node:url";
import {
  asAnswer,
  commandLineOptions,
  pickReply,
  sendFault,
  sendJson,
  startRecordingServer,
  tokenChunks,
} from "./fake-server-script.js";
import type { FakeScript, FakeServer, RecordedRequest } from "./fake-server-script.js";

export interface FakeOllamaOptions {
  /** Replies to `POST /api/chat`. Default: always `{"command": "echo hello-from-cmdai"}`. */
  script?: FakeScript;
  /** Models `GET /api/tags` lists (and `/api/chat` accepts). Default `["qwen2.5-coder:1.5b"]`. */
  models?: string[];
  /** Port to listen on. Default: a free one. */
  port?: number;
}

const STARTED = "2026-01-15T10:00:00.000000000Z";

function sameModel(requested: string, listed: string): boolean {
  const withTag = (name: string): string => (name.includes(":") ? name : `${name}:latest`);
  return withTag(requested) === withTag(listed);
}

function tagsBody(models: readonly string[]): unknown {
  return {
    models: models.map((name, index) => ({
      name: name.includes(":") ? name : `${name}:latest`,
      model: name.includes(":") ? name : `${name}:latest`,
      modified_at: "2026-01-10T09:30:00.123456789Z",
      size: 986_061_892 + index,
      digest: `6d4c3b0a${String(index).padStart(56, "0")}`,
      details: {
        parent_model: "",
        format: "gguf",
        family: "qwen2",
        families: ["qwen2"],
        parameter_size: "1.5B",
        quantization_level: "Q4_K_M",
      },
    })),
  };
}

async function sendChat(
  request: RecordedRequest,
  response: ServerResponse,
  answer: { content: string; thinking?: string; stream?: boolean; chunkDelayMs?: number },
): Promise<void> {
  const body = (request.body ?? {}) as { model?: string; stream?: boolean };
  const model = body.model ?? "unknown";
  const streaming = answer.stream ?? body.stream !== false;
  const timings = {
    total_duration: 1_234_567_890,
    load_duration: 12_345_678,
    prompt_eval_count: 212,
    prompt_eval_duration: 345_678_901,
    eval_count: 18,
    eval_duration: 456_789_012,
  };
  if (!streaming) {
    const message: Record<string, string> = { role: "assistant", content: answer.content };
    if (answer.thinking !== undefined) message.thinking = answer.thinking;
    sendJson(response, 200, {
      model,
      created_at: STARTED,
      message,
      done_reason: "stop",
      done: true,
      ...timings,
    });
    return;
  }
  response.writeHead(200, { "content-type": "application/x-ndjson" });
  const line = (message: Record<string, string>): string =>
    `${JSON.stringify({ model, created_at: STARTED, message, done: false })}\n`;
  for (const chunk of answer.thinking === undefined ? [] : tokenChunks(answer.thinking)) {
    response.write(line({ role: "assistant", content: "", thinking: chunk }));
  }
  for (const chunk of tokenChunks(answer.content)) {
    if (answer.chunkDelayMs !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, answer.chunkDelayMs));
      if (response.destroyed) return;
    }
    response.write(line({ role: "assistant", content: chunk }));
  }
  response.end(
    `${JSON.stringify({
      model,
      created_at: STARTED,
      message: { role: "assistant", content: "" },
      done_reason: "stop",
      done: true,
      ...timings,
    })}\n`,
  );
}

/** Start the stand-in on 127.0.0.1. */
export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeServer> {
  let script: FakeScript = options.script ?? ['{"command": "echo hello-from-cmdai"}'];
  let generationIndex = 0;
  const models = options.models ?? ["qwen2.5-coder:1.5b"];
  const running = await startRecordingServer(
    async (request, response) => {
      const path = request.path.split("?")[0];
      if (request.method === "GET" && path === "/") {
        response.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        response.end("Ollama is running");
        return;
      }
      if (request.method === "GET" && path === "/api/version") {
        sendJson(response, 200, { version: "0.12.6" });
        return;
      }
      if (request.method === "GET" && path === "/api/tags") {
        sendJson(response, 200, tagsBody(models));
        return;
      }
      if (request.method === "POST" && path === "/api/chat") {
        const reply = pickReply(script, request, generationIndex++);
        const answer = asAnswer(reply);
        if (answer === undefined) {
          if (typeof reply !== "string" && reply.kind !== "answer") {
            sendFault(
              reply,
              response,
              `${JSON.stringify({ model: "m", created_at: STARTED, message: { role: "assistant", content: "{" }, done: false })}\n`,
              "application/x-ndjson",
            );
          }
          return;
        }
        const requested = (request.body as { model?: unknown } | undefined)?.model;
        if (typeof requested !== "string" || !models.some((listed) => sameModel(requested, listed))) {
          sendJson(response, 404, { error: `model "${String(requested)}" not found, try pulling it first` });
          return;
        }
        await sendChat(request, response, answer);
        return;
      }
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      response.end("404 page not found");
    },
    options.port === undefined ? {} : { port: options.port },
  );
  return {
    url: `http://127.0.0.1:${running.port}`,
    port: running.port,
    requests: running.requests,
    generationRequests: () => running.requests.filter((request) => request.path.startsWith("/api/chat")),
    setScript: (next) => {
      script = next;
      generationIndex = 0;
    },
    close: running.close,
  };
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const options = commandLineOptions(process.argv.slice(2));
  const command = options.get("command") ?? "echo hello-from-cmdai";
  const portOption = options.get("port");
  const modelOption = options.get("model");
  const server = await startFakeOllama({
    script: [JSON.stringify({ command, explanation: `Runs ${command}.` })],
    ...(portOption === undefined ? {} : { port: Number(portOption) }),
    ...(modelOption === undefined ? {} : { models: [modelOption] }),
  });
  process.stdout.write(`${server.url}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

/**
 * A loopback stand-in for an OpenAI-compatible server (vLLM, llama.cpp server, LM Studio), speaking the real
 * wire format: `GET /v1/models` (`{"object":"list","data":[{"id",…}]}`) and `POST /v1/chat/completions`,
 * answering as server-sent events (`data: {"object":"chat.completion.chunk","choices":[{"delta":…}]}` chunks,
 * then `data: [DONE]`) when the request says `"stream": true`, else as one `chat.completion` object.
 *
 * It can require a Bearer key (401 with OpenAI's error body otherwise) and can reject `response_format` modes
 * the way real servers do: `rejectStyle` "llama.cpp" (old llama-server: HTTP 500, `{"error":{"code":500,…}}`),
 * "lmstudio" (HTTP 400, `{"error":"'response_format.type' must be 'json_schema' or 'text'"}`) or "vllm"
 * (HTTP 400, `{"object":"error","message":…,"type":"BadRequestError"}`).
 *
 * ```ts
 * const server = await startFakeOpenAi({ apiKey: "sk-test", script: ['{"command":"echo hi"}'] });
 * // OPENAI_BASE_URL=server.url OPENAI_API_KEY=sk-test …
 * await server.close();
 * ```
 * From a shell: `npx tsx test/support/fake-openai-server.ts --command "echo hi" [--port 8000]` prints the URL.
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

/** The structured-output modes a request can use. */
export type ResponseFormatMode = "json_schema" | "json_object" | "none";

export interface FakeOpenAiOptions {
  /** Replies to `POST /v1/chat/completions`. Default: always `{"command": "echo hello-from-cmdai"}`. */
  script?: FakeScript;
  /** Model ids `GET /v1/models` lists. Default `["Qwen/Qwen2.5-Coder-1.5B-Instruct"]`. */
  models?: string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** `response_format` modes the server accepts. Default: all. */
  acceptedFormats?: ResponseFormatMode[];
  /** How a rejected `response_format` is reported. Default "vllm". */
  rejectStyle?: "llama.cpp" | "lmstudio" | "vllm";
  /** Port to listen on. Default: a free one. */
  port?: number;
}

const CREATED = 1_768_471_200;

/** The mode a request body asks for. */
export function requestedFormat(body: unknown): ResponseFormatMode {
  const format = (body as { response_format?: { type?: unknown } } | undefined)?.response_format;
  if (format === undefined) return "none";
  return format.type === "json_schema"
    ? "json_schema"
    : format.type === "json_object"
      ? "json_object"
      : "none";
}

function rejectFormat(
  response: ServerResponse,
  mode: ResponseFormatMode,
  style: FakeOpenAiOptions["rejectStyle"],
): void {
  switch (style) {
    case "llama.cpp":
      sendJson(response, 500, {
        error: {
          code: 500,
          message: `response_format type must be one of "text" or "json_object", but got: ${mode}`,
          type: "server_error",
        },
      });
      return;
    case "lmstudio":
      sendJson(response, 400, { error: "'response_format.type' must be 'json_schema' or 'text'" });
      return;
    case "vllm":
    case undefined:
      sendJson(response, 400, {
        object: "error",
        message: `1 validation error for ChatCompletionRequest\nresponse_format.type\n  Input should be 'text' (type=${mode})`,
        type: "BadRequestError",
        param: null,
        code: 400,
      });
      return;
  }
}

function sendCompletion(
  request: RecordedRequest,
  response: ServerResponse,
  answer: { content: string; thinking?: string; stream?: boolean },
): void {
  const body = (request.body ?? {}) as { model?: string; stream?: boolean };
  const model = body.model ?? "default-model";
  const id = "chatcmpl-7c1f0e2d9a8b4c6e";
  const streaming = answer.stream ?? body.stream === true;
  if (!streaming) {
    const message: Record<string, unknown> = { role: "assistant", content: answer.content, tool_calls: [] };
    if (answer.thinking !== undefined) message.reasoning_content = answer.thinking;
    sendJson(response, 200, {
      id,
      object: "chat.completion",
      created: CREATED,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: "stop", stop_reason: null }],
      usage: { prompt_tokens: 212, total_tokens: 230, completion_tokens: 18 },
    });
    return;
  }
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
  });
  const event = (delta: Record<string, unknown>, finish: string | null): string =>
    `data: ${JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created: CREATED,
      model,
      system_fingerprint: "b6715-fake",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    })}\n\n`;
  response.write(event({ role: "assistant", content: "" }, null));
  for (const chunk of answer.thinking === undefined ? [] : tokenChunks(answer.thinking)) {
    response.write(event({ reasoning_content: chunk }, null));
  }
  for (const chunk of tokenChunks(answer.content)) response.write(event({ content: chunk }, null));
  response.write(event({}, "stop"));
  response.end("data: [DONE]\n\n");
}

/** Start the stand-in on 127.0.0.1; its `url` ends in `/v1`. */
export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeServer> {
  let script: FakeScript = options.script ?? ['{"command": "echo hello-from-cmdai"}'];
  let generationIndex = 0;
  const models = options.models ?? ["Qwen/Qwen2.5-Coder-1.5B-Instruct"];
  const accepted = options.acceptedFormats ?? ["json_schema", "json_object", "none"];
  const running = await startRecordingServer(
    (request, response) => {
      const path = request.path.split("?")[0];
      if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
        sendJson(response, 401, {
          error: {
            message:
              "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
            type: "invalid_request_error",
            param: null,
            code: "invalid_api_key",
          },
        });
        return;
      }
      if (request.method === "GET" && path === "/v1/models") {
        sendJson(response, 200, {
          object: "list",
          data: models.map((id) => ({
            id,
            object: "model",
            created: CREATED,
            owned_by: "vllm",
            max_model_len: 32768,
          })),
        });
        return;
      }
      if (request.method === "POST" && path === "/v1/chat/completions") {
        const mode = requestedFormat(request.body);
        if (!accepted.includes(mode)) {
          rejectFormat(response, mode, options.rejectStyle);
          return;
        }
        const reply = pickReply(script, request, generationIndex++);
        const answer = asAnswer(reply);
        if (answer !== undefined) {
          sendCompletion(request, response, answer);
        } else if (typeof reply !== "string" && reply.kind !== "answer") {
          sendFault(
            reply,
            response,
            `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "{" } }] })}\n\n`,
            "text/event-stream",
          );
        }
        return;
      }
      sendJson(response, 404, {
        error: { message: `Not found: ${path}`, type: "not_found_error", code: 404 },
      });
    },
    options.port === undefined ? {} : { port: options.port },
  );
  return {
    url: `http://127.0.0.1:${running.port}/v1`,
    port: running.port,
    requests: running.requests,
    generationRequests: () =>
      running.requests.filter((request) => request.path.startsWith("/v1/chat/completions")),
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
  const server = await startFakeOpenAi({
    script: [JSON.stringify({ command, explanation: `Runs ${command}.` })],
    ...(portOption === undefined ? {} : { port: Number(portOption) }),
  });
  process.stdout.write(`${server.url}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

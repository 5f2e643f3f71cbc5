/**
 * The OpenAI-compatible backend (vLLM, llama.cpp server, LM Studio, OpenAI itself): `POST /chat/completions`
 * with the shared prompt and `response_format` `{ type: "json_schema", json_schema: { name, schema, strict } }`.
 * Servers differ in what they accept (old llama-server answers 500 to `json_schema`; LM Studio answers 400 to
 * `json_object`), so a rejected mode falls back to `json_object`, then to none, and the mode that worked is
 * remembered per base URL for the rest of the process. Answers arrive as SSE chunks or one JSON object.
 *
 * Base URL: `OPENAI_BASE_URL`, else `[openai] base_url` (default `http://127.0.0.1:8000/v1`).
 * The API key comes from the variable named by `[openai] api_key_env` (default `OPENAI_API_KEY`) and is sent
 * as `Authorization: Bearer <key>`; local servers need none. Model: `--model` / `CMDAI_MODEL`, else
 * `[openai] model`, else the first one `GET /models` lists, else none (servers with one model use it).
 */
import { BackendError, ConfigError } from "../errors.js";
import type {
  Availability,
  Backend,
  BackendDescription,
  BackendSettings,
  GenerateOptions,
  GenerationRequest,
  GenerationResult,
} from "./backend.js";
import { answerJsonSchema, buildPrompt } from "./prompt.js";
import { HttpClient } from "./http/http-client.js";
import type { Deadline, HttpClientOptions, HttpTextResponse } from "./http/http-client.js";
import { HttpStatusError } from "./http/http-errors.js";
import { eventData, isEventStream, streamedText } from "./http/stream-events.js";
import {
  SERVER_MAX_TOKENS,
  SERVER_TEMPERATURE,
  checkAvailability,
  commandFromServerText,
  generationDeadline,
} from "./http/server-answer.js";

/** Structured-output modes, most precise first. */
export type ResponseFormatMode = "json_schema" | "json_object" | "none";
const FORMAT_ORDER: readonly ResponseFormatMode[] = ["json_schema", "json_object", "none"];

/** The mode that last worked, per base URL, for this process. */
const workingFormats = new Map<string, ResponseFormatMode>();

/** Forget remembered modes (tests start each server fresh). */
export function forgetResponseFormats(): void {
  workingFormats.clear();
}

const UNREACHABLE_HINT =
  "Is the server running (vLLM, llama-server, LM Studio)? Start it, or point OPENAI_BASE_URL at it (it usually ends in /v1).";

/** The base URL from `OPENAI_BASE_URL` / `[openai] base_url`; `host:port/v1` without a scheme means http. */
export function resolveOpenAiBaseUrl(value: string): URL {
  const trimmed = value.trim();
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (error) {
    throw new ConfigError("config_invalid", `OpenAI base URL ${JSON.stringify(value)} is not a valid URL.`, {
      key: "openai.base_url",
      hint: "Set OPENAI_BASE_URL (or [openai] base_url) to e.g. http://127.0.0.1:8000/v1.",
      cause: error,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(
      "config_invalid",
      `OpenAI base URL ${JSON.stringify(value)} must use http or https.`,
      {
        key: "openai.base_url",
        hint: "Set OPENAI_BASE_URL (or [openai] base_url) to e.g. http://127.0.0.1:8000/v1.",
      },
    );
  }
  if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`;
  return url;
}

function responseFormat(mode: ResponseFormatMode, wantExplanation: boolean): Record<string, unknown> {
  switch (mode) {
    case "json_schema":
      return {
        response_format: {
          type: "json_schema",
          json_schema: { name: "shell_command", schema: answerJsonSchema(wantExplanation), strict: true },
        },
      };
    case "json_object":
      return { response_format: { type: "json_object" } };
    case "none":
      return {};
  }
}

/** Whether a failure looks like the server refusing the `response_format` we sent. */
function rejectsFormat(error: unknown): error is HttpStatusError {
  if (!(error instanceof HttpStatusError)) return false;
  if (error.status === 400 || error.status === 422) return true;
  return (
    error.status === 500 &&
    /response_format|json_schema|json_object|schema|grammar/i.test(error.serverMessage)
  );
}

interface Choice {
  delta?: { content?: unknown };
  message?: { content?: unknown };
  text?: unknown;
  finish_reason?: unknown;
}

function contentText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    return value
      .map((part) =>
        typeof (part as { text?: unknown }).text === "string" ? (part as { text: string }).text : "",
      )
      .join("");
  }
  return "";
}

/** The answer text one streamed chunk (`choices[0].delta.content`) adds. */
function deltaText(document: unknown): string | undefined {
  const choice = (document as { choices?: Choice[] } | null)?.choices?.[0];
  const text = contentText(choice?.delta?.content);
  return text === "" ? undefined : text;
}

/** The text of a completion, streamed (SSE) or not. */
function readCompletion(
  response: HttpTextResponse,
  location: string,
): { content: string; model?: string; truncated: boolean } {
  const documents: unknown[] = [];
  const streamed = isEventStream(response.contentType, response.text);
  try {
    if (streamed) for (const data of eventData(response.text)) documents.push(JSON.parse(data));
    else documents.push(JSON.parse(response.text));
  } catch (error) {
    throw new BackendError("backend_protocol", `The server at ${location} sent an answer that is not JSON.`, {
      hint: "Check that OPENAI_BASE_URL points at an OpenAI-compatible API (it usually ends in /v1).",
      cause: error,
    });
  }
  let content = "";
  let model: string | undefined;
  let truncated = false;
  let sawChoice = false;
  for (const document of documents) {
    const chunk = document as { error?: unknown; model?: unknown; choices?: Choice[] };
    if (chunk.error !== undefined) {
      const message =
        typeof chunk.error === "string"
          ? chunk.error
          : contentText((chunk.error as { message?: unknown }).message);
      throw new BackendError("backend_http", `The server at ${location} reported an error: ${message}`);
    }
    if (typeof chunk.model === "string" && chunk.model !== "") model = chunk.model;
    const choice = chunk.choices?.[0];
    if (choice === undefined) continue;
    sawChoice = true;
    content +=
      contentText(choice.delta?.content) + contentText(choice.message?.content) + contentText(choice.text);
    if (choice.finish_reason === "length") truncated = true;
  }
  if (!sawChoice) {
    throw new BackendError("backend_protocol", `The server at ${location} answered without any choices.`, {
      hint: "Check that OPENAI_BASE_URL points at an OpenAI-compatible API (it usually ends in /v1).",
    });
  }
  return model === undefined ? { content, truncated } : { content, model, truncated };
}

/** Model ids from a `/models` body (empty when the body is not a model list). */
function listedModels(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return [];
  return data.map((entry: { id?: unknown }) => entry.id).filter((id): id is string => typeof id === "string");
}

/** See the module comment. */
export class OpenAiCompatibleBackend implements Backend {
  readonly name = "openai" as const;
  private readonly client: HttpClient;
  private readonly settings: BackendSettings;
  private readonly configuredModel: string | undefined;
  private readonly timeoutSeconds: number;
  private discoveredModel: string | null | undefined;

  constructor(settings: BackendSettings, clientOptions: Partial<HttpClientOptions> = {}) {
    this.settings = settings;
    const openai = settings.config.openai;
    // OPENAI_BASE_URL outranks the config file; read here too for callers that build settings by hand.
    const fromEnvironment = settings.env.OPENAI_BASE_URL?.trim();
    const baseUrl = resolveOpenAiBaseUrl(
      fromEnvironment === undefined || fromEnvironment === "" ? openai.base_url : fromEnvironment,
    );
    const key = settings.env[openai.api_key_env]?.trim();
    this.client = new HttpClient({
      baseUrl,
      service: {
        name: "the OpenAI-compatible server",
        location: baseUrl.href.replace(/\/$/, ""),
        unreachableHint: UNREACHABLE_HINT,
      },
      headers: {
        ...(key === undefined || key === "" ? {} : { authorization: `Bearer ${key}` }),
        ...openai.headers,
      },
      env: settings.env,
      log: settings.log,
      ...clientOptions,
    });
    this.configuredModel = settings.modelOverride ?? openai.model;
    this.timeoutSeconds = openai.timeout ?? settings.config.timeout;
  }

  async generate(request: GenerationRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
    const deadline = generationDeadline(this.timeoutSeconds, "[openai] timeout");
    const model = await this.model(deadline, options);
    const prompt = buildPrompt(request);
    const base = this.client.baseUrl.href;
    let mode = workingFormats.get(base) ?? "json_schema";
    let response: HttpTextResponse;
    for (;;) {
      const body = {
        ...(model === undefined ? {} : { model }),
        messages: [
          { role: "system", content: prompt.system },
          { role: "user", content: prompt.user },
        ],
        temperature: SERVER_TEMPERATURE,
        max_tokens: SERVER_MAX_TOKENS,
        stream: true,
        ...responseFormat(mode, request.wantExplanation),
      };
      try {
        const sent = this.client.request({
          method: "POST",
          path: "chat/completions",
          json: body,
          deadline,
          signal: options.signal,
          onBodyChunk: options.onText && streamedText("sse", deltaText, options.onText),
        });
        options.onDispatched?.();
        response = await sent;
        break;
      } catch (error) {
        const next = FORMAT_ORDER[FORMAT_ORDER.indexOf(mode) + 1];
        if (next !== undefined && rejectsFormat(error)) {
          this.settings.log(
            `${error.message} Retrying with response_format ${next === "none" ? "left out" : next}.`,
          );
          mode = next;
          continue;
        }
        throw this.explain(error);
      }
    }
    workingFormats.set(base, mode);
    const answer = readCompletion(response, this.client.service.location);
    const parsed = commandFromServerText({
      text: answer.content,
      shell: request.shell,
      truncated: answer.truncated,
      log: this.settings.log,
    });
    return {
      command: parsed.command,
      explanation: parsed.explanation,
      model: answer.model ?? model ?? "server default",
      timingsMs: { load: Math.round(response.firstByteMs), generate: Math.round(response.bodyMs) },
    };
  }

  async isAvailable(options: GenerateOptions = {}): Promise<Availability> {
    return checkAvailability({
      client: this.client,
      path: "models",
      timeoutSeconds: this.timeoutSeconds,
      generate: options,
      interpret: (text) => {
        const models = listedModels(text);
        const wanted = this.configuredModel;
        const note =
          wanted !== undefined && models.length > 0 && !models.includes(wanted)
            ? `; "${wanted}" is not listed`
            : "";
        return {
          available: true,
          detail: `${models.length} model(s) at ${this.client.service.location}${note}`,
        };
      },
    });
  }

  describe(): BackendDescription {
    return {
      name: this.name,
      model: this.configuredModel ?? this.discoveredModel ?? undefined,
      location: this.client.service.location,
    };
  }

  async dispose(): Promise<void> {
    await this.client.close();
  }

  /** The configured model, else the first listed one (asked once), else none. */
  private async model(deadline: Deadline, options: GenerateOptions): Promise<string | undefined> {
    if (this.configuredModel !== undefined) return this.configuredModel;
    if (this.discoveredModel !== undefined) return this.discoveredModel ?? undefined;
    try {
      const response = await this.client.request({
        method: "GET",
        path: "models",
        deadline,
        signal: options.signal,
      });
      this.discoveredModel = listedModels(response.text)[0] ?? null;
    } catch (error) {
      if (error instanceof HttpStatusError && (error.status === 401 || error.status === 403)) throw error;
      if (!(error instanceof HttpStatusError)) throw error;
      this.discoveredModel = null;
    }
    this.settings.log(
      this.discoveredModel === null
        ? "No model configured and none listed; letting the server use its default."
        : `No model configured; using "${this.discoveredModel}", the first the server lists.`,
    );
    return this.discoveredModel ?? undefined;
  }

  /** Add the fix to HTTP errors whose cause is usually the configuration. */
  private explain(error: unknown): unknown {
    if (!(error instanceof HttpStatusError) || error.status !== 404) return error;
    return new BackendError("backend_unavailable", error.message, {
      status: 404,
      cause: error,
      hint: `Check OPENAI_BASE_URL (usually ending in /v1) and the model name; ${this.client.service.location}/models lists the models.`,
    });
  }
}

/** The registry's factory: an OpenAI-compatible backend from the effective settings. */
export function createOpenAiCompatibleBackend(settings: BackendSettings): Backend {
  return new OpenAiCompatibleBackend(settings);
}

/**
 * The Ollama backend: `POST /api/chat` with `format` set to the answer's JSON schema (Ollama enforces it with
 * a grammar), the shared system prompt (which names the target shell), `options.temperature`,
 * `options.num_predict` and `keep_alive`; streamed NDJSON or a single JSON answer. `GET /api/tags` checks
 * availability and finds a model when none is configured.
 *
 * Host: `OLLAMA_HOST`, else `[ollama] host` (default `http://127.0.0.1:11434`).
 * Model: `--model` / `CMDAI_MODEL`, else `[ollama] model`, else the first model the server lists; when the
 * server cannot list models, {@link OLLAMA_DEFAULT_MODEL}. A model the server lacks is an error naming
 * `ollama pull <model>`.
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
  TokenUsage,
} from "./backend.js";
import { answerJsonSchema, buildPrompt } from "./prompt.js";
import { HttpClient } from "./http/http-client.js";
import type { Deadline, HttpClientOptions } from "./http/http-client.js";
import { HttpStatusError } from "./http/http-errors.js";
import { jsonDocuments, streamedText } from "./http/stream-events.js";
import {
  SERVER_MAX_TOKENS,
  SERVER_TEMPERATURE,
  checkAvailability,
  commandFromServerText,
  generationDeadline,
} from "./http/server-answer.js";

/** Model used when none is configured and the server cannot list its models. */
export const OLLAMA_DEFAULT_MODEL = "qwen2.5-coder:1.5b";

/** Ollama's default port, used when `OLLAMA_HOST` names no port and no scheme. */
const OLLAMA_DEFAULT_PORT = "11434";

const UNREACHABLE_HINT = "Is Ollama running? Start it with `ollama serve`, or point OLLAMA_HOST at it.";

/**
 * The URL of an Ollama server from an `OLLAMA_HOST`-style value, read the way Ollama's own client reads it:
 * `host`, `host:port`, `:port` or a full URL; no scheme means http and port 11434, an explicit `http://` or
 * `https://` without a port means 80 or 443. A listen-everywhere address (`0.0.0.0`, `::`) is connected to on
 * the loopback address.
 */
export function resolveOllamaHost(value: string): URL {
  const trimmed = value.trim() === "" ? `127.0.0.1:${OLLAMA_DEFAULT_PORT}` : value.trim();
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/.exec(trimmed);
  const scheme = (schemeMatch?.[1] ?? "http").toLowerCase();
  const rest = schemeMatch?.[2] ?? trimmed;
  if (scheme !== "http" && scheme !== "https") {
    throw new ConfigError("config_invalid", `Ollama host ${JSON.stringify(value)} must use http or https.`, {
      key: "ollama.host",
      hint: "Set OLLAMA_HOST (or [ollama] host) to e.g. 127.0.0.1:11434 or http://server:11434.",
    });
  }
  const slash = rest.indexOf("/");
  const hostPort = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? "" : rest.slice(slash + 1);
  let hostname: string;
  let port: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(\d*))?$/.exec(hostPort);
  if (bracketed !== null) {
    hostname = bracketed[1] ?? "";
    port = bracketed[2];
  } else if ((hostPort.match(/:/g) ?? []).length > 1) {
    hostname = hostPort; // a bare IPv6 address
  } else {
    const colon = hostPort.lastIndexOf(":");
    hostname = colon === -1 ? hostPort : hostPort.slice(0, colon);
    port = colon === -1 ? undefined : hostPort.slice(colon + 1);
  }
  if (hostname === "" || hostname === "0.0.0.0") hostname = "127.0.0.1";
  if (hostname === "::") hostname = "::1";
  if (port === undefined || port === "") {
    port = schemeMatch === null ? OLLAMA_DEFAULT_PORT : scheme === "https" ? "443" : "80";
  }
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  try {
    return new URL(`${scheme}://${host}:${port}/${path}`);
  } catch (error) {
    throw new ConfigError("config_invalid", `Ollama host ${JSON.stringify(value)} is not a valid address.`, {
      key: "ollama.host",
      hint: "Set OLLAMA_HOST (or [ollama] host) to e.g. 127.0.0.1:11434 or http://server:11434.",
      cause: error,
    });
  }
}

/** `keep_alive` as Ollama wants it: a number of seconds stays a number, a duration ("5m") stays a string. */
function keepAliveValue(value: string): string | number {
  return /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}

interface OllamaChatLine {
  model?: unknown;
  message?: { content?: unknown; thinking?: unknown };
  done?: unknown;
  done_reason?: unknown;
  error?: unknown;
  prompt_eval_count?: unknown;
  eval_count?: unknown;
}

/** The answer text one streamed `/api/chat` line adds. */
function chatLineText(document: unknown): string | undefined {
  const content = (document as OllamaChatLine | null)?.message?.content;
  return typeof content === "string" ? content : undefined;
}

/** The text of a `/api/chat` answer, streamed or not. */
function readChat(
  text: string,
  location: string,
): { content: string; model?: string; truncated: boolean; usage?: TokenUsage } {
  let content = "";
  let model: string | undefined;
  let truncated = false;
  let usage: TokenUsage | undefined;
  let sawMessage = false;
  for (const value of jsonDocuments(text, "Ollama")) {
    const line = value as OllamaChatLine;
    if (typeof line.error === "string") {
      throw new BackendError("backend_http", `Ollama at ${location} reported an error: ${line.error}`);
    }
    if (typeof line.model === "string") model = line.model;
    if (typeof line.message?.content === "string") {
      content += line.message.content;
      sawMessage = true;
    }
    if (line.done_reason === "length") truncated = true;
    // The last line carries the counts; a prompt Ollama found in its cache is not counted.
    if (typeof line.eval_count === "number") {
      usage = {
        promptTokens: typeof line.prompt_eval_count === "number" ? line.prompt_eval_count : 0,
        answerTokens: line.eval_count,
      };
    }
  }
  if (!sawMessage) {
    throw new BackendError("backend_protocol", `Ollama at ${location} answered without a message.`, {
      hint: "Check that OLLAMA_HOST points at an Ollama server.",
    });
  }
  return {
    content,
    truncated,
    ...(model === undefined ? {} : { model }),
    ...(usage === undefined ? {} : { usage }),
  };
}

function modelMatches(requested: string, listed: string): boolean {
  const withTag = (name: string): string => (name.includes(":") ? name : `${name}:latest`);
  return withTag(requested) === withTag(listed);
}

/** Model names from a `/api/tags` body; undefined when the body is not a model list. */
function listedModels(text: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const models = (parsed as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) return undefined;
  return models
    .map((entry: { name?: unknown; model?: unknown }) =>
      typeof entry.name === "string" ? entry.name : entry.model,
    )
    .filter((name): name is string => typeof name === "string");
}

/** See the module comment. */
export class OllamaBackend implements Backend {
  readonly name = "ollama" as const;
  private readonly client: HttpClient;
  private readonly settings: BackendSettings;
  private readonly configuredModel: string | undefined;
  private readonly timeoutSeconds: number;
  private discoveredModel: string | undefined;

  constructor(settings: BackendSettings, clientOptions: Partial<HttpClientOptions> = {}) {
    this.settings = settings;
    // OLLAMA_HOST outranks the config file (environment < flags, > file); the config loader maps it too, and
    // reading it here as well keeps the two consistent if a caller builds settings without the loader.
    const fromEnvironment = settings.env.OLLAMA_HOST?.trim();
    const baseUrl = resolveOllamaHost(
      fromEnvironment === undefined || fromEnvironment === "" ? settings.config.ollama.host : fromEnvironment,
    );
    this.client = new HttpClient({
      baseUrl,
      service: {
        name: "Ollama",
        location: baseUrl.origin + baseUrl.pathname.replace(/\/$/, ""),
        unreachableHint: UNREACHABLE_HINT,
      },
      headers: settings.config.ollama.headers,
      env: settings.env,
      log: settings.log,
      ...clientOptions,
    });
    this.configuredModel = settings.modelOverride ?? settings.config.ollama.model;
    this.timeoutSeconds = settings.config.ollama.timeout ?? settings.config.timeout;
  }

  async generate(request: GenerationRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
    const deadline = generationDeadline(this.timeoutSeconds, "[ollama] timeout");
    const model = await this.model(deadline, options);
    const prompt = buildPrompt(request);
    const body = {
      model,
      messages: [
        { role: "system", content: prompt.system },
        { role: "user", content: prompt.user },
      ],
      format: answerJsonSchema(request.wantExplanation),
      stream: true,
      keep_alive: keepAliveValue(this.settings.config.ollama.keep_alive),
      options: { temperature: SERVER_TEMPERATURE, num_predict: SERVER_MAX_TOKENS },
    };
    let response;
    try {
      const sent = this.client.request({
        method: "POST",
        path: "api/chat",
        json: body,
        deadline,
        signal: options.signal,
        onBodyChunk: options.onText && streamedText("ndjson", chatLineText, options.onText),
      });
      options.onDispatched?.();
      response = await sent;
    } catch (error) {
      if (
        error instanceof HttpStatusError &&
        error.status === 404 &&
        /not found/i.test(error.serverMessage)
      ) {
        throw this.missingModelError(model, error);
      }
      throw error;
    }
    const answer = readChat(response.text, this.client.service.location);
    const parsed = commandFromServerText({
      text: answer.content,
      shell: request.shell,
      truncated: answer.truncated,
      log: this.settings.log,
    });
    return {
      command: parsed.command,
      explanation: parsed.explanation,
      model: answer.model ?? model,
      timingsMs: { load: Math.round(response.firstByteMs), generate: Math.round(response.bodyMs) },
      usage: answer.usage,
    };
  }

  async isAvailable(options: GenerateOptions = {}): Promise<Availability> {
    return checkAvailability({
      client: this.client,
      path: "api/tags",
      timeoutSeconds: this.timeoutSeconds,
      generate: options,
      interpret: (text) => {
        const models = listedModels(text);
        if (models === undefined) {
          return {
            available: true,
            detail: `${this.client.service.location} answered /api/tags without a model list`,
          };
        }
        const wanted = this.configuredModel;
        if (wanted !== undefined && !models.some((listed) => modelMatches(wanted, listed))) {
          return {
            available: false,
            reason: `Ollama has no model "${wanted}".`,
            hint: `Run \`ollama pull ${wanted}\`.`,
          };
        }
        if (models.length === 0) {
          return {
            available: false,
            reason: "Ollama has no models.",
            hint: `Run \`ollama pull ${OLLAMA_DEFAULT_MODEL}\`.`,
          };
        }
        return { available: true, detail: `${models.length} model(s) at ${this.client.service.location}` };
      },
    });
  }

  describe(): BackendDescription {
    return {
      name: this.name,
      model: this.configuredModel ?? this.discoveredModel,
      location: this.client.service.location,
    };
  }

  async dispose(): Promise<void> {
    await this.client.close();
  }

  /** The configured model, else the first one the server lists (asked once per backend). */
  private async model(deadline: Deadline, options: GenerateOptions): Promise<string> {
    if (this.configuredModel !== undefined) return this.configuredModel;
    if (this.discoveredModel !== undefined) return this.discoveredModel;
    let models: string[] | undefined;
    try {
      const response = await this.client.request({
        method: "GET",
        path: "api/tags",
        deadline,
        signal: options.signal,
      });
      models = listedModels(response.text);
    } catch (error) {
      if (!(error instanceof HttpStatusError)) throw error;
      this.settings.log(`Could not list Ollama models (${error.message}).`);
    }
    if (models?.length === 0) {
      throw new BackendError(
        "backend_unavailable",
        `Ollama at ${this.client.service.location} has no models.`,
        {
          hint: `Run \`ollama pull ${OLLAMA_DEFAULT_MODEL}\`, or name a model with --model.`,
        },
      );
    }
    this.discoveredModel = models?.[0] ?? OLLAMA_DEFAULT_MODEL;
    this.settings.log(
      models === undefined
        ? `No Ollama model configured and none listed; using "${OLLAMA_DEFAULT_MODEL}".`
        : `No Ollama model configured; using "${this.discoveredModel}", the first the server lists.`,
    );
    return this.discoveredModel;
  }

  private missingModelError(model: string, cause: HttpStatusError): BackendError {
    return new BackendError(
      "backend_unavailable",
      `Ollama at ${this.client.service.location} has no model "${model}".`,
      {
        hint: `Run \`ollama pull ${model}\`, or pick one from \`ollama list\` with --model.`,
        status: 404,
        cause,
      },
    );
  }
}

/** The registry's factory: an Ollama backend from the effective settings. */
export function createOllamaBackend(settings: BackendSettings): Backend {
  return new OllamaBackend(settings);
}

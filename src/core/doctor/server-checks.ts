/**
 * Reachability of the Ollama and OpenAI-compatible servers, with short timeouts. A server that isn't running
 * is a `warn` (most people use only one backend); one that answers wrongly while it is the configured
 * backend is a `fail`. Requests go through the backends' own dispatcher (`proxy-dispatcher.ts`), proxies included.
 */
import { networkErrorCode } from "../../backends/http/http-errors.js";
import { unreachableReason } from "../../unreachable-reason.js";
import type { Config } from "../../config/schema.js";
import type { DoctorCheck, DoctorContext, DoctorResult } from "./doctor-check.js";

/** `OLLAMA_HOST` forms (`host`, `host:port`, `0.0.0.0`, full URL) → a base URL. */
export function ollamaBaseUrl(host: string): string {
  let text = host.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  const url = new URL(text);
  // 0.0.0.0 is a bind address ("listen everywhere"); clients reach it through loopback.
  if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1";
  if (url.hostname === "[::]") url.hostname = "[::1]";
  if (url.port === "" && url.protocol === "http:" && !/:\d+/.test(text.replace(/^[a-z]+:\/\//i, "")))
    url.port = "11434";
  return url.toString().replace(/\/+$/, "");
}

interface ProbeAnswer {
  kind: "answer";
  status: number;
  body: unknown;
}
interface ProbeUnreachable {
  kind: "unreachable";
  reason: string;
}

/** GET a URL with a timeout; connection problems come back as `unreachable`, never thrown. */
export async function probe(
  url: string,
  options: { timeoutMs: number; env: NodeJS.ProcessEnv; headers?: Record<string, string> },
): Promise<ProbeAnswer | ProbeUnreachable> {
  const [{ fetch }, { createProxyDispatcher }] = await Promise.all([
    import("undici"),
    import("../../proxy-dispatcher.js"),
  ]);
  // The backends' own dispatcher, so the probe takes the route the request it diagnoses would take.
  const target = URL.canParse(url) ? new URL(url) : undefined;
  const dispatcher = createProxyDispatcher({ env: options.env, target });
  try {
    const response = await fetch(url, {
      dispatcher,
      headers: { accept: "application/json", ...options.headers },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the caller reports what kind of server answered.
    }
    return { kind: "answer", status: response.status, body };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const code = networkErrorCode(error);
    const name = error instanceof Error ? error.name : "";
    const reason =
      name === "TimeoutError" || name === "AbortError"
        ? `no answer within ${options.timeoutMs} ms`
        : code !== undefined
          ? unreachableReason(code)
          : cause instanceof Error
            ? cause.message
            : String(cause);
    return { kind: "unreachable", reason };
  } finally {
    void dispatcher.close();
  }
}

function modelNames(body: unknown, listKey: "models" | "data", nameKey: "name" | "id"): string[] | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const list = (body as Record<string, unknown>)[listKey];
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((item: unknown) => {
    const name =
      typeof item === "object" && item !== null ? (item as Record<string, unknown>)[nameKey] : undefined;
    return typeof name === "string" ? [name] : [];
  });
}

/**
 * One probe per server per doctor run: the "Ready for a request" check asks the same servers, and takes the
 * answer this check gets rather than probing again.
 */
const probed = new WeakMap<DoctorContext, Map<string, Promise<DoctorResult>>>();
function probeOnce(
  id: string,
  context: DoctorContext,
  run: (context: DoctorContext) => Promise<DoctorResult>,
): Promise<DoctorResult> {
  let runs = probed.get(context);
  if (runs === undefined) {
    runs = new Map();
    probed.set(context, runs);
  }
  let result = runs.get(id);
  if (result === undefined) {
    result = run(context);
    runs.set(id, result);
  }
  return result;
}

function uses(config: Config, backend: "ollama" | "openai"): boolean {
  return config.backend === backend || config.fallback.includes(backend);
}

export const ollamaCheck: DoctorCheck = {
  id: "ollama",
  title: "Ollama",
  timeoutMs: 5000,
  run: (context) => probeOnce("ollama", context, checkOllama),
};

async function checkOllama(context: DoctorContext): Promise<DoctorResult> {
  const base = { id: "ollama", title: "Ollama" };
  const needed = uses(context.config, "ollama");
  let baseUrl: string;
  try {
    baseUrl = ollamaBaseUrl(context.config.ollama.host);
  } catch {
    return {
      ...base,
      status: needed ? "fail" : "warn",
      message: `ollama.host "${context.config.ollama.host}" is not a valid address`,
      fix: "Set OLLAMA_HOST or ollama.host to host:port, e.g. 127.0.0.1:11434.",
    };
  }
  const answer = await probe(`${baseUrl}/api/tags`, {
    timeoutMs: context.networkTimeoutMs,
    env: context.env,
  });
  const details = { url: baseUrl, needed };
  if (answer.kind === "unreachable") {
    return {
      ...base,
      status: "warn",
      message: `Cannot reach Ollama at ${baseUrl} (${answer.reason})`,
      fix: needed
        ? "Start it with `ollama serve`, or set OLLAMA_HOST to where it runs."
        : "Only needed for --backend ollama: install from https://ollama.com and run `ollama serve`.",
      details,
    };
  }
  const models = modelNames(answer.body, "models", "name");
  if (answer.status !== 200 || models === undefined) {
    return {
      ...base,
      status: needed ? "fail" : "warn",
      message: `${baseUrl} answered /api/tags with HTTP ${answer.status}${models === undefined ? ", not an Ollama model list" : ""}`,
      fix: "Check that OLLAMA_HOST / ollama.host points at an Ollama server.",
      details,
    };
  }
  const wanted = context.config.ollama.model;
  if (wanted !== undefined && !models.some((name) => name === wanted || name === `${wanted}:latest`)) {
    return {
      ...base,
      status: needed ? "fail" : "warn",
      message: `running at ${baseUrl}, but model "${wanted}" is not pulled (has: ${models.join(", ") || "none"})`,
      fix: `ollama pull ${wanted}`,
      details: { ...details, models },
    };
  }
  return {
    ...base,
    status: "ok",
    message: `running at ${baseUrl}, ${models.length} model(s)${models.length > 0 ? `: ${models.slice(0, 5).join(", ")}` : ""}`,
    details: { ...details, models },
  };
}

export const openaiCheck: DoctorCheck = {
  id: "openai",
  title: "OpenAI-compatible server",
  timeoutMs: 5000,
  run: (context) => probeOnce("openai", context, checkOpenAi),
};

async function checkOpenAi(context: DoctorContext): Promise<DoctorResult> {
  const base = { id: "openai", title: "OpenAI-compatible server" };
  const needed = uses(context.config, "openai");
  const baseUrl = context.config.openai.base_url.replace(/\/+$/, "");
  const keyVariable = context.config.openai.api_key_env;
  const key = context.env[keyVariable];
  const headers: Record<string, string> =
    key !== undefined && key !== "" ? { authorization: `Bearer ${key}` } : {};
  let answer: Awaited<ReturnType<typeof probe>>;
  try {
    answer = await probe(`${baseUrl}/models`, {
      timeoutMs: context.networkTimeoutMs,
      env: context.env,
      headers,
    });
  } catch {
    return {
      ...base,
      status: needed ? "fail" : "warn",
      message: `openai.base_url "${baseUrl}" is not a valid URL`,
      fix: "Set OPENAI_BASE_URL or openai.base_url, e.g. http://127.0.0.1:8000/v1.",
    };
  }
  const details = {
    url: baseUrl,
    needed,
    apiKeyVariable: keyVariable,
    apiKeySet: key !== undefined && key !== "",
  };
  if (answer.kind === "unreachable") {
    return {
      ...base,
      status: "warn",
      message: `Cannot reach the OpenAI-compatible server at ${baseUrl} (${answer.reason})`,
      fix: needed
        ? "Start the server (vLLM, llama.cpp server, LM Studio …) or set OPENAI_BASE_URL to where it runs."
        : "Only needed for --backend openai: set OPENAI_BASE_URL to an OpenAI-compatible server.",
      details,
    };
  }
  if (answer.status === 401 || answer.status === 403) {
    return {
      ...base,
      status: needed ? "fail" : "warn",
      message: `${baseUrl} refused the request (HTTP ${answer.status})`,
      fix: `Put a valid API key in $${keyVariable} (or change openai.api_key_env).`,
      details,
    };
  }
  const models = modelNames(answer.body, "data", "id");
  if (answer.status !== 200 || models === undefined) {
    return {
      ...base,
      status: needed ? "fail" : "warn",
      message: `${baseUrl}/models answered HTTP ${answer.status}${models === undefined ? ", not a model list" : ""}`,
      fix: "Check that OPENAI_BASE_URL ends with the API prefix, usually /v1.",
      details,
    };
  }
  return {
    ...base,
    status: "ok",
    message: `reachable at ${baseUrl}, ${models.length} model(s)${models.length > 0 ? `: ${models.slice(0, 5).join(", ")}` : ""}`,
    details: { ...details, models },
  };
}

/**
 * Finds model servers already running on this machine, so a newcomer without a downloaded model is offered
 * what they have (Ollama, LM Studio, a llama.cpp server, vLLM) before a 1 GiB download. Every probe goes to a
 * loopback address, directly (never through a proxy: a proxy would see a request for *its* 127.0.0.1), all in
 * parallel under one deadline (300 ms by default), so the first request pays at most that once.
 */
import http from "node:http";
import { isLoopbackHost } from "../proxy-dispatcher.js";
import type { Config } from "../config/schema.js";
import { resolveOllamaHost } from "./ollama.js";

/** The backend that talks to a kind of server. */
export type DiscoveredBackend = "ollama" | "openai";

/** A place a server may listen, and what usually listens there. */
export interface DiscoveryCandidate {
  backend: DiscoveredBackend;
  /** What usually listens there, for people: "Ollama", "LM Studio", "llama.cpp server", "vLLM". */
  product: string;
  /** For Ollama the server root (`http://127.0.0.1:11434`); for OpenAI-compatible servers the API base (`…/v1`). */
  baseUrl: string;
}

/** A server that answered with a model list. */
export interface DiscoveredServer extends DiscoveryCandidate {
  /** Model names it lists (may be empty: Ollama with nothing pulled). */
  models: string[];
}

/** Default time for all probes together. */
export const DISCOVERY_TIMEOUT_MS = 300;

/** OpenAI-compatible servers' usual local ports. */
const OPENAI_PORTS: readonly { port: number; product: string }[] = [
  { port: 1234, product: "LM Studio" },
  { port: 8080, product: "llama.cpp server" },
  { port: 8000, product: "vLLM" },
];

/** `owned_by` values that name the server better than its port does. */
const OWNERS: Readonly<Record<string, string>> = { vllm: "vLLM", llamacpp: "llama.cpp server" };

/** The Ollama server root for an `OLLAMA_HOST`-style value, read as the backend reads it; undefined when unusable. */
export function ollamaRoot(host: string): string | undefined {
  try {
    return resolveOllamaHost(host).origin;
  } catch {
    return undefined; // the backend and doctor report a bad host; discovery just does not look there
  }
}

function isLoopbackUrl(text: string): boolean {
  return URL.canParse(text) && new URL(text).protocol === "http:" && isLoopbackHost(new URL(text).hostname);
}

/**
 * Where to look: Ollama at `OLLAMA_HOST` (else the configured host, else 127.0.0.1:11434), the configured
 * OpenAI-compatible base URL, and the usual local ports. Only loopback `http:` addresses; no duplicates.
 */
export function discoveryCandidates(env: NodeJS.ProcessEnv, config?: Config): DiscoveryCandidate[] {
  const candidates: DiscoveryCandidate[] = [];
  const add = (candidate: DiscoveryCandidate): void => {
    if (!isLoopbackUrl(candidate.baseUrl)) return;
    if (candidates.some((known) => sameEndpoint(known.baseUrl, candidate.baseUrl))) return;
    candidates.push(candidate);
  };
  const ollamaHost = env.OLLAMA_HOST?.trim() || config?.ollama.host || "127.0.0.1:11434";
  const ollama = ollamaRoot(ollamaHost);
  if (ollama !== undefined) add({ backend: "ollama", product: "Ollama", baseUrl: ollama });
  const configuredOpenAi = env.OPENAI_BASE_URL?.trim() || config?.openai.base_url;
  if (configuredOpenAi !== undefined) {
    const baseUrl = configuredOpenAi.replace(/\/+$/, "");
    const port = URL.canParse(baseUrl) ? Number(new URL(baseUrl).port) : 0;
    const product = OPENAI_PORTS.find((known) => known.port === port)?.product ?? "OpenAI-compatible server";
    add({ backend: "openai", product, baseUrl });
  }
  for (const { port, product } of OPENAI_PORTS)
    add({ backend: "openai", product, baseUrl: `http://127.0.0.1:${port}/v1` });
  return candidates;
}

function sameEndpoint(left: string, right: string): boolean {
  const host = (text: string): string => {
    const url = new URL(text);
    const name = url.hostname === "localhost" ? "127.0.0.1" : url.hostname;
    return `${name}:${url.port || "80"}`;
  };
  return host(left) === host(right);
}

/** GET `url` directly (no agent pool, no proxy); the parsed JSON body of a 200, else undefined. */
function getJson(url: string, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    const target = new URL(url);
    // Name resolution of "localhost" may prefer ::1 where the server listens on 127.0.0.1 only.
    const hostname = target.hostname === "localhost" ? "127.0.0.1" : target.hostname.replace(/^\[|\]$/g, "");
    const request = http.get(
      {
        hostname,
        port: target.port || 80,
        path: `${target.pathname}${target.search}`,
        headers: { accept: "application/json" },
        agent: false,
        signal,
      },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          resolve(undefined);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          // A model list is small; anything huge is not the server we are looking for.
          if (size > 4 * 1024 * 1024) request.destroy();
          else chunks.push(chunk);
        });
        response.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown);
          } catch {
            resolve(undefined);
          }
        });
        response.on("error", () => resolve(undefined));
      },
    );
    request.on("error", () => resolve(undefined));
  });
}

/** The `nameKey` strings of the items in `body[listKey]`, with each item; undefined when it is not a list. */
function listed(
  body: unknown,
  listKey: "models" | "data",
  nameKey: "name" | "id",
): { name: string; item: Record<string, unknown> }[] | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const list: unknown = (body as Record<string, unknown>)[listKey];
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((entry: unknown) => {
    if (typeof entry !== "object" || entry === null) return [];
    const item = entry as Record<string, unknown>;
    const name = item[nameKey];
    return typeof name === "string" ? [{ name, item }] : [];
  });
}

async function probeCandidate(
  candidate: DiscoveryCandidate,
  signal: AbortSignal,
): Promise<DiscoveredServer | undefined> {
  if (candidate.backend === "ollama") {
    const models = listed(await getJson(`${candidate.baseUrl}/api/tags`, signal), "models", "name");
    if (models === undefined) return undefined;
    return { ...candidate, models: models.map((model) => model.name) };
  }
  const models = listed(await getJson(`${candidate.baseUrl}/models`, signal), "data", "id");
  if (models === undefined) return undefined;
  const owner = models[0]?.item.owned_by;
  const product = typeof owner === "string" ? (OWNERS[owner] ?? candidate.product) : candidate.product;
  return { ...candidate, product, models: models.map((model) => model.name) };
}

/** Options of {@link discoverLocalServers}. */
export interface DiscoveryOptions {
  env: NodeJS.ProcessEnv;
  config?: Config | undefined;
  /** Milliseconds for all probes together. Default {@link DISCOVERY_TIMEOUT_MS}. */
  timeoutMs?: number | undefined;
  /** Where to look; default {@link discoveryCandidates}. */
  candidates?: readonly DiscoveryCandidate[] | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The servers that answered with a model list within the deadline, in candidate order (Ollama first). Never
 * rejects: a closed port, a timeout or a server of another kind is simply not found.
 */
export async function discoverLocalServers(options: DiscoveryOptions): Promise<DiscoveredServer[]> {
  const candidates = (options.candidates ?? discoveryCandidates(options.env, options.config)).filter(
    (candidate) => isLoopbackUrl(candidate.baseUrl),
  );
  if (candidates.length === 0) return [];
  const deadline = AbortSignal.timeout(options.timeoutMs ?? DISCOVERY_TIMEOUT_MS);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
  const found = await Promise.all(candidates.map((candidate) => probeCandidate(candidate, signal)));
  return found.filter((server): server is DiscoveredServer => server !== undefined);
}

/** How a person would switch to a found server for good, as cmdai commands. */
export function switchCommands(server: DiscoveredServer, program = "cmdai"): string[] {
  if (server.backend === "ollama") {
    const commands = [`${program} config set backend ollama`];
    if (server.baseUrl !== "http://127.0.0.1:11434")
      commands.unshift(`${program} config set ollama.host ${server.baseUrl}`);
    return commands;
  }
  return [`${program} config set openai.base_url ${server.baseUrl}`, `${program} config set backend openai`];
}

/** "Ollama at http://127.0.0.1:11434 (qwen2.5-coder:7b, +2 more)". */
export function describeServer(server: DiscoveredServer): string {
  const [first] = server.models;
  const models =
    first === undefined
      ? "no models yet"
      : server.models.length === 1
        ? first
        : `${first}, +${server.models.length - 1} more`;
  return `${server.product} at ${server.baseUrl} (${models})`;
}

/**
 * The question a newcomer runs doctor for: can a request be answered right now, and by which backend? The
 * backends are taken in the order a request tries them (the configured one, then the fallbacks); the first
 * that could answer is named. When none can, the check fails (doctor exits non-zero) and its fix names the
 * ways forward: a model server found running on this machine, the download, or importing a file. A second,
 * bounded check says whether the model hub is reachable over the route a download would take.
 */
import {
  describeServer,
  discoverLocalServers,
  switchCommands,
} from "../../backends/discover-local-servers.js";
import type { BackendName } from "../../config/schema.js";
import { formatBytes } from "../../format-bytes.js";
import { DEFAULT_MODEL_ID, findCatalogEntry } from "../../models/catalog.js";
import { huggingFaceEndpoint, huggingFaceToken } from "../../models/hub-http.js";
import { parseModelReference } from "../../models/model-reference.js";
import { isOffline, pullCommand } from "../../models/resolve-model-file.js";
import { classifyNetworkFailure } from "../../network-failure.js";
import { backendChain } from "../generate-command.js";
import type { DoctorCheck, DoctorContext, DoctorResult } from "./doctor-check.js";
import type { ModelStatusProvider } from "./model-checks.js";
import { ollamaCheck, openaiCheck } from "./server-checks.js";

/** Milliseconds the hub check may take, proxies included. */
export const HUB_TIMEOUT_MS = 2000;

interface BackendReadiness {
  backend: BackendName;
  ready: boolean;
  /** "qwen2.5-coder-1.5b, downloaded" or why it cannot answer. */
  detail: string;
}

async function embeddedReadiness(
  context: DoctorContext,
  modelStatus: ModelStatusProvider,
): Promise<BackendReadiness> {
  const status = await modelStatus(context);
  const ready = status.state === "verified" || status.state === "present";
  const detail = ready
    ? `${status.model}${status.path === undefined ? "" : ` at ${status.path}`}`
    : `${status.model} ${status.state === "missing" ? "is not downloaded yet" : `is ${status.state}`}`;
  return { backend: "embedded", ready, detail };
}

async function serverReadiness(
  context: DoctorContext,
  backend: "ollama" | "openai",
): Promise<BackendReadiness> {
  const [result] = [await (backend === "ollama" ? ollamaCheck : openaiCheck).run(context)].flat();
  const models = result?.details?.models;
  const listed = Array.isArray(models)
    ? models.filter((name): name is string => typeof name === "string")
    : [];
  const url = typeof result?.details?.url === "string" ? result.details.url : "";
  if (result?.status === "ok" && listed.length > 0) {
    const wanted = backend === "ollama" ? context.config.ollama.model : context.config.openai.model;
    return { backend, ready: true, detail: `${url} (${wanted ?? listed[0] ?? ""})` };
  }
  const reason = result?.status === "ok" ? `${url} lists no models` : (result?.message ?? "not checked");
  return { backend, ready: false, detail: reason };
}

/** The fix when nothing can answer: what runs here, the download, importing a file. */
async function waysForward(context: DoctorContext): Promise<string> {
  const servers = (await discoverLocalServers({ env: context.env, config: context.config })).filter(
    (server) => server.models.length > 0,
  );
  const model = context.config.model ?? DEFAULT_MODEL_ID;
  const entry = findCatalogEntry(model);
  const size = entry === undefined ? "" : ` (${formatBytes(entry.sizeBytes)})`;
  const ways = servers.map(
    (server) => `use ${describeServer(server)}: \`${switchCommands(server).join(" && ")}\``,
  );
  if (!isOffline({ config: context.config, env: context.env }))
    ways.push(`download the model${size}: \`${pullCommand(model)}\``);
  const as = /^[\w.-]+$/.test(model) ? ` --as ${model}` : "";
  ways.push(`bring a .gguf file you have: \`cmdai models import FILE.gguf${as}\``);
  const [first, ...rest] = ways;
  const text = [first === undefined ? "" : first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(
    "; or ",
  );
  return `${text}.`;
}

/** "Ready for a request": which backend would answer, or a failure naming the ways forward. */
export function readinessCheck(modelStatus: ModelStatusProvider): DoctorCheck {
  return {
    id: "ready",
    title: "Ready for a request",
    // The server probes' own timeouts (networkTimeoutMs each, in parallel) plus discovery.
    timeoutMs: 8000,
    run: async (context): Promise<DoctorResult> => {
      const chain = backendChain(context.config, false);
      const readiness = await Promise.all(
        chain.map((backend) =>
          backend === "embedded"
            ? embeddedReadiness(context, modelStatus)
            : serverReadiness(context, backend),
        ),
      );
      const base = { id: "ready", title: "Ready for a request", details: { chain, readiness } };
      const answering = readiness.find((entry) => entry.ready);
      if (answering !== undefined) {
        const skipped = readiness
          .filter((entry) => !entry.ready)
          .map((entry) => `${entry.backend}: ${entry.detail}`);
        const fallback = skipped.length === 0 ? "" : ` (falling back; ${skipped.join("; ")})`;
        return {
          ...base,
          status: "ok",
          message: `yes, by ${answering.backend}: ${answering.detail}${fallback}`,
        };
      }
      return {
        ...base,
        status: "fail",
        message: `no backend can answer now (${readiness.map((entry) => `${entry.backend}: ${entry.detail}`).join("; ")})`,
        fix: await waysForward(context),
      };
    },
  };
}

/** The URL a download of the configured model would start at (the default model's when it is no hf: one). */
function hubProbeUrl(context: DoctorContext): string {
  const endpoint = huggingFaceEndpoint(context.env);
  const resolveUrl = (text: string): string | undefined => {
    try {
      const reference = parseModelReference(text);
      if (reference.kind !== "hf") return undefined;
      const file = (reference.files[0] ?? "").split("/").map(encodeURIComponent).join("/");
      return `${endpoint}/${reference.repo}/resolve/${encodeURIComponent(reference.revision)}/${file}`;
    } catch {
      return undefined; // a malformed model reference is the config check's finding
    }
  };
  return (
    resolveUrl(context.config.model ?? DEFAULT_MODEL_ID) ?? resolveUrl(DEFAULT_MODEL_ID) ?? `${endpoint}/`
  );
}

/** "Model hub": a HEAD request for the model's file (no redirect followed), ≤ 2 s, proxies and offline honoured. */
export const hubCheck: DoctorCheck = {
  id: "hub",
  title: "Model hub",
  timeoutMs: HUB_TIMEOUT_MS + 1000,
  run: async (context): Promise<DoctorResult> => {
    const base = { id: "hub", title: "Model hub" };
    if (isOffline({ config: context.config, env: context.env }))
      return {
        ...base,
        status: "ok",
        message: "not checked: offline (HF_HUB_OFFLINE, --offline or config offline)",
      };
    const url = hubProbeUrl(context);
    const target = new URL(url);
    const [{ fetch }, { createProxyDispatcher, dispatcherProxyFor }] = await Promise.all([
      import("undici"),
      import("../../proxy-dispatcher.js"),
    ]);
    const dispatcher = createProxyDispatcher({ env: context.env, target });
    const proxy = dispatcherProxyFor(dispatcher, target);
    const via = proxy === undefined ? "" : ` through the proxy at ${proxy.host}`;
    const details = { url, proxy: proxy?.origin ?? null };
    const token = huggingFaceToken(context.env);
    try {
      const response = await fetch(url, {
        method: "HEAD",
        redirect: "manual",
        dispatcher,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(HUB_TIMEOUT_MS),
      });
      const status = response.status;
      if (status < 400)
        return {
          ...base,
          status: "ok",
          message: `${target.origin} reachable${via} (HTTP ${status})`,
          details,
        };
      const fix =
        status === 401 || status === 403
          ? "Set HF_TOKEN to a Hugging Face token that may read this model."
          : status === 404
            ? "Check `model` (cmdai models list) and HF_ENDPOINT."
            : "The hub or a proxy in between is failing; try again later, or bring the file: `cmdai models import FILE.gguf`.";
      return {
        ...base,
        status: "warn",
        message: `${target.origin} answered HTTP ${status}${via}`,
        fix,
        details,
      };
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      const failure = classifyNetworkFailure(error, { url: target, proxy });
      const reason =
        name === "TimeoutError"
          ? `no answer within ${HUB_TIMEOUT_MS / 1000} s${via}`
          : (failure?.reason ?? (error instanceof Error ? error.message : String(error)));
      return {
        ...base,
        status: "warn",
        message: `Cannot reach ${target.origin}: ${reason}`,
        fix:
          proxy === undefined
            ? "Set HTTPS_PROXY if this network needs a proxy; without the hub, bring a model file: `cmdai models import FILE.gguf`."
            : "Check the proxy (HTTPS_PROXY / NO_PROXY); without the hub, bring a model file: `cmdai models import FILE.gguf`.",
        details,
      };
    } finally {
      void dispatcher.close();
    }
  },
};

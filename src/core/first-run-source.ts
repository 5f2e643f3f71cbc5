/**
 * The first request without a model: before the embedded backend asks for (or fails without) a 1 GiB
 * download, look for a model server already running on this machine. At a terminal the user chooses between
 * what was found and the download; without one, the error names the server. Nothing changes when a model is
 * installed, when the user chose a backend or model explicitly, or when a download was already agreed to.
 */
import {
  discoverLocalServers,
  switchCommands,
  describeServer,
  type DiscoveredServer,
  type DiscoveryOptions,
} from "../backends/discover-local-servers.js";
import { ModelError } from "../errors.js";
import { DEFAULT_MODEL_ID, findCatalogEntry } from "../models/catalog.js";
import { cachePaths, isCacheableReference, modelsRoot } from "../models/model-cache.js";
import { formatModelReference, parseModelReference } from "../models/model-reference.js";
import { findInstalledModel, isOffline, pullCommand } from "../models/resolve-model-file.js";
import { formatBytes } from "../format-bytes.js";
import type { RequestSetup } from "./request-setup.js";

/** What the user is offered: the servers found and, unless offline, the download. */
export interface ModelSourceOffer {
  servers: DiscoveredServer[];
  /** Absent when offline. */
  download?: { reference: string; sizeBytes?: number | undefined; destination: string } | undefined;
}

/** The user's pick: one of the servers, the download, or neither. */
export type ModelSourcePick =
  { kind: "server"; server: DiscoveredServer } | { kind: "download" } | { kind: "cancel" };

/** Asks the user (at a terminal) which source to use. */
export type ChooseModelSource = (offer: ModelSourceOffer) => Promise<ModelSourcePick>;

/** How the request goes on. */
export interface FirstRunSettlement {
  setup: RequestSetup;
  /** The user agreed to the download here: the backend must not ask again. */
  downloadAgreed: boolean;
  /** The server chosen for this request, if any (the CLI says how to keep it). */
  server?: DiscoveredServer | undefined;
}

/** The model a found server should answer with: a coder or chat model rather than an embedding model. */
export function preferredModel(server: DiscoveredServer): string | undefined {
  const usable = server.models.filter((name) => !/embed|rerank|whisper|clip/i.test(name));
  return usable.find((name) => /coder|code/i.test(name)) ?? usable[0];
}

/** The setup that sends this request to `server`, with a model it lists. */
export function setupForServer(setup: RequestSetup, server: DiscoveredServer): RequestSetup {
  const model = preferredModel(server);
  const config =
    server.backend === "ollama"
      ? {
          ...setup.config,
          backend: server.backend,
          ollama: { ...setup.config.ollama, host: server.baseUrl, model },
        }
      : {
          ...setup.config,
          backend: server.backend,
          openai: { ...setup.config.openai, base_url: server.baseUrl, model },
        };
  // Explicit: a failure on the chosen server is reported, not answered by a fallback that downloads.
  return { ...setup, config, backendIsExplicit: true, modelOverride: undefined };
}

/** The missing model the embedded backend would download, or undefined when there is nothing to settle. */
async function missingDownloadableModel(
  setup: RequestSetup,
  assumeYes: boolean,
): Promise<{ reference: string; destination: string; sizeBytes?: number | undefined } | undefined> {
  if (setup.config.backend !== "embedded" || setup.backendIsExplicit || setup.modelOverride !== undefined)
    return undefined;
  if (assumeYes || setup.config.auto_download) return undefined;
  const text = setup.config.model ?? DEFAULT_MODEL_ID;
  let reference;
  try {
    reference = parseModelReference(text, setup.cwd);
  } catch {
    return undefined; // the backend reports a malformed reference as it always has
  }
  if (reference.kind !== "hf" && reference.kind !== "url") return undefined;
  if ((await findInstalledModel(reference, { config: setup.config, paths: setup.paths })) !== undefined)
    return undefined;
  const entry =
    reference.kind === "hf" && reference.catalogId !== undefined
      ? findCatalogEntry(reference.catalogId)
      : undefined;
  const destination = isCacheableReference(reference)
    ? (cachePaths(reference, modelsRoot(setup.config, setup.paths))[0] ?? "")
    : "";
  return { reference: formatModelReference(reference), destination, sizeBytes: entry?.sizeBytes };
}

/** Options of {@link settleFirstRun}. */
export interface FirstRunOptions {
  /** `--yes`: the download is agreed to already. */
  assumeYes: boolean;
  /** Given at a terminal; without it a found server is named in the error. */
  choose?: ChooseModelSource | undefined;
  signal?: AbortSignal | undefined;
  /** Discovery, replaceable in tests. */
  discover?: ((options: DiscoveryOptions) => Promise<DiscoveredServer[]>) | undefined;
}

/** Settle where the first request's answer comes from when no model is installed (see the module comment). */
export async function settleFirstRun(
  setup: RequestSetup,
  options: FirstRunOptions,
): Promise<FirstRunSettlement> {
  const unchanged: FirstRunSettlement = { setup, downloadAgreed: false };
  const missing = await missingDownloadableModel(setup, options.assumeYes);
  if (missing === undefined) return unchanged;
  const discover = options.discover ?? discoverLocalServers;
  const servers = (await discover({ env: setup.env, config: setup.config, signal: options.signal })).filter(
    (server) => preferredModel(server) !== undefined,
  );
  if (servers.length === 0) return unchanged;
  const offline = isOffline({ config: setup.config, env: setup.env });
  if (options.choose === undefined) throw serverInsteadError(missing, servers, offline);
  const pick = await options.choose({ servers, download: offline ? undefined : missing });
  switch (pick.kind) {
    case "server":
      return { setup: setupForServer(setup, pick.server), downloadAgreed: false, server: pick.server };
    case "download":
      return { setup, downloadAgreed: true };
    case "cancel":
      throw new ModelError("model_not_found", `No model chosen; ${missing.reference} is not downloaded.`, {
        hint: useServerHint(servers[0], missing.reference, offline),
      });
  }
}

function useServerHint(server: DiscoveredServer | undefined, reference: string, offline: boolean): string {
  const use =
    server === undefined ? "" : `To use ${server.product}: \`${switchCommands(server).join(" && ")}\``;
  const download = offline
    ? "or bring a model file: `cmdai models import FILE.gguf`"
    : `or download the model: \`${pullCommand(reference)}\``;
  return use === "" ? download.replace(/^or /, "") : `${use}; ${download}.`;
}

/** Without a terminal nobody can be asked: the error names what is running and how to use it. */
function serverInsteadError(
  missing: { reference: string; sizeBytes?: number | undefined },
  servers: DiscoveredServer[],
  offline: boolean,
): ModelError {
  const size = missing.sizeBytes === undefined ? "" : ` (${formatBytes(missing.sizeBytes)})`;
  const running = servers.map(describeServer).join("; ");
  return new ModelError(
    offline ? "offline" : "model_not_found",
    `Model ${missing.reference} is not downloaded yet${size}, but ${running} is running.`,
    { hint: useServerHint(servers[0], missing.reference, offline) },
  );
}

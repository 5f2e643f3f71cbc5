/**
 * The embedded backend as the CLI builds it: model references resolved by model management (catalog ids,
 * `hf:` references and URLs downloaded with consent; local paths as they are), and — when
 * `embedded.keep_alive > 0` — requests served by a warm background model server.
 */
import type * as EmbeddedBackendModule from "../backends/embedded/embedded-backend.js";
import type { ModelPathResolver } from "../backends/embedded/model-path.js";
import type { Backend } from "../backends/backend.js";
import type { BackendSettings } from "../backends/backend.js";
import { socketPathFor } from "../backends/warm-server/protocol.js";
import { WarmBackend, warmServerKey } from "../backends/warm-server/warm-backend.js";
import { runtimeDir } from "../config/paths.js";
import { DEFAULT_DRAFT_MODEL_ID, DEFAULT_MODEL_ID } from "../models/catalog.js";
import { resolveModelFile } from "../models/resolve-model-file.js";

/** The model reference the embedded backend uses: `--model`/`CMDAI_MODEL`, config `model`, the catalog default. */
export function embeddedModelReference(settings: BackendSettings): string {
  return settings.modelOverride ?? settings.config.model ?? DEFAULT_MODEL_ID;
}

/** A resolver that downloads (with consent) or finds the model file through model management. */
export function modelManagementResolver(settings: BackendSettings, cwd: string): ModelPathResolver {
  return async (reference, options) =>
    (
      await resolveModelFile(reference ?? DEFAULT_MODEL_ID, {
        config: settings.config,
        env: settings.env,
        paths: settings.paths,
        signal: options.signal,
        onProgress: settings.onProgress,
        confirmDownload: settings.confirmDownload,
        assumeYes: settings.assumeYes,
        cwd,
      })
    ).path;
}

/**
 * With `embedded.speculative = "draft"`, the settings with the draft model (config `draft_model`, else the
 * catalog's default draft) resolved to a local file: the warm server only opens local paths, and its key then
 * changes with the draft file.
 */
async function withResolvedDraft(
  settings: BackendSettings,
  resolveModelPath: ModelPathResolver,
): Promise<BackendSettings> {
  const embedded = settings.config.embedded;
  if (embedded.speculative !== "draft") return settings;
  const draftPath = await resolveModelPath(embedded.draft_model ?? DEFAULT_DRAFT_MODEL_ID, {});
  return { ...settings, config: { ...settings.config, embedded: { ...embedded, draft_model: draftPath } } };
}

/**
 * The in-process backend's module, imported only where it is used: a request the warm server answers does
 * not need it (~10 ms of a warm request's start).
 */
function loadInProcessBackend(): Promise<typeof EmbeddedBackendModule> {
  return import("../backends/embedded/embedded-backend.js");
}

/** Build the embedded backend for a CLI run. */
export async function createEmbeddedBackendForCli(
  cliSettings: BackendSettings,
  options: { version: string; cwd: string },
): Promise<Backend> {
  const resolveModelPath = modelManagementResolver(cliSettings, options.cwd);
  const settings = await withResolvedDraft(cliSettings, resolveModelPath);
  const useServer = settings.config.embedded.keep_alive > 0 && settings.warmServerEntry !== undefined;
  if (!useServer || settings.warmServerEntry === undefined) {
    const { createEmbeddedBackend } = await loadInProcessBackend();
    return createEmbeddedBackend(
      { ...settings, modelOverride: embeddedModelReference(settings) },
      { resolveModelPath },
    );
  }
  const modelPath = await resolveModelPath(embeddedModelReference(settings), {});
  const key = warmServerKey({ version: options.version, modelPath, config: settings.config });
  const inProcessSettings: BackendSettings = { ...settings, modelOverride: modelPath };
  return new WarmBackend({
    settings,
    entryScript: settings.warmServerEntry,
    spec: {
      socketPath: socketPathFor(runtimeDir(settings.paths), key),
      key,
      modelPath,
      config: settings.config,
      idleTimeoutMs: settings.config.embedded.keep_alive * 1000,
    },
    createInProcess: async () =>
      (await loadInProcessBackend()).createEmbeddedBackend(inProcessSettings, { resolveModelPath }),
  });
}

/**
 * The model cache (contents, partial downloads, free disk) and whether the default model is ready. The
 * default-model check takes a `ModelStatusProvider`, so the model catalog can supply a checksum-verified
 * answer; `scanModelCacheStatus` is the best-effort provider used until then (GGUF header, not checksum).
 */
import { formatBytes } from "../../format-bytes.js";
import type { Dirent } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { modelsDir } from "../../config/paths.js";
import type { DoctorCheck, DoctorContext, DoctorResult } from "./doctor-check.js";
import { embeddedInUse } from "./llama-check.js";

/** Free space below which downloads of the default model (~1 GiB) become risky. */
export const LOW_DISK_BYTES = 2 * 1024 ** 3;

/** Suffixes of unfinished downloads: our own `.part`, and node-llama-cpp's downloader's `.ipull`. */
const PARTIAL_SUFFIXES = [".part", ".ipull"];

/** One file in the model cache. */
export interface CachedModelFile {
  /** Path relative to the cache folder. */
  name: string;
  bytes: number;
  partial: boolean;
}

/** The readiness of the model the embedded backend would use. */
export interface DefaultModelStatus {
  /** The model as configured (catalog id, path, or "(default)"). */
  model: string;
  /** verified: checksum matched · present: a GGUF file is there · partial: a download was interrupted. */
  state: "verified" | "present" | "partial" | "missing" | "corrupt" | "not-needed";
  path?: string | undefined;
  /** One line shown with the state. */
  detail?: string | undefined;
  /** The fix, for partial / missing / corrupt; a default is used when absent. */
  fix?: string | undefined;
}

/** Supplies the default model's status; the catalog (src/models) plugs in here. */
export type ModelStatusProvider = (context: DoctorContext) => Promise<DefaultModelStatus>;

/** The model folder in effect: `models.dir`, else `<cache>/models`. */
export function effectiveModelsDir(context: DoctorContext): string {
  return context.config.models.dir ?? modelsDir(context.paths);
}

/** `.gguf` and partial files under `folder` (a few levels deep); an absent folder is empty. */
export async function listModelCache(folder: string, depth = 4): Promise<CachedModelFile[]> {
  const found: CachedModelFile[] = [];
  const walk = async (current: string, level: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory() && level < depth) await walk(full, level + 1);
      const lower = entry.name.toLowerCase();
      const partial = PARTIAL_SUFFIXES.some((suffix) => lower.endsWith(suffix));
      if ((entry.isFile() || entry.isSymbolicLink()) && (lower.endsWith(".gguf") || partial)) {
        const stats = await fs.stat(full).catch(() => undefined);
        found.push({ name: path.relative(folder, full), bytes: stats?.size ?? 0, partial });
      }
    }
  };
  await walk(folder, 0);
  return found.sort((left, right) => left.name.localeCompare(right.name));
}

/** Free bytes on the file system holding `folder` (or its nearest existing parent). */
export async function freeDiskBytes(folder: string): Promise<number | undefined> {
  let current = folder;
  for (;;) {
    try {
      const stats = await fs.statfs(current);
      return stats.bavail * stats.bsize;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return undefined;
      current = parent;
    }
  }
}

/** Whether a file starts with the GGUF magic bytes. */
export async function hasGgufHeader(file: string): Promise<boolean> {
  const handle = await fs.open(file, "r");
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return bytesRead === 4 && buffer.toString("latin1") === "GGUF";
  } finally {
    await handle.close();
  }
}

/** Best-effort default-model status from the cache folder alone (no catalog): GGUF header, not checksum. */
export const scanModelCacheStatus: ModelStatusProvider = async (context) => {
  const configured = context.config.model;
  if (!embeddedInUse(context.config)) {
    return {
      model: configured ?? "(default)",
      state: "not-needed",
      detail: `backend is ${context.config.backend}`,
    };
  }
  if (
    configured !== undefined &&
    configured.toLowerCase().endsWith(".gguf") &&
    !configured.startsWith("hf:")
  ) {
    const file = path.resolve(configured);
    const exists = await fs.stat(file).then(
      (stats) => stats.isFile(),
      () => false,
    );
    if (!exists)
      return {
        model: configured,
        state: "missing",
        path: file,
        fix: `Check the path, or remove \`model\` from the config to use the default.`,
      };
    return (await hasGgufHeader(file))
      ? { model: configured, state: "present", path: file }
      : { model: configured, state: "corrupt", path: file, detail: "not a GGUF file" };
  }
  const folder = effectiveModelsDir(context);
  const files = await listModelCache(folder);
  const complete = files.filter((file) => !file.partial);
  for (const file of complete) {
    const full = path.join(folder, file.name);
    if (await hasGgufHeader(full)) return { model: configured ?? "(default)", state: "present", path: full };
  }
  if (complete.length > 0) {
    return {
      model: configured ?? "(default)",
      state: "corrupt",
      path: path.join(folder, complete[0]?.name ?? ""),
      detail: "the cached .gguf file has no GGUF header",
      fix: `Delete it and let cmdai download the model again: ${path.join(folder, complete[0]?.name ?? "")}`,
    };
  }
  if (files.some((file) => file.partial))
    return { model: configured ?? "(default)", state: "partial", path: folder };
  return { model: configured ?? "(default)", state: "missing", path: folder };
};

const DOWNLOAD_FIX =
  'Run `cmdai "list files"` once and accept the download (or set auto_download = true); offline: copy a .gguf file and pass `--model PATH`.';

/** The default-model check, over any status provider. */
export function defaultModelCheck(provider: ModelStatusProvider = scanModelCacheStatus): DoctorCheck {
  return {
    id: "model",
    title: "Default model",
    timeoutMs: 10_000,
    run: async (context): Promise<DoctorResult> => {
      const status = await provider(context);
      const base = { id: "model", title: "Default model", details: { ...status } };
      const where = status.path === undefined ? "" : ` (${status.path})`;
      switch (status.state) {
        case "verified":
          return { ...base, status: "ok", message: `${status.model} present, checksum verified${where}` };
        case "present":
          return { ...base, status: "ok", message: `${status.model} present, GGUF header valid${where}` };
        case "not-needed":
          return {
            ...base,
            status: "ok",
            message: `not needed: ${status.detail ?? "embedded backend not in use"}`,
          };
        case "partial":
          return {
            ...base,
            status: "warn",
            message: `${status.model}: an interrupted download is in the cache${where}`,
            fix: status.fix ?? 'Run `cmdai "list files"` again to resume the download.',
          };
        case "missing":
          return {
            ...base,
            status: "warn",
            message: `${status.model} not downloaded yet${where}`,
            fix: status.fix ?? DOWNLOAD_FIX,
          };
        case "corrupt":
          return {
            ...base,
            status: "fail",
            message: `${status.model} is damaged: ${status.detail ?? "verification failed"}${where}`,
            fix: status.fix ?? "Delete the file and let cmdai download it again.",
          };
      }
    },
  };
}

export const modelCacheCheck: DoctorCheck = {
  id: "model-cache",
  title: "Model cache",
  timeoutMs: 10_000,
  run: async (context): Promise<DoctorResult> => {
    const folder = effectiveModelsDir(context);
    const [files, free] = await Promise.all([listModelCache(folder), freeDiskBytes(folder)]);
    const complete = files.filter((file) => !file.partial);
    const partial = files.filter((file) => file.partial);
    const used = files.reduce((sum, file) => sum + file.bytes, 0);
    const contents =
      files.length === 0
        ? "empty"
        : `${complete.length} model file(s)${partial.length > 0 ? `, ${partial.length} partial download(s)` : ""}, ${formatBytes(used)}`;
    const details = { folder, files, usedBytes: used, freeBytes: free ?? null };
    const freeText = free === undefined ? "free space unknown" : `${formatBytes(free)} free`;
    if (free !== undefined && free < LOW_DISK_BYTES) {
      return {
        id: "model-cache",
        title: "Model cache",
        status: "warn",
        message: `${folder}: ${contents}; only ${freeText} (the default model needs about 1 GiB)`,
        fix: "Free some disk space, or point models.dir at a bigger disk: `cmdai config set models.dir /path`.",
        details,
      };
    }
    return {
      id: "model-cache",
      title: "Model cache",
      status: "ok",
      message: `${folder}: ${contents}; ${freeText}`,
      details,
    };
  },
};

/**
 * node-llama-cpp's `getLlama`, without its binary test once that test has passed on this machine.
 *
 * On Linux, `getLlama` tests a prebuilt binary before every load: it forks a second Node process that loads
 * the addon and starts llama.cpp's backends, so that an addon the machine cannot run fails there and not in
 * the caller. Measured on the 2-core VM: the fork takes 0.5–0.55 s (Node's start and node-llama-cpp's
 * modules in the child; the addon itself loads in ~20 ms). That is most of `getLlama`'s ~0.6 s, on every cold
 * request and every warm-server start, for the same binary on the same machine each time.
 *
 * So the first start goes through `getLlama`, test included, and notes which addon it loaded. A later start
 * with the same addon file (path, size, times, inode), the same node-llama-cpp and Node, on the same machine
 * (host name, kernel, CPU model and count, GPU device nodes) loads that addon directly through node-llama-cpp's
 * own `Llama._create`, as `getLlama` does after its test: ~20 ms. Anything that does not match, a record that
 * cannot be read, or a direct start that fails, goes back to `getLlama`.
 *
 * Only CPU addons are noted (`gpu = false` in their build metadata, and `gpu` off or auto): a GPU build is
 * where a binary and a driver can stop fitting each other, so it keeps the test. With `gpu = "auto"` a note
 * also expires after a day, so a GPU driver installed since is found by the full search again.
 * `Llama._create` is internal to the exactly pinned package; a test fails if it is gone, and then every
 * start just takes `getLlama`'s way.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import Module, { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type * as NodeLlamaCppModule from "node-llama-cpp";
import type { Llama, LlamaLogLevel } from "node-llama-cpp";
import { fileIdentity, replaceFile } from "../../cache-files.js";

type NodeLlamaCpp = typeof NodeLlamaCppModule;

/** Bump when what a record holds, or what it stands for, changes. */
const RECORD_VERSION = 1;

/** How long a note made with `gpu = "auto"` is trusted: a GPU set up since is found within a day. */
export const AUTO_GPU_RECORD_TTL_MS = 24 * 60 * 60 * 1000;

const RECORD_FILE = "llama-binary.json";

/** The build metadata node-llama-cpp ships beside each prebuilt addon. */
const BUILD_METADATA_FILE = "_nlcBuildMetadata.json";

export interface StartLlamaOptions {
  gpu: "auto" | "metal" | "cuda" | "vulkan" | false;
  maxThreads: number;
  logLevel: LlamaLogLevel;
  logger: (level: LlamaLogLevel, message: string) => void;
  /** Where the note of a tested addon is kept. */
  cacheDirectory: string;
  /** Verbose lines (`-v`). */
  log: (message: string) => void;
}

export interface StartedLlama {
  llama: Llama;
  /** "tested": through getLlama and its binary test; "noted": the addon that passed it before, directly. */
  via: "tested" | "noted";
}

/** What a start was noted against: change any of it and the addon is tested again. */
export interface MachineFacts {
  nodeLlamaCpp: string;
  node: string;
  moduleAbi: string;
  platform: string;
  arch: string;
  kernel: string;
  host: string;
  cpu: string;
  cpuCount: number;
  gpuDevices: string[];
  gpu: StartLlamaOptions["gpu"];
}

export interface LlamaBinaryRecord {
  version: number;
  machine: string;
  bindingPath: string;
  /** The addon file's identity ({@link fileIdentity}): a reinstall or an upgrade changes it. */
  binary: string;
  notedAt: number;
}

/** What a record is checked against at a start. */
export interface RecordContext {
  machine: string;
  /** The noted addon file's identity now; undefined when it is gone. */
  binary: string | undefined;
  gpu: StartLlamaOptions["gpu"];
  now: number;
}

/** A stable digest of the facts a record was noted against. */
export function machineKey(facts: MachineFacts): string {
  return createHash("sha256")
    .update(JSON.stringify([RECORD_VERSION, facts]))
    .digest("hex");
}

/**
 * Whether `record` may stand in for the binary test: the same machine key, the same addon file, and (with
 * `gpu = "auto"`) younger than {@link AUTO_GPU_RECORD_TTL_MS}. Pure, for the table tests.
 */
export function recordApplies(record: unknown, current: RecordContext): record is LlamaBinaryRecord {
  if (typeof record !== "object" || record === null) return false;
  const candidate = record as Partial<LlamaBinaryRecord>;
  if (candidate.version !== RECORD_VERSION || candidate.machine !== current.machine) return false;
  if (typeof candidate.bindingPath !== "string" || !path.isAbsolute(candidate.bindingPath)) return false;
  if (typeof candidate.notedAt !== "number" || candidate.notedAt > current.now) return false;
  if (current.gpu === "auto" && current.now - candidate.notedAt >= AUTO_GPU_RECORD_TTL_MS) return false;
  return current.binary !== undefined && candidate.binary === current.binary;
}

/** Device nodes a GPU driver creates (NVIDIA, DRM render nodes, AMD's KFD): a driver set up changes them. */
async function gpuDeviceNodes(): Promise<string[]> {
  const names: string[] = [];
  const list = async (folder: string, keep: (name: string) => boolean): Promise<void> => {
    try {
      for (const name of await fs.readdir(folder)) if (keep(name)) names.push(path.join(folder, name));
    } catch {
      // No such folder: no such devices.
    }
  };
  await list("/dev", (name) => name.startsWith("nvidia") || name === "kfd" || name === "dxg");
  await list("/dev/dri", (name) => name.startsWith("renderD"));
  return names.sort();
}

async function machineFacts(library: NodeLlamaCpp, gpu: StartLlamaOptions["gpu"]): Promise<MachineFacts> {
  const cpus = os.cpus();
  return {
    nodeLlamaCpp: await library.getModuleVersion(),
    node: process.versions.node,
    moduleAbi: process.versions.modules,
    platform: process.platform,
    arch: process.arch,
    kernel: os.release(),
    host: os.hostname(),
    cpu: cpus[0]?.model ?? "",
    cpuCount: cpus.length,
    gpuDevices: await gpuDeviceNodes(),
    gpu,
  };
}

interface BuildMetadata {
  buildOptions: { gpu: unknown; customCmakeOptions: unknown; llamaCpp: { repo: string; release: string } };
}

async function readBuildMetadata(bindingPath: string): Promise<BuildMetadata | undefined> {
  try {
    const parsed = JSON.parse(
      await fs.readFile(path.join(path.dirname(bindingPath), BUILD_METADATA_FILE), "utf8"),
    ) as Partial<BuildMetadata>;
    const options = parsed.buildOptions;
    if (
      options === undefined ||
      typeof (options.llamaCpp as { release?: unknown } | undefined)?.release !== "string"
    )
      return undefined;
    return parsed as BuildMetadata;
  } catch {
    return undefined;
  }
}

type CreateLlama = (options: Record<string, unknown>) => Promise<Llama>;

/** node-llama-cpp's internal factory, or undefined when this version has none. */
function internalFactory(library: NodeLlamaCpp): CreateLlama | undefined {
  const factory = (library.Llama as unknown as { _create?: unknown })._create;
  return typeof factory === "function" ? (factory.bind(library.Llama) as CreateLlama) : undefined;
}

/** Whether this node-llama-cpp still has what a direct start needs (tested, so an upgrade cannot drop it). */
export function canStartDirectly(library: NodeLlamaCpp): boolean {
  return internalFactory(library) !== undefined;
}

/** RAM held back from node-llama-cpp's memory checks: its own default on Linux (a quarter, at most 1 GiB). */
function linuxRamPadding(totalRam: number): number {
  return Math.floor(Math.min(totalRam * 0.25, 1024 * 1024 * 1024));
}

const requireAddon = createRequire(import.meta.url);

/** A fresh instance of the addon, as node-llama-cpp loads it (each Llama has its own logger). */
function loadAddon(bindingPath: string): unknown {
  const forget = (): void => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the addon's entry, keyed by its path
      delete requireAddon.cache[requireAddon.resolve(bindingPath)];
    } catch {
      // Not cached.
    }
  };
  forget();
  try {
    return requireAddon(bindingPath);
  } finally {
    forget();
  }
}

async function startNoted(
  library: NodeLlamaCpp,
  record: LlamaBinaryRecord,
  options: StartLlamaOptions,
): Promise<Llama | undefined> {
  const factory = internalFactory(library);
  const metadata = await readBuildMetadata(record.bindingPath);
  if (factory === undefined || metadata?.buildOptions.gpu !== false) return undefined;
  return factory({
    bindings: loadAddon(record.bindingPath),
    bindingPath: record.bindingPath,
    buildType: "prebuilt",
    buildMetadata: metadata,
    logLevel: options.logLevel,
    logger: options.logger,
    maxThreads: options.maxThreads,
    vramPadding: 0,
    ramPadding: linuxRamPadding,
    skipLlamaInit: false,
    debug: false,
    numa: false,
    tempDir: false,
  });
}

type NodeExtensionLoader = (module: unknown, filename: string) => unknown;

/**
 * `getLlama`, noting the native addons it loads: node-llama-cpp loads the one that passed its test with
 * `require`, which runs Node's `.node` loader in this process (the test's own load is in the child).
 */
async function getLlamaNotingAddons(
  library: NodeLlamaCpp,
  options: StartLlamaOptions,
): Promise<{ llama: Llama; addons: string[] }> {
  const extensions = (Module as unknown as { _extensions?: Record<string, NodeExtensionLoader> })._extensions;
  const original = extensions?.[".node"];
  const addons: string[] = [];
  if (extensions !== undefined && original !== undefined) {
    extensions[".node"] = function (this: unknown, module: unknown, filename: string): unknown {
      addons.push(filename);
      return original.call(this, module, filename);
    };
  }
  try {
    const llama = await library.getLlama({
      build: "never",
      gpu: options.gpu,
      maxThreads: options.maxThreads,
      logLevel: options.logLevel,
      logger: options.logger,
      progressLogs: false,
    });
    return { llama, addons };
  } finally {
    if (extensions !== undefined && original !== undefined) extensions[".node"] = original;
  }
}

async function writeRecord(file: string, record: LlamaBinaryRecord): Promise<void> {
  try {
    await replaceFile(file, JSON.stringify(record));
  } catch {
    // A read-only cache: the next start tests again.
  }
}

async function readRecord(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, "utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Start llama.cpp: directly with the addon noted on an earlier start when everything it was noted against
 * still holds, else through `getLlama` (noting the addon when it is a CPU prebuilt). Errors are
 * `getLlama`'s own.
 */
export async function startLlama(library: NodeLlamaCpp, options: StartLlamaOptions): Promise<StartedLlama> {
  const recordFile = path.join(options.cacheDirectory, RECORD_FILE);
  const eligible =
    (options.gpu === false || options.gpu === "auto") &&
    process.platform === "linux" &&
    process.env.NODE_LLAMA_CPP_DEBUG === undefined &&
    canStartDirectly(library);
  const machine = eligible ? machineKey(await machineFacts(library, options.gpu)) : "";
  if (eligible) {
    const record = await readRecord(recordFile);
    const bindingPath =
      typeof record === "object" && record !== null
        ? (record as { bindingPath?: unknown }).bindingPath
        : undefined;
    const binary = typeof bindingPath === "string" ? await fileIdentity(bindingPath) : undefined;
    if (recordApplies(record, { machine, binary, gpu: options.gpu, now: Date.now() })) {
      try {
        const llama = await startNoted(library, record, options);
        if (llama !== undefined) return { llama, via: "noted" };
      } catch (error) {
        options.log(
          `embedded: the noted llama.cpp addon did not start (${(error as Error).message}); testing it again`,
        );
      }
      await fs.rm(recordFile, { force: true }).catch(() => undefined);
    }
  }
  const { llama, addons } = await getLlamaNotingAddons(library, options);
  const bindingPath = addons.at(-1);
  if (eligible && bindingPath !== undefined && llama.gpu === false && llama.buildType === "prebuilt") {
    const binary = await fileIdentity(bindingPath);
    const metadata = await readBuildMetadata(bindingPath);
    if (binary !== undefined && metadata?.buildOptions.gpu === false) {
      await writeRecord(recordFile, {
        version: RECORD_VERSION,
        machine,
        bindingPath: path.resolve(bindingPath),
        binary,
        notedAt: Date.now(),
      });
    }
  }
  return { llama, via: "tested" };
}

/**
 * The model catalog as versioned data: the models cmdai knows by a short id, with what a user needs to pick
 * one (download size, memory, licence, published quality). Bump {@link CATALOG_VERSION} whenever an entry's
 * reference or numbers change, so caches and docs can tell which catalog they were made from.
 */
import { formatBytes } from "../format-bytes.js";

/** Increases whenever an entry is added, removed or changed. */
export const CATALOG_VERSION = 1;

/** One catalog model. */
export interface CatalogEntry {
  /** Short id used on the command line and in config, e.g. `qwen2.5-coder-1.5b`. */
  id: string;
  /** Full reference: `hf:owner/repo/file.gguf`. */
  reference: string;
  /** One line for `cmdai models list`. */
  description: string;
  /** Download size in bytes (the GGUF file as published). */
  sizeBytes: number;
  /** Memory needed to load and run it with a small context, in bytes (RAM on CPU, VRAM when offloaded). */
  memoryBytes: number;
  /** SPDX licence id. */
  licence: string;
  /** Published NL2SH-ALFA accuracy (0–1), the quality signal the recommendation trades against memory. */
  nl2shAlfa: number;
  /**
   * The published file exactly, when recorded: a file imported with `cmdai models import` that has this size
   * and digest becomes this entry without `--as`. `sizeBytes` above is only the rounded download size.
   */
  file?: { sizeBytes: number; sha256: string } | undefined;
}

const MEBIBYTE = 1024 * 1024;

/** Every model cmdai knows by id, smallest first. */
export const CATALOG: readonly CatalogEntry[] = [
  {
    id: "qwen2.5-coder-0.5b",
    reference: "hf:Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    description: "Smallest and fastest; for machines with little memory.",
    sizeBytes: 398 * MEBIBYTE,
    memoryBytes: 900 * MEBIBYTE,
    licence: "Apache-2.0",
    nl2shAlfa: 0.36,
  },
  {
    id: "qwen2.5-coder-1.5b",
    reference: "hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    description: "Default: good commands at interactive speed on a laptop CPU.",
    sizeBytes: 1066 * MEBIBYTE,
    memoryBytes: 2000 * MEBIBYTE,
    licence: "Apache-2.0",
    nl2shAlfa: 0.5,
  },
  {
    id: "qwen2.5-coder-3b",
    reference: "hf:Qwen/Qwen2.5-Coder-3B-Instruct-GGUF/qwen2.5-coder-3b-instruct-q4_k_m.gguf",
    description: "Better quality; slower on CPU.",
    sizeBytes: 2005 * MEBIBYTE,
    memoryBytes: 3200 * MEBIBYTE,
    licence: "Qwen-Research",
    nl2shAlfa: 0.58,
  },
  {
    id: "qwen2.5-coder-7b",
    reference: "hf:Qwen/Qwen2.5-Coder-7B-Instruct-GGUF/qwen2.5-coder-7b-instruct-q4_k_m.gguf",
    description: "Best quality; wants a GPU or a fast CPU with plenty of memory.",
    sizeBytes: 4683 * MEBIBYTE,
    memoryBytes: 6500 * MEBIBYTE,
    licence: "Apache-2.0",
    nl2shAlfa: 0.62,
  },
];

/** The catalog id used when nothing else is configured. */
export const DEFAULT_MODEL_ID = "qwen2.5-coder-1.5b";

/**
 * The draft model for `embedded.speculative = "draft"` when `embedded.draft_model` is unset: the smallest
 * catalog model, which shares the Qwen2.5 tokenizer with every larger one.
 */
export const DEFAULT_DRAFT_MODEL_ID = "qwen2.5-coder-0.5b";

/** The catalog entry with this id (case-insensitive), or undefined. */
export function findCatalogEntry(id: string): CatalogEntry | undefined {
  const wanted = id.trim().toLowerCase();
  return CATALOG.find((entry) => entry.id === wanted);
}

/** The default catalog entry. */
export function defaultCatalogEntry(): CatalogEntry {
  const entry = findCatalogEntry(DEFAULT_MODEL_ID);
  if (entry === undefined) throw new Error(`The catalog has no default entry ${DEFAULT_MODEL_ID}.`);
  return entry;
}

/** What the machine has to offer, for {@link recommendModel}. */
export interface MachineMemory {
  /** Free (available) RAM in bytes, e.g. `os.freemem()`. */
  freeMemoryBytes: number;
  /** Free GPU memory in bytes, when known. A GPU with room for a model wins over RAM. */
  freeVramBytes?: number | undefined;
}

/** A recommendation and why. */
export interface ModelRecommendation {
  entry: CatalogEntry;
  reason: string;
}

/**
 * The best-quality catalog model that fits in the memory available, keeping a quarter of it as headroom for
 * the rest of the system. Falls back to the smallest model when nothing fits, saying so.
 */
export function recommendModel(memory: MachineMemory): ModelRecommendation {
  const usableRam = memory.freeMemoryBytes * 0.75;
  const usableVram = (memory.freeVramBytes ?? 0) * 0.9;
  const fitting = CATALOG.filter((entry) => entry.memoryBytes <= Math.max(usableRam, usableVram));
  // Beyond 1.5B, CPU-only inference gets slow enough to hurt an interactive tool, so larger models are
  // recommended only when the GPU can hold them.
  const interactive = fitting.filter(
    (entry) => entry.memoryBytes <= usableVram || entry.nl2shAlfa <= defaultCatalogEntry().nl2shAlfa,
  );
  const best = interactive.at(-1);
  const smallest = CATALOG[0];
  if (best !== undefined) {
    const onGpu = best.memoryBytes <= usableVram;
    return {
      entry: best,
      reason: `fits in ${formatBytes(onGpu ? (memory.freeVramBytes ?? 0) : memory.freeMemoryBytes)} free ${onGpu ? "VRAM" : "RAM"}`,
    };
  }
  if (smallest === undefined) throw new Error("The catalog is empty.");
  return {
    entry: smallest,
    reason: `only ${formatBytes(memory.freeMemoryBytes)} RAM free; the smallest model may still be slow`,
  };
}

// One formatter for every byte count shown to the user (models, downloads, previews).
export { formatBytes };

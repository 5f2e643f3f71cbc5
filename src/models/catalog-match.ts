/**
 * Whether a file the user brought is a catalog model. An entry that records its published file exactly
 * (`file.sizeBytes` + `file.sha256`) is matched on both; one that records only its rounded download size is
 * matched on size within a tolerance, which tells a different model or quantization (they differ by far
 * more) from rounding, so `--as qwen2.5-coder-1.5b` on the 0.5B file or a Q8_0 is refused.
 */
import { CATALOG, formatBytes, type CatalogEntry } from "./catalog.js";

/** How far a file may be from an entry's rounded `sizeBytes` when the entry records no exact size. */
export const CATALOG_SIZE_TOLERANCE = 0.1;

/** What is known about the file. `sha256` may be missing when it has not been computed (yet). */
export interface FileFacts {
  sizeBytes: number;
  sha256?: string | undefined;
}

/**
 * Why the file is not `entry`'s model, or undefined when it may be. Without `facts.sha256`, only the size is
 * compared; call it again with the digest when {@link needsDigest} says so.
 */
export function catalogMismatch(entry: CatalogEntry, facts: FileFacts): string | undefined {
  if (entry.file !== undefined) {
    if (facts.sizeBytes !== entry.file.sizeBytes) {
      return `its size ${facts.sizeBytes} bytes differs from the ${entry.file.sizeBytes} bytes recorded for ${entry.id}`;
    }
    if (facts.sha256 !== undefined && facts.sha256 !== entry.file.sha256) {
      return `its SHA-256 ${facts.sha256} differs from the ${entry.file.sha256} recorded for ${entry.id}`;
    }
    return undefined;
  }
  const off = Math.abs(facts.sizeBytes - entry.sizeBytes) / entry.sizeBytes;
  if (off > CATALOG_SIZE_TOLERANCE) {
    return `its size ${formatBytes(facts.sizeBytes)} is far from the ${formatBytes(entry.sizeBytes)} of ${entry.id}`;
  }
  return undefined;
}

/** Whether checking `entry` needs the file's SHA-256 (only entries that record one). */
export function needsDigest(entry: CatalogEntry): boolean {
  return entry.file !== undefined;
}

/** Entries whose exact recorded size is `sizeBytes`: the only ones worth hashing a file for. */
export function catalogCandidatesBySize(
  sizeBytes: number,
  catalog: readonly CatalogEntry[] = CATALOG,
): CatalogEntry[] {
  return catalog.filter((entry) => entry.file?.sizeBytes === sizeBytes);
}

/** The entry whose recorded file is exactly this one (size and SHA-256), or undefined. */
export function findCatalogMatch(
  facts: Required<FileFacts>,
  catalog: readonly CatalogEntry[] = CATALOG,
): CatalogEntry | undefined {
  return catalog.find(
    (entry) => entry.file?.sizeBytes === facts.sizeBytes && entry.file.sha256 === facts.sha256,
  );
}

/**
 * Configurations that passed the schema, remembered by what produced them. Validating with zod means loading
 * the schema library and building the schema: ~90 ms on the 2-core dev machine, paid by every `cmdai check`,
 * agent hook and request of a user who has a config file. The result depends only on the schema and the input
 * (file path and text, variables, flags), so it is stored under a hash of them in `<cache>/validated-config.json`
 * and reused until any of them changes.
 *
 * The schema's identity is a fingerprint the build computes from the config sources (`scripts/build.ts`); when
 * running from sources there is none, so nothing is cached unless a caller passes a fingerprint (tests do).
 * Only successful validations are stored: a broken config is reported by the schema every time.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { replaceFile } from "../cache-files.js";
import type { Config } from "./schema.js";

/** Where and under which schema identity validated configurations are kept. */
export interface ValidatedConfigCache {
  directory: string;
  /** Changes whenever the schema or the validation code may change. */
  fingerprint: string;
}

/** A validated configuration and the warnings validation produced. */
export interface ValidatedConfig {
  config: Config;
  warnings: string[];
}

/** File name inside the cache directory. */
export const VALIDATED_CONFIG_FILE = "validated-config.json";

/** Entries kept: a few variants (say `--shell fish` now and then) without growing. */
const MAX_ENTRIES = 8;

declare const __CMDAI_CONFIG_FINGERPRINT__: string | undefined;

/** The cache in `directory` under the fingerprint the build injected; none when running from sources. */
export function defaultValidatedConfigCache(directory: string): ValidatedConfigCache | undefined {
  return typeof __CMDAI_CONFIG_FINGERPRINT__ === "string"
    ? { directory, fingerprint: __CMDAI_CONFIG_FINGERPRINT__ }
    : undefined;
}

/** The key of one validation: schema identity plus every input. */
export function validationKey(fingerprint: string, input: unknown): string {
  return createHash("sha256").update(fingerprint).update("\0").update(JSON.stringify(input)).digest("hex");
}

type Entries = Record<string, ValidatedConfig & { usedAt: number }>;

async function readEntries(file: string): Promise<Entries> {
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(file, "utf8"));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Entries) : {};
  } catch {
    return {};
  }
}

/** The remembered result for `key`, if any. */
export async function findValidatedConfig(
  cache: ValidatedConfigCache,
  key: string,
): Promise<ValidatedConfig | undefined> {
  const entry = (await readEntries(path.join(cache.directory, VALIDATED_CONFIG_FILE)))[key];
  if (typeof entry !== "object" || typeof entry.config !== "object" || !Array.isArray(entry.warnings)) {
    return undefined;
  }
  return { config: entry.config, warnings: entry.warnings };
}

/** Remember a result (atomically; a cache that cannot be written only costs speed). */
export async function storeValidatedConfig(
  cache: ValidatedConfigCache,
  key: string,
  value: ValidatedConfig,
): Promise<void> {
  const file = path.join(cache.directory, VALIDATED_CONFIG_FILE);
  try {
    const entries = await readEntries(file);
    entries[key] = { ...value, usedAt: Date.now() };
    const kept = Object.entries(entries)
      .sort(([, left], [, right]) => right.usedAt - left.usedAt)
      .slice(0, MAX_ENTRIES);
    await replaceFile(file, JSON.stringify(Object.fromEntries(kept)));
  } catch {
    // Read-only or full cache folder: validation simply runs again next time.
  }
}

/** `validate()`, or its remembered result for the same `input` under `cache` (no cache: always validate). */
export async function validateWithCache(
  cache: ValidatedConfigCache | undefined,
  input: unknown,
  validate: () => Promise<ValidatedConfig>,
): Promise<ValidatedConfig> {
  if (cache === undefined) return validate();
  const key = validationKey(cache.fingerprint, input);
  const remembered = await findValidatedConfig(cache, key);
  if (remembered !== undefined) return remembered;
  const validated = await validate();
  await storeValidatedConfig(cache, key, validated);
  return validated;
}

/**
 * A model file's header check, remembered: `validateModelFile` parses the whole GGUF header in JavaScript
 * (the Qwen tokenizer alone is 151k tokens and as many merges: ~450 ms on the 2-core VM), on every cold
 * request and in the warm server, for a file that has not changed since. The verdict is kept per file
 * identity — path, size, modification and change times, inode — so a file written again (which moves its
 * ctime, whatever its mtime says) is checked again. Only usable files are remembered; a broken one is
 * checked, and refused, every time.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileIdentity, replaceFile } from "../../cache-files.js";
import { validateModelFile, type ValidatedModel } from "./model-validation.js";

/** Bump when validateModelFile checks more: verdicts of older checks are then not trusted. */
const VALIDATION_RULES_VERSION = 1;

async function identityKey(filePath: string): Promise<{ key: string; absolute: string } | undefined> {
  const absolute = path.resolve(filePath);
  const identity = await fileIdentity(absolute);
  if (identity === undefined) return undefined;
  const key = createHash("sha256")
    .update(JSON.stringify([VALIDATION_RULES_VERSION, absolute, identity]))
    .digest("hex");
  return { key, absolute };
}

/**
 * {@link validateModelFile}, answered from `cacheDirectory` when this very file was found usable before.
 * A cache that cannot be read or written only costs the check.
 */
export async function validateModelFileCached(
  filePath: string,
  cacheDirectory: string,
): Promise<ValidatedModel> {
  const identity = await identityKey(filePath);
  if (identity === undefined) return validateModelFile(filePath);
  const folder = path.join(cacheDirectory, "validated-models");
  const record = path.join(folder, `${identity.key}.json`);
  try {
    const remembered = JSON.parse(await fs.readFile(record, "utf8")) as ValidatedModel;
    if (remembered.path === identity.absolute && typeof remembered.contextLength === "number")
      return remembered;
  } catch {
    // Not checked before, or an unreadable record: check the file.
  }
  const validated = await validateModelFile(filePath);
  try {
    await replaceFile(record, JSON.stringify(validated));
  } catch {
    // Read-only cache: the next run checks again.
  }
  return validated;
}

/**
 * Ids of imported models: what `cmdai --model <id>` and `config set model <id>` accept for a GGUF the user
 * brought. An id is also a file name in the cache (`<models dir>/local/<id>.gguf`), so its alphabet is kept to
 * what every file system and shell takes without quoting, and it can never be read as a path or a URL.
 */
import path from "node:path";
import { UsageError } from "../errors.js";

/** 1–64 characters of `a-z 0-9 . _ -`, starting and ending with a letter or digit. */
const MODEL_ID_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;

/** A quantization tag at the end of a file name (`.Q4_K_M`, `-q8_0`, `_IQ4_XS`, `-f16`, `.BF16`). */
const QUANTIZATION_SUFFIX = /[._-](?:i?q[1-8](?:_[a-z0-9]+)*|bf16|fp?16|fp?32)$/i;

export const MODEL_ID_RULES =
  "1 to 64 characters: lower-case letters, digits, '.', '_' and '-', starting and ending with a letter or digit, not ending in .gguf";

/** Whether `text` is already a valid id (lower case). */
export function isValidModelId(text: string): boolean {
  return MODEL_ID_PATTERN.test(text) && !text.endsWith(".gguf");
}

/** The id the user wrote, lower-cased; a `UsageError` naming the rules when it is not one. */
export function normalizeModelId(text: string): string {
  const id = text.trim().toLowerCase();
  if (!isValidModelId(id)) {
    throw new UsageError(`"${text}" is not a valid model id.`, { hint: `An id has ${MODEL_ID_RULES}.` });
  }
  return id;
}

/**
 * The default id of an imported file: its name without `.gguf` and without a trailing quantization tag,
 * lower-cased, with anything outside the id alphabet turned into `-`. So `My-Model.Q4_K_M.gguf` becomes
 * `my-model`, and `qwen2.5-coder-1.5b-instruct-q4_k_m.gguf` becomes `qwen2.5-coder-1.5b-instruct`. The tag
 * is dropped because ids name models, not files; a second quant of the same model needs `--as`. Returns
 * undefined when nothing usable is left (e.g. `___.gguf`).
 */
export function deriveModelId(filePath: string): string | undefined {
  const base = path.basename(filePath).replace(/\.gguf$/i, "");
  const withoutTag = base.replace(QUANTIZATION_SUFFIX, "");
  const tidy = (text: string): string =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/-{2,}/g, "-")
      .replace(/^[._-]+/, "")
      .slice(0, 64)
      .replace(/[._-]+$/, "");
  const id = tidy(withoutTag) === "" ? tidy(base) : tidy(withoutTag);
  return isValidModelId(id) ? id : undefined;
}

/**
 * Turning a model reference into a local file path. Catalog ids and `hf:` references belong to model
 * management (`src/models/`), whose resolver core plugs in (`core/create-embedded-backend.ts`); the fallback
 * here, for a backend built without one, accepts only existing local `.gguf` paths.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { expandHome } from "../../config/paths.js";
import { ModelError } from "../../errors.js";

/** Resolves a model reference (`--model`, `config.model`) to a local GGUF path, or throws a `ModelError`. */
export type ModelPathResolver = (
  reference: string | undefined,
  options: { signal?: AbortSignal | undefined },
) => Promise<string>;

const HINT = "Pass a local model file with --model /path/to/model.gguf.";

function looksLikePath(reference: string): boolean {
  return (
    reference.toLowerCase().endsWith(".gguf") ||
    reference.startsWith(".") ||
    reference.startsWith("~") ||
    path.isAbsolute(reference) ||
    reference.includes(path.sep)
  );
}

/**
 * The fallback resolver: an existing local file is used as is; a path that does not exist fails naming it; any
 * other reference (catalog id, `hf:`, URL) fails with `model_not_found`, since only model management's
 * resolver can fetch one.
 */
export const resolveLocalModelPath: ModelPathResolver = async (reference) => {
  if (reference === undefined || reference.trim() === "") {
    throw new ModelError("model_not_found", "No model is configured for the embedded backend.", {
      hint: HINT,
    });
  }
  const isUrlOrReference = !path.isAbsolute(reference) && /^[a-z][a-z0-9+.-]+:/i.test(reference);
  if (!looksLikePath(reference) || isUrlOrReference) {
    throw new ModelError(
      "model_not_found",
      `Model "${reference}" is not a local file and cannot be downloaded here.`,
      {
        hint: HINT,
      },
    );
  }
  const absolute = path.resolve(expandHome(reference));
  try {
    await fs.access(absolute);
  } catch (error) {
    throw new ModelError("model_not_found", `Model file not found: ${absolute}`, {
      hint: HINT,
      cause: error,
    });
  }
  return absolute;
};

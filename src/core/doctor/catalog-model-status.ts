/**
 * The default-model check backed by model management: the configured model (or the catalog default) is looked
 * up where cmdai would find it (local path, cmdai cache, Hugging Face cache), and a download's manifest says
 * whether its SHA-256 was verified and its size still matches.
 */
import fs from "node:fs/promises";
import { DEFAULT_MODEL_ID } from "../../models/catalog.js";
import { readManifest } from "../../models/model-cache.js";
import { parseModelReference } from "../../models/model-reference.js";
import { findInstalledModel, pullCommand } from "../../models/resolve-model-file.js";
import { hasGgufHeader, type DefaultModelStatus, type ModelStatusProvider } from "./model-checks.js";

export const catalogModelStatus: ModelStatusProvider = async (context): Promise<DefaultModelStatus> => {
  const usesEmbedded = context.config.backend === "embedded" || context.config.fallback.includes("embedded");
  const model = context.config.model ?? DEFAULT_MODEL_ID;
  if (!usesEmbedded) return { model, state: "not-needed", detail: `backend is ${context.config.backend}` };
  let reference;
  try {
    reference = parseModelReference(model);
  } catch (error) {
    return {
      model,
      state: "missing",
      detail: (error as Error).message,
      fix: "Set `model` to a catalog id, hf: reference, URL or .gguf path.",
    };
  }
  const installed = await findInstalledModel(reference, { config: context.config, paths: context.paths });
  if (installed === undefined) {
    if (reference.kind === "imported") {
      return {
        model,
        state: "missing",
        detail: `no model is imported as ${reference.id}`,
        fix: `Run \`cmdai models import FILE.gguf --as ${reference.id}\`, or set \`model\` to a catalog id (cmdai models list).`,
      };
    }
    return reference.kind === "local"
      ? {
          model,
          state: "missing",
          detail: `no file at ${reference.path}`,
          fix: "Check the path in `model` or --model.",
        }
      : {
          model,
          state: "missing",
          detail: "not downloaded yet",
          fix: `Run \`${pullCommand(model)}\` (or accept the download on first use).`,
        };
  }
  const manifest = await readManifest(installed.path);
  const size = (await fs.stat(installed.path).catch(() => undefined))?.size;
  if (manifest !== undefined && size !== manifest.sizeBytes) {
    return {
      model,
      state: "corrupt",
      path: installed.path,
      detail: `size ${size ?? 0} differs from the verified ${manifest.sizeBytes}`,
      fix: `Run \`cmdai models verify ${model}\` and pull it again.`,
    };
  }
  if (!(await hasGgufHeader(installed.path))) {
    return {
      model,
      state: "corrupt",
      path: installed.path,
      detail: "not a GGUF file (damaged or truncated)",
      fix: `Replace the file, or run \`cmdai models rm ${model}\` and pull it again.`,
    };
  }
  return manifest === undefined
    ? {
        model,
        state: "present",
        path: installed.path,
        detail: `found (${installed.source}); no download manifest to verify against`,
      }
    : {
        model,
        state: "verified",
        path: installed.path,
        detail: `SHA-256 ${manifest.sha256.slice(0, 12)}… verified at download`,
      };
};

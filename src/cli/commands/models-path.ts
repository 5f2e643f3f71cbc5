/**
 * `cmdai models path <ref>`: where a model's file is, or, when it is not there yet, where it belongs. The
 * path goes to stdout either way (exit 0), so on an air-gapped machine the file can be copied there by hand
 * and is then found like a download; a note on stderr says what is missing and how to get it.
 */
import fs from "node:fs/promises";
import type { PathEnvironment } from "../../config/paths.js";
import type { Config } from "../../config/schema.js";
import { ExitCode, UsageError } from "../../errors.js";
import { cachePaths, isCacheableReference, modelsRoot } from "../../models/model-cache.js";
import {
  formatModelReference,
  parseModelReference,
  type ModelReference,
} from "../../models/model-reference.js";
import { findInstalledModel, pullCommand } from "../../models/resolve-model-file.js";
import type { CliIo } from "../io.js";

export interface ModelsPathOptions {
  reference?: string | undefined;
  json?: boolean | undefined;
  config: Config;
  paths: PathEnvironment;
}

/** How to get the missing file there, for the stderr note. */
function howToGet(reference: ModelReference, files: string[]): string {
  const canonical = formatModelReference(reference);
  const parts = files.length > 1 ? ` (all ${files.length} parts of the split file, side by side)` : "";
  switch (reference.kind) {
    case "local":
      return `No file at ${canonical} yet.`;
    case "imported":
      return `No model is imported as ${canonical} yet: run \`cmdai models import FILE.gguf --as ${canonical}\`, or copy the .gguf file to this path.`;
    case "hf":
    case "url":
      return `${canonical} is not downloaded yet: run \`${pullCommand(canonical)}\`, or copy the .gguf file${parts} to this path (or \`cmdai models import FILE.gguf --as ${canonical}\`).`;
  }
}

export async function showModelPath(options: ModelsPathOptions, io: CliIo): Promise<number> {
  if (options.reference === undefined || options.reference.trim() === "") {
    throw new UsageError("`cmdai models path` needs a model reference.", {
      hint: "Name a catalog id (see `cmdai models list`), an imported id, hf:owner/repo/file.gguf or a URL.",
    });
  }
  const reference = parseModelReference(options.reference, io.cwd);
  const installed = await findInstalledModel(reference, { config: options.config, paths: options.paths });
  if (installed !== undefined) {
    if (options.json === true)
      io.stdout.write(`${JSON.stringify({ ...installed, installed: true }, null, 2)}\n`);
    else io.stdout.write(`${installed.path}\n`);
    return ExitCode.ok;
  }
  const files = isCacheableReference(reference)
    ? cachePaths(reference, modelsRoot(options.config, options.paths))
    : [reference.path];
  const first = files[0] ?? "";
  const occupied = (await fs.lstat(first).catch(() => undefined)) !== undefined;
  io.stderr.write(
    occupied
      ? `${first} is there but is not a whole model (its size differs from its manifest, or its GGUF header is invalid); replace it, or check it with \`cmdai models verify ${formatModelReference(reference)}\`.\n`
      : `${howToGet(reference, files)}\n`,
  );
  if (options.json === true) {
    const document = {
      path: first,
      files,
      reference: formatModelReference(reference),
      source: null,
      installed: false,
    };
    io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    io.stdout.write(`${first}\n`);
  }
  return ExitCode.ok;
}

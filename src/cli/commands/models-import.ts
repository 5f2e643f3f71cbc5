/**
 * `cmdai models import FILE.gguf [--as <id>] [--link] [--force]` (and `cmdai models pull ./FILE.gguf`): the
 * path of the imported model on stdout (or one JSON object), what happened and how to use it on stderr.
 */
import path from "node:path";
import { expandHome, type PathEnvironment } from "../../config/paths.js";
import type { Config } from "../../config/schema.js";
import { ExitCode, UsageError } from "../../errors.js";
import { DEFAULT_MODEL_ID, formatBytes } from "../../models/catalog.js";
import { importModel, type ImportedModelResult } from "../../models/import-model.js";
import { createDownloadProgressRenderer } from "../download-progress.js";
import type { CliIo } from "../io.js";

/** Files smaller than this copy in well under a second: no progress line. */
const PROGRESS_THRESHOLD_BYTES = 64 * 1024 * 1024;

export interface ModelsImportOptions {
  /** The file as the user typed it (relative to `io.cwd`, `~` allowed). */
  file: string | undefined;
  as?: string | undefined;
  link?: boolean | undefined;
  force?: boolean | undefined;
  json?: boolean | undefined;
  config: Config;
  paths: PathEnvironment;
  signal?: AbortSignal | undefined;
}

function describe(result: ImportedModelResult): string {
  const what = [result.architecture, result.name === undefined ? undefined : `"${result.name}"`]
    .filter((part) => part !== undefined)
    .join(", ");
  return `${what}, ${formatBytes(result.sizeBytes)}`;
}

function summary(result: ImportedModelResult): string {
  if (result.outcome === "already-imported") {
    return `${result.source} is already imported as ${result.id}; nothing to do.`;
  }
  const verb = result.linked ? "Linked" : "Imported";
  const lines = [
    `${verb} ${result.source} (${describe(result)}) as ${result.catalog ? "catalog model " : ""}${result.id}.`,
  ];
  if (result.linked) {
    lines.push(`${result.path} is a symlink to it: moving or deleting the original breaks the model.`);
  }
  lines.push(
    result.catalog && result.id === DEFAULT_MODEL_ID
      ? 'It is the default model: plain `cmdai "…"` requests now use it, with no download.'
      : `Use it with \`cmdai --model ${result.id}\`, or make it the default: \`cmdai config set model ${result.id}\`.`,
  );
  return `${lines.join("\n")}\n`;
}

/** Runs the import; returns the exit code (0, also when the same file was already imported). */
export async function runModelsImport(options: ModelsImportOptions, io: CliIo): Promise<number> {
  if (options.file === undefined || options.file.trim() === "") {
    throw new UsageError("`cmdai models import` needs the path of a .gguf file.", {
      hint: "e.g. cmdai models import ~/Downloads/model.Q4_K_M.gguf [--as <id>] [--link]",
    });
  }
  const source = path.resolve(io.cwd, expandHome(options.file, options.paths));
  const renderer = io.stderr.isTTY === true ? createDownloadProgressRenderer(io.stderr) : undefined;
  const label =
    options.link === true ? `Checking ${path.basename(source)}` : `Copying ${path.basename(source)}`;
  let result: ImportedModelResult;
  try {
    result = await importModel({
      source,
      as: options.as,
      link: options.link,
      force: options.force,
      config: options.config,
      paths: options.paths,
      signal: options.signal,
      onProgress: (done, total) => {
        if (total >= PROGRESS_THRESHOLD_BYTES) {
          renderer?.onProgress({ kind: "download", label, transferredBytes: done, totalBytes: total });
        }
      },
    });
  } finally {
    renderer?.finish();
  }
  if (result.mismatch !== undefined) {
    io.stderr.write(`cmdai: warning: used as ${result.id} anyway (--force): ${result.mismatch}.\n`);
  }
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify({ ...result, reference: result.id, installed: true }, null, 2)}\n`);
  } else {
    io.stderr.write(summary(result));
    io.stdout.write(`${result.path}\n`);
  }
  return ExitCode.ok;
}

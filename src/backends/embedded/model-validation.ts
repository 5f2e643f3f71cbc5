/**
 * Checks a GGUF file before llama.cpp sees it. Most malformed files make llama.cpp throw a catchable "Failed to
 * load model", but some abort the whole process (measured: a missing `feed_forward_length` hits a GGML_ASSERT),
 * so everything a header can reveal is checked here: magic and version, truncation, architecture, the
 * hyperparameters that size tensors, the tokenizer, tensor types and shapes, and tensor data past the end.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { ModelError } from "../../errors.js";
import { GGML_BLOCK_LAYOUT } from "../../models/ggml-types.js";

/**
 * Architectures cmdai accepts: dense decoder-only transformers llama.cpp supports whose hyperparameters are
 * checked below. Others are rejected rather than risked.
 */
export const SUPPORTED_ARCHITECTURES = [
  "llama",
  "qwen2",
  "qwen3",
  "gemma",
  "gemma2",
  "gemma3",
  "phi3",
  "starcoder2",
  "granite",
  "olmo2",
  "smollm3",
] as const;

/** Hyperparameters (under `<architecture>.`) that must be positive integers: they size tensors. */
const REQUIRED_HYPERPARAMETERS = [
  "context_length",
  "embedding_length",
  "block_count",
  "feed_forward_length",
  "attention.head_count",
] as const;

/** What validation learned about a usable model. */
export interface ValidatedModel {
  path: string;
  sizeBytes: number;
  /** Milliseconds since the epoch; part of the saved-state key. */
  modifiedMs: number;
  architecture: string;
  /** Model name from `general.name`, when present. */
  name: string | undefined;
  contextLength: number;
}

function invalid(filePath: string, problem: string, cause?: unknown): ModelError {
  return new ModelError("model_invalid", `${filePath} is not a usable GGUF model: ${problem}.`, {
    hint: "Download the model again, or pass another file with --model /path/to/model.gguf.",
    cause,
  });
}

function positiveInteger(value: unknown): number | undefined {
  const number = typeof value === "bigint" ? Number(value) : value;
  return typeof number === "number" && Number.isInteger(number) && number > 0 ? number : undefined;
}

/** Read the header of `filePath` and throw `ModelError("model_invalid")` if llama.cpp must not load it. */
export async function validateModelFile(filePath: string): Promise<ValidatedModel> {
  const absolute = path.resolve(filePath);
  let stat;
  try {
    stat = await fs.stat(absolute);
  } catch (error) {
    throw new ModelError("model_not_found", `Model file not found: ${absolute}`, {
      hint: "Check the path, or pass an existing file with --model /path/to/model.gguf.",
      cause: error,
    });
  }
  if (!stat.isFile()) throw invalid(absolute, "it is not a regular file");

  const handle = await fs.open(absolute, "r");
  try {
    const magic = Buffer.alloc(8);
    const { bytesRead } = await handle.read(magic, 0, 8, 0);
    if (bytesRead < 8 || magic.toString("latin1", 0, 4) !== "GGUF") {
      throw invalid(absolute, "it does not start with the GGUF magic bytes");
    }
    const version = magic.readUInt32LE(4);
    if (version !== 2 && version !== 3) throw invalid(absolute, `unsupported GGUF version ${version}`);
  } finally {
    await handle.close();
  }

  const { readGgufFileInfo } = await import("node-llama-cpp");
  let info;
  try {
    info = await readGgufFileInfo(absolute, {
      sourceType: "filesystem",
      logWarnings: false,
      spliceSplitFiles: false,
    });
  } catch (error) {
    throw invalid(
      absolute,
      `its header could not be read (${(error as Error).message}); the file may be truncated`,
      error,
    );
  }

  const metadata = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const architecture = metadata.general?.architecture;
  if (typeof architecture !== "string") throw invalid(absolute, "general.architecture is missing");
  if (!(SUPPORTED_ARCHITECTURES as readonly string[]).includes(architecture)) {
    throw invalid(
      absolute,
      `architecture "${architecture}" is not supported (supported: ${SUPPORTED_ARCHITECTURES.join(", ")})`,
    );
  }
  const hyperparameters = info.architectureMetadata as Record<string, unknown>;
  const read = (dotted: string): unknown =>
    dotted
      .split(".")
      .reduce<unknown>(
        (node, part) => (node as Record<string, unknown> | undefined)?.[part],
        hyperparameters,
      );
  const required = (key: (typeof REQUIRED_HYPERPARAMETERS)[number]): number => {
    const value = positiveInteger(read(key));
    if (value === undefined) {
      throw invalid(absolute, `required key ${architecture}.${key} is missing or not positive`);
    }
    return value;
  };
  const [contextLength, , , , headCount] = REQUIRED_HYPERPARAMETERS.map(required) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const keyValueHeads = read("attention.head_count_kv");
  if (keyValueHeads !== undefined) {
    const kv = positiveInteger(keyValueHeads);
    if (kv === undefined || headCount % kv !== 0) {
      throw invalid(absolute, `${architecture}.attention.head_count_kv must divide attention.head_count`);
    }
  }

  const tokenizer = metadata.tokenizer as Record<string, Record<string, unknown> | undefined> | undefined;
  const ggml = tokenizer?.ggml;
  if (typeof ggml?.model !== "string") throw invalid(absolute, "tokenizer.ggml.model is missing");
  if (!Array.isArray(ggml.tokens) || ggml.tokens.length === 0)
    throw invalid(absolute, "tokenizer.ggml.tokens is missing");
  if (ggml.model === "gpt2" && !Array.isArray(ggml.merges))
    throw invalid(absolute, "tokenizer.ggml.merges is missing");

  const tensors = info.tensorInfo ?? [];
  if (tensors.length === 0) throw invalid(absolute, "it holds no tensors");
  if (!tensors.some((tensor) => tensor.name === "token_embd.weight")) {
    throw invalid(absolute, "tensor token_embd.weight is missing");
  }
  for (const tensor of tensors) {
    const layout = GGML_BLOCK_LAYOUT[tensor.ggmlType];
    if (layout === undefined)
      throw invalid(absolute, `tensor ${tensor.name} has unknown type ${tensor.ggmlType}`);
    const dimensions: number[] = [];
    for (const dimension of tensor.dimensions) {
      const value = positiveInteger(dimension);
      if (value === undefined) throw invalid(absolute, `tensor ${tensor.name} has a zero dimension`);
      dimensions.push(value);
    }
    const [blockElements, blockBytes] = layout;
    const rowLength = dimensions[0];
    if (rowLength === undefined) throw invalid(absolute, `tensor ${tensor.name} has no dimensions`);
    if (rowLength % blockElements !== 0) {
      throw invalid(absolute, `tensor ${tensor.name} has a row length not divisible by its block size`);
    }
    const elements = dimensions.reduce((product, dimension) => product * dimension, 1);
    const end = Number(tensor.fileOffset) + (elements / blockElements) * blockBytes;
    if (end > stat.size) {
      throw invalid(
        absolute,
        `tensor ${tensor.name} extends past the end of the file (needs ${end} bytes, file has ${stat.size}); the file is truncated`,
      );
    }
  }

  const name = metadata.general?.name;
  return {
    path: absolute,
    sizeBytes: stat.size,
    modifiedMs: stat.mtimeMs,
    architecture,
    name: typeof name === "string" ? name : undefined,
    contextLength,
  };
}

/**
 * Reads and checks a GGUF header without llama.cpp: magic, version, sane counts, every metadata entry and
 * tensor record, and that the tensor data fits in the file. Import runs it before copying anything, and the
 * cache runs it on a file placed by hand (no manifest), so a truncated or foreign file is never taken for a
 * model. Layout: see docs of the GGUF format (all little-endian).
 */
import fs from "node:fs/promises";
import { ModelError } from "../errors.js";
import { GGML_BLOCK_LAYOUT } from "./ggml-types.js";
import { describeNotGguf } from "./sniff-file-kind.js";

/** What the header says about the model. */
export interface GgufHeader {
  version: number;
  tensorCount: number;
  metadataCount: number;
  /** `general.architecture`, e.g. `qwen2`. */
  architecture: string;
  /** `general.name`, when present. */
  name: string | undefined;
  /** `split.count` when the file is one part of a split GGUF. */
  splitCount: number | undefined;
  /** Where the tensor data section starts. */
  dataOffset: number;
  /** The bytes the file needs to hold all tensor data. */
  requiredBytes: number;
}

/** Random-access bytes: a file, or a buffer in tests. */
export interface ByteSource {
  sizeBytes: number;
  read: (position: number, length: number) => Promise<Buffer>;
}

/** GGUF versions llama.cpp reads (v1 used 32-bit counts and is long gone). */
export const SUPPORTED_GGUF_VERSIONS: readonly number[] = [2, 3];

const CHUNK_BYTES = 1024 * 1024;
const MAX_KEY_BYTES = 64 * 1024;
const MAX_DIMENSIONS = 4;
const DEFAULT_ALIGNMENT = 32;
// The smallest a record can be on disk, to reject counts the file cannot possibly hold before looping on them.
const MIN_METADATA_ENTRY_BYTES = 8 + 1 + 4 + 1;
const MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 8 + 4 + 8;

/** Byte width of each fixed-size metadata value type (string 8 and array 9 are variable). */
const SCALAR_WIDTH: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};
const STRING_TYPE = 8;
const ARRAY_TYPE = 9;

type Fail = (problem: string) => never;

/** A forward-only reader that fetches the header in large chunks and never reads past the end. */
class HeaderCursor {
  private buffer: Buffer = Buffer.alloc(0);
  private bufferStart = 0;
  position = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly fail: Fail,
  ) {}

  private async ensure(length: number): Promise<number> {
    if (this.position + length > this.source.sizeBytes) {
      this.fail(`the file ends inside its header at byte ${this.source.sizeBytes} (truncated)`);
    }
    const offset = this.position - this.bufferStart;
    if (offset >= 0 && offset + length <= this.buffer.length) return offset;
    const wanted = Math.min(Math.max(length, CHUNK_BYTES), this.source.sizeBytes - this.position);
    this.buffer = await this.source.read(this.position, wanted);
    this.bufferStart = this.position;
    if (this.buffer.length < length) this.fail("the file could not be read to the end of its header");
    return 0;
  }

  async u16(): Promise<number> {
    // Await first: `this.buffer` may be replaced by the refill.
    const offset = await this.ensure(2);
    const value = this.buffer.readUInt16LE(offset);
    this.position += 2;
    return value;
  }

  async u32(): Promise<number> {
    // Await first: `this.buffer` may be replaced by the refill.
    const offset = await this.ensure(4);
    const value = this.buffer.readUInt32LE(offset);
    this.position += 4;
    return value;
  }

  async u64(what: string): Promise<number> {
    const offset = await this.ensure(8);
    const value = this.buffer.readBigUInt64LE(offset);
    this.position += 8;
    if (value > BigInt(this.source.sizeBytes) * 1024n) this.fail(`${what} ${value} is impossibly large`);
    return Number(value);
  }

  async string(what: string, maxBytes: number): Promise<string> {
    const length = await this.u64(`the length of ${what}`);
    if (length > maxBytes) this.fail(`${what} is ${length} bytes long, more than the ${maxBytes} allowed`);
    const offset = await this.ensure(length);
    this.position += length;
    return this.buffer.toString("utf8", offset, offset + length);
  }

  skip(length: number): void {
    if (this.position + length > this.source.sizeBytes) {
      this.fail(`the file ends inside its metadata at byte ${this.source.sizeBytes} (truncated)`);
    }
    this.position += length;
  }
}

interface Metadata {
  architecture?: string;
  name?: string;
  alignment?: number;
  splitCount?: number;
}

async function skipValue(cursor: HeaderCursor, type: number, key: string, fail: Fail): Promise<void> {
  const width = SCALAR_WIDTH[type];
  if (width !== undefined) {
    cursor.skip(width);
    return;
  }
  if (type === STRING_TYPE) {
    cursor.skip(await cursor.u64(`the length of ${key}`));
    return;
  }
  if (type !== ARRAY_TYPE) fail(`metadata key ${key} has unknown value type ${type}`);
  const elementType = await cursor.u32();
  const count = await cursor.u64(`the element count of ${key}`);
  const elementWidth = SCALAR_WIDTH[elementType];
  if (elementWidth !== undefined) {
    cursor.skip(count * elementWidth);
    return;
  }
  if (elementType !== STRING_TYPE) fail(`metadata array ${key} has unsupported element type ${elementType}`);
  // Token lists run to 150k strings; each is skipped, not decoded.
  for (let index = 0; index < count; index++) cursor.skip(await cursor.u64(`a string length in ${key}`));
}

async function readMetadata(cursor: HeaderCursor, count: number, fail: Fail): Promise<Metadata> {
  const metadata: Metadata = {};
  for (let index = 0; index < count; index++) {
    const key = await cursor.string(`metadata key ${index + 1}`, MAX_KEY_BYTES);
    const type = await cursor.u32();
    if ((key === "general.architecture" || key === "general.name") && type === STRING_TYPE) {
      const value = await cursor.string(key, MAX_KEY_BYTES);
      if (key === "general.architecture") metadata.architecture = value;
      else metadata.name = value;
    } else if (key === "general.alignment" && type === 4) {
      metadata.alignment = await cursor.u32();
    } else if (key === "split.count" && type === 2) {
      metadata.splitCount = await cursor.u16();
    } else {
      await skipValue(cursor, type, key, fail);
    }
  }
  return metadata;
}

/** Reads the tensor table; returns the bytes of tensor data it needs past the data section's start. */
async function readTensorTable(
  cursor: HeaderCursor,
  count: number,
  alignment: number,
  fail: Fail,
): Promise<number> {
  let end = 0;
  for (let index = 0; index < count; index++) {
    const name = await cursor.string(`tensor name ${index + 1}`, MAX_KEY_BYTES);
    const dimensionCount = await cursor.u32();
    if (dimensionCount < 1 || dimensionCount > MAX_DIMENSIONS) {
      fail(`tensor ${name} has ${dimensionCount} dimensions (1 to ${MAX_DIMENSIONS} allowed)`);
    }
    let elements = 1;
    let rowLength = 0;
    for (let dimension = 0; dimension < dimensionCount; dimension++) {
      const size = await cursor.u64(`a dimension of tensor ${name}`);
      if (size === 0) fail(`tensor ${name} has a zero dimension`);
      if (dimension === 0) rowLength = size;
      elements *= size;
    }
    const type = await cursor.u32();
    const offset = await cursor.u64(`the data offset of tensor ${name}`);
    const layout = GGML_BLOCK_LAYOUT[type];
    if (layout === undefined) fail(`tensor ${name} has unknown ggml type ${type}`);
    const [blockElements, blockBytes] = layout;
    if (rowLength % blockElements !== 0)
      fail(`tensor ${name} has a row length not divisible by its block size`);
    if (offset % alignment !== 0)
      fail(`tensor ${name} starts at an offset not aligned to ${alignment} bytes`);
    end = Math.max(end, offset + (elements / blockElements) * blockBytes);
  }
  return end;
}

/**
 * Parses the header of `source` and checks it, throwing `ModelError("model_invalid")` naming the first
 * problem. `label` (normally the file's path) starts the message.
 */
export async function parseGgufHeader(source: ByteSource, label: string): Promise<GgufHeader> {
  const fail: Fail = (problem) => {
    throw new ModelError("model_invalid", `${label} is not a usable GGUF model: ${problem}.`, {
      hint: "cmdai needs a GGUF file (llama.cpp's format), such as the .gguf files on huggingface.co; convert other formats with llama.cpp's convert_hf_to_gguf.py.",
    });
  };
  const start = await source.read(0, Math.min(source.sizeBytes, 512));
  if (start.length < 4 || start.toString("latin1", 0, 4) !== "GGUF") fail(describeNotGguf(start));
  const cursor = new HeaderCursor(source, fail);
  cursor.skip(4);
  const version = await cursor.u32();
  if (!SUPPORTED_GGUF_VERSIONS.includes(version)) {
    fail(`GGUF version ${version} is not supported (only ${SUPPORTED_GGUF_VERSIONS.join(" and ")})`);
  }
  const tensorCount = await cursor.u64("the tensor count");
  const metadataCount = await cursor.u64("the metadata count");
  if (tensorCount * MIN_TENSOR_INFO_BYTES > source.sizeBytes) {
    fail(`its tensor count ${tensorCount} cannot fit in a ${source.sizeBytes}-byte file`);
  }
  if (metadataCount * MIN_METADATA_ENTRY_BYTES > source.sizeBytes) {
    fail(`its metadata count ${metadataCount} cannot fit in a ${source.sizeBytes}-byte file`);
  }
  if (tensorCount === 0) fail("it holds no tensors (a vocabulary-only file?)");
  const metadata = await readMetadata(cursor, metadataCount, fail);
  const alignment = metadata.alignment ?? DEFAULT_ALIGNMENT;
  if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
    fail(`general.alignment ${alignment} is not a power of two`);
  }
  if (metadata.architecture === undefined || metadata.architecture === "") {
    fail("general.architecture is missing");
  }
  const dataBytes = await readTensorTable(cursor, tensorCount, alignment, fail);
  const dataOffset = Math.ceil(cursor.position / alignment) * alignment;
  const requiredBytes = dataOffset + dataBytes;
  if (requiredBytes > source.sizeBytes) {
    fail(`its tensors need ${requiredBytes} bytes but the file has ${source.sizeBytes} (truncated)`);
  }
  return {
    version,
    tensorCount,
    metadataCount,
    architecture: metadata.architecture,
    name: metadata.name,
    splitCount: metadata.splitCount,
    dataOffset,
    requiredBytes,
  };
}

/** A {@link ByteSource} over a buffer (tests, small in-memory files). */
export function bufferSource(buffer: Buffer): ByteSource {
  return {
    sizeBytes: buffer.length,
    read: (position, length) => Promise.resolve(buffer.subarray(position, position + length)),
  };
}

/**
 * Reads the header of the file at `filePath` (absolute). A missing file is `model_not_found`; anything that is
 * not a regular file, or not a valid GGUF, is `model_invalid`.
 */
export async function readGgufHeaderFile(filePath: string): Promise<GgufHeader> {
  let handle;
  try {
    handle = await fs.open(filePath, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new ModelError("model_not_found", `No file at ${filePath}.`, {
        hint: "Check the path (relative paths start from the current folder).",
        cause: error,
      });
    }
    throw new ModelError("model_invalid", `${filePath} cannot be read (${code ?? String(error)}).`, {
      hint: "Check the file's permissions.",
      cause: error,
    });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new ModelError("model_invalid", `${filePath} is not a regular file.`, {
        hint: "Name the .gguf file itself.",
      });
    }
    const source: ByteSource = {
      sizeBytes: stats.size,
      read: async (position, length) => {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        return buffer.subarray(0, bytesRead);
      },
    };
    return await parseGgufHeader(source, filePath);
  } finally {
    await handle.close();
  }
}

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testModelPath, testTempDir } from "../../test/support/test-model.js";
import { ModelError } from "../errors.js";
import { bufferSource, parseGgufHeader, readGgufHeaderFile } from "./gguf-header.js";

/** A GGUF string: u64 length, then UTF-8 bytes. */
function ggufString(text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([length, bytes]);
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}

function u64(value: number | bigint): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(BigInt(value));
  return buffer;
}

interface TensorRecord {
  name: string;
  dims: number[];
  type: number;
  offset: number;
}

/** A hand-built GGUF: one F32 tensor of 32 elements (128 bytes) unless told otherwise. */
function buildGguf(
  options: {
    version?: number;
    metadata?: Buffer[];
    metadataCount?: number;
    tensors?: TensorRecord[];
    tensorCount?: number | bigint;
    dataBytes?: number;
  } = {},
): Buffer {
  const metadata = options.metadata ?? [
    Buffer.concat([ggufString("general.architecture"), u32(8), ggufString("llama")]),
    Buffer.concat([ggufString("general.name"), u32(8), ggufString("Tiny Test")]),
    // An array of strings and one of u32, to be skipped.
    Buffer.concat([
      ggufString("tokenizer.ggml.tokens"),
      u32(9),
      u32(8),
      u64(2),
      ggufString("a"),
      ggufString("b"),
    ]),
    Buffer.concat([ggufString("tokenizer.ggml.token_type"), u32(9), u32(4), u64(2), u32(1), u32(1)]),
  ];
  const tensors = options.tensors ?? [{ name: "token_embd.weight", dims: [32], type: 0, offset: 0 }];
  const tensorInfo = tensors.map((tensor) =>
    Buffer.concat([
      ggufString(tensor.name),
      u32(tensor.dims.length),
      ...tensor.dims.map((dimension) => u64(dimension)),
      u32(tensor.type),
      u64(tensor.offset),
    ]),
  );
  const header = Buffer.concat([
    Buffer.from("GGUF", "latin1"),
    u32(options.version ?? 3),
    u64(options.tensorCount ?? tensors.length),
    u64(options.metadataCount ?? metadata.length),
    ...metadata,
    ...tensorInfo,
  ]);
  const padded = Math.ceil(header.length / 32) * 32;
  return Buffer.concat([
    header,
    Buffer.alloc(padded - header.length),
    Buffer.alloc(options.dataBytes ?? 128),
  ]);
}

async function problemOf(buffer: Buffer): Promise<string> {
  try {
    await parseGgufHeader(bufferSource(buffer), "model.gguf");
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).code).toBe("model_invalid");
    expect((error as ModelError).hint).toMatch(/GGUF/);
    return (error as Error).message;
  }
  throw new Error("expected the header to be rejected");
}

const safetensors = (() => {
  const json = Buffer.from('{"__metadata__":{"format":"pt"}}');
  return Buffer.concat([u64(json.length), json, Buffer.alloc(64)]);
})();

describe("parseGgufHeader", () => {
  it("reads version, counts, architecture and name of a valid file", async () => {
    const header = await parseGgufHeader(bufferSource(buildGguf()), "model.gguf");
    expect(header).toMatchObject({
      version: 3,
      tensorCount: 1,
      metadataCount: 4,
      architecture: "llama",
      name: "Tiny Test",
      splitCount: undefined,
    });
    expect(header.requiredBytes).toBe(buildGguf().length);
  });

  it("accepts GGUF version 2", async () => {
    expect((await parseGgufHeader(bufferSource(buildGguf({ version: 2 })), "m")).version).toBe(2);
  });

  it("reads the synthetic test model written by the fixture generator", async () => {
    const header = await readGgufHeaderFile(testModelPath());
    expect(header.architecture).toBe("qwen2");
    expect(header.tensorCount).toBeGreaterThan(5);
  });

  const valid = buildGguf();
  it.each<[string, Buffer, RegExp]>([
    ["an empty file", Buffer.alloc(0), /empty/],
    ["a file too short for a header", Buffer.from("GGU"), /too short/],
    ["a text file", Buffer.from("echo hello\nls -la\n"), /text file/],
    [
      "a Git LFS pointer",
      Buffer.from("version https://git-lfs.github.com/spec/v1\noid sha256:ab\n"),
      /Git LFS/,
    ],
    ["a safetensors file", safetensors, /safetensors/],
    ["a zip archive", Buffer.concat([Buffer.from("PK\u0003\u0004"), Buffer.alloc(60)]), /zip/],
    ["an old GGML file", Buffer.concat([Buffer.from("tjgg"), Buffer.alloc(60)]), /GGML/],
    ["random bytes", Buffer.from([0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]), /magic/],
    ["GGUF version 1", buildGguf({ version: 1 }), /version 1 is not supported/],
    ["GGUF version 4", buildGguf({ version: 4 }), /version 4 is not supported/],
    ["a file cut inside its header", valid.subarray(0, 60), /truncated/],
    ["a file cut inside its tensor data", valid.subarray(0, valid.length - 1), /need .* bytes .*truncated/],
    ["an impossible tensor count", buildGguf({ tensorCount: 1n << 40n }), /tensor count|impossibly large/],
    ["an impossible metadata count", buildGguf({ metadataCount: 1_000_000 }), /metadata count/],
    ["no tensors", buildGguf({ tensors: [] }), /no tensors/],
    [
      "no general.architecture",
      buildGguf({ metadata: [Buffer.concat([ggufString("general.name"), u32(8), ggufString("x")])] }),
      /general\.architecture is missing/,
    ],
    [
      "an unknown metadata value type",
      buildGguf({ metadata: [Buffer.concat([ggufString("odd.key"), u32(42), u32(0)])] }),
      /unknown value type 42/,
    ],
    [
      "alignment that is not a power of two",
      buildGguf({
        metadata: [
          Buffer.concat([ggufString("general.architecture"), u32(8), ggufString("llama")]),
          Buffer.concat([ggufString("general.alignment"), u32(4), u32(24)]),
        ],
      }),
      /power of two/,
    ],
    [
      "an unknown ggml tensor type",
      buildGguf({ tensors: [{ name: "t", dims: [32], type: 99, offset: 0 }] }),
      /unknown ggml type 99/,
    ],
    ["a zero dimension", buildGguf({ tensors: [{ name: "t", dims: [32, 0], type: 0, offset: 0 }] }), /zero/],
    [
      "too many dimensions",
      buildGguf({ tensors: [{ name: "t", dims: [1, 1, 1, 1, 1], type: 0, offset: 0 }] }),
      /5 dimensions/,
    ],
    [
      "a misaligned tensor offset",
      buildGguf({ tensors: [{ name: "t", dims: [8], type: 0, offset: 4 }] }),
      /not aligned/,
    ],
    [
      "a row not divisible by the block size",
      buildGguf({ tensors: [{ name: "t", dims: [33], type: 8, offset: 0 }] }),
      /block size/,
    ],
    [
      "tensor data past the end",
      buildGguf({ tensors: [{ name: "t", dims: [1024], type: 0, offset: 0 }] }),
      /truncated/,
    ],
  ])("rejects %s, naming the problem", async (_label, buffer, problem) => {
    expect(await problemOf(buffer)).toMatch(problem);
  });

  it("reports split.count so a part of a split file can be told apart", async () => {
    const metadata = [
      Buffer.concat([ggufString("general.architecture"), u32(8), ggufString("llama")]),
      Buffer.concat([ggufString("split.count"), u32(2), Buffer.from([3, 0])]),
    ];
    expect((await parseGgufHeader(bufferSource(buildGguf({ metadata })), "m")).splitCount).toBe(3);
  });
});

describe("readGgufHeaderFile", () => {
  it("says model_not_found for a missing file and model_invalid for a folder", async () => {
    const missing = path.join(testTempDir(), "no-such-file.gguf");
    await expect(readGgufHeaderFile(missing)).rejects.toMatchObject({ code: "model_not_found" });
    await expect(readGgufHeaderFile(testTempDir())).rejects.toMatchObject({ code: "model_invalid" });
  });

  it("rejects a synthetic model cut in half", async () => {
    const half = path.join(testTempDir(), "half.gguf");
    const bytes = fs.readFileSync(testModelPath());
    fs.writeFileSync(half, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(readGgufHeaderFile(half)).rejects.toThrow(/truncated/);
  });
});

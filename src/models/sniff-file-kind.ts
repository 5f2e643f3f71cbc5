/**
 * Names what a file that is not a GGUF probably is, from its first bytes, so the error says "a safetensors
 * file" or "a Git LFS pointer" instead of only "wrong magic": each of those has a different fix.
 */

const LEGACY_GGML_MAGICS = ["lmgg", "fmgg", "tjgg", "algg", "GGML", "GGJT", "GGLA"];

function isMostlyText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  let printable = 0;
  for (const byte of bytes) {
    if (byte === 0) return false;
    if (byte === 9 || byte === 10 || byte === 13 || byte >= 32) printable++;
  }
  return printable === bytes.length;
}

/** The reason, for "… is not a usable GGUF model: <reason>", given the file's first bytes (up to 512). */
export function describeNotGguf(start: Buffer): string {
  if (start.length === 0) return "the file is empty";
  if (start.length < 8) return `it is only ${start.length} bytes long, too short for a GGUF header`;
  const magic = start.toString("latin1", 0, 4);
  if (magic === "PK\u0003\u0004") {
    return "it is a zip archive (a PyTorch checkpoint?), not a GGUF file";
  }
  // safetensors: a u64 little-endian JSON header length, then the JSON header itself.
  if (start[8] === 0x7b && start.readBigUInt64LE(0) < 100_000_000n) {
    return "it is a safetensors file, not a GGUF file";
  }
  if (LEGACY_GGML_MAGICS.includes(magic)) {
    return "it is in the old GGML format, which llama.cpp no longer reads";
  }
  if (start.toString("utf8").startsWith("version https://git-lfs")) {
    return "it is a Git LFS pointer, not the model itself (run `git lfs pull` where you cloned it)";
  }
  if (isMostlyText(start)) return "it is a text file, not a GGUF file";
  return "it does not start with the GGUF magic bytes";
}

/**
 * The benches' model: the synthetic Qwen2.5-1.5B-shaped Q4_K_M (random weights, real shapes, ~0.98 GB), kept in
 * `<cache>/bench-models/` and written again when missing or unusable. Never committed.
 */
import fs from "node:fs";
import path from "node:path";
import { validateModelFile } from "../../src/backends/embedded/model-validation.js";
import { cacheDir } from "../../src/config/paths.js";
import { writeSyntheticModel } from "../../test/fixtures/gguf/synthetic-model.js";

/** The path of the bench model, generated first if needed. */
export async function benchModel(): Promise<string> {
  const directory = path.join(cacheDir(), "bench-models");
  const file = path.join(directory, "synthetic-qwen2.5-1.5b-q4_k_m-seed1.gguf");
  try {
    await validateModelFile(file);
    return file;
  } catch {
    fs.mkdirSync(directory, { recursive: true });
    const temporary = `${file}.${process.pid}.partial`;
    writeSyntheticModel(temporary, { preset: "qwen2.5-1.5b", quant: "q4_k_m", seed: 1 });
    fs.renameSync(temporary, file);
    return file;
  }
}

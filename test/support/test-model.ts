/**
 * A tiny synthetic GGUF model for tests, generated once per test process into a temp folder (~50 ms; never
 * committed). Also builds the backend settings tests need, with every cmdai folder pointed at a temp dir.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { configSchema, type Config } from "../../src/config/schema.js";
import type { BackendSettings } from "../../src/backends/backend.js";
import { writeSyntheticModel, type SyntheticModelOptions } from "../fixtures/gguf/synthetic-model.js";

const generated = new Map<string, string>();
let root: string | undefined;

/** A temp folder for this test process, removed at exit. */
export function testTempDir(): string {
  if (root === undefined) {
    const created = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-test-"));
    root = created;
    process.once("exit", () => {
      fs.rmSync(created, { recursive: true, force: true });
    });
  }
  return root;
}

/** Path of a synthetic model (default: tiny, f32, seed 1), generated on first use. */
export function testModelPath(options: SyntheticModelOptions = {}): string {
  const variant = createHash("sha256").update(JSON.stringify(options)).digest("hex").slice(0, 8);
  const name = `${options.preset ?? "tiny"}-${options.quant ?? "f32"}-${variant}.gguf`;
  let modelPath = generated.get(name);
  if (modelPath === undefined) {
    modelPath = path.join(testTempDir(), name);
    writeSyntheticModel(modelPath, options);
    generated.set(name, modelPath);
  }
  return modelPath;
}

/** Backend settings for tests: one thread, a fixed seed, all folders under a fresh temp dir. */
export function testBackendSettings(
  overrides: { model?: string | undefined; embedded?: Partial<Config["embedded"]>; cacheHome?: string } = {},
): BackendSettings {
  const base = configSchema.parse({});
  const home = overrides.cacheHome ?? fs.mkdtempSync(path.join(testTempDir(), "home-"));
  const env: NodeJS.ProcessEnv = {
    XDG_CACHE_HOME: path.join(home, "cache"),
    XDG_CONFIG_HOME: path.join(home, "config"),
  };
  return {
    config: {
      ...base,
      ...(overrides.model === undefined ? {} : { model: overrides.model }),
      embedded: { ...base.embedded, threads: 1, seed: 42, max_tokens: 1024, ...overrides.embedded },
    },
    env,
    paths: { env, platform: process.platform, homedir: home },
    log: () => undefined,
    assumeYes: false,
  };
}

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DiscoveredServer } from "../backends/discover-local-servers.js";
import { defaultConfig } from "../config/defaults.js";
import type { Config } from "../config/schema.js";
import { testModelPath } from "../../test/support/test-model.js";
import { ModelError } from "../errors.js";
import { DEFAULT_MODEL_ID } from "../models/catalog.js";
import { cachePaths, modelsRoot, type CacheableReference } from "../models/model-cache.js";
import { parseModelReference } from "../models/model-reference.js";
import { preferredModel, settleFirstRun, type ChooseModelSource } from "./first-run-source.js";
import type { RequestSetup } from "./request-setup.js";

let home: string;
beforeEach(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), "cmdai-first-run-"));
});
afterEach(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

function setup(overrides: Partial<RequestSetup> = {}, config: Partial<Config> = {}): RequestSetup {
  const env = { HOME: home, XDG_CACHE_HOME: path.join(home, "cache"), HF_HOME: path.join(home, "hf") };
  return {
    config: { ...(defaultConfig() as Config), ...config },
    warnings: [],
    paths: { env, platform: "linux", homedir: home },
    shell: "bash",
    backendIsExplicit: false,
    modelOverride: undefined,
    env,
    cwd: home,
    ...overrides,
  };
}

const ollama: DiscoveredServer = {
  backend: "ollama",
  product: "Ollama",
  baseUrl: "http://127.0.0.1:11434",
  models: ["nomic-embed-text:latest", "qwen2.5-coder:7b", "llama3.2:3b"],
};
const lmStudio: DiscoveredServer = {
  backend: "openai",
  product: "LM Studio",
  baseUrl: "http://127.0.0.1:1234/v1",
  models: ["qwen2.5-7b-instruct"],
};

describe("settleFirstRun", () => {
  it("offers the servers found and the download, and switches this request to the chosen server", async () => {
    const choose = vi.fn<ChooseModelSource>(() => Promise.resolve({ kind: "server", server: ollama }));
    const settled = await settleFirstRun(setup(), {
      assumeYes: false,
      choose,
      discover: () => Promise.resolve([ollama, lmStudio]),
    });
    const offer = choose.mock.calls[0]?.[0];
    expect(choose).toHaveBeenCalledTimes(1);
    expect(offer).toMatchObject({
      servers: [ollama, lmStudio],
      download: { reference: "qwen2.5-coder-1.5b" },
    });
    expect(settled.setup.config.backend).toBe("ollama");
    expect(settled.setup.config.ollama).toMatchObject({ host: ollama.baseUrl, model: "qwen2.5-coder:7b" });
    expect(settled.setup.backendIsExplicit).toBe(true);
    expect(settled.downloadAgreed).toBe(false);
  });

  it("sends an OpenAI-compatible choice to its base URL with the model it lists", async () => {
    const settled = await settleFirstRun(setup(), {
      assumeYes: false,
      choose: () => Promise.resolve({ kind: "server", server: lmStudio }),
      discover: () => Promise.resolve([lmStudio]),
    });
    expect(settled.setup.config.backend).toBe("openai");
    expect(settled.setup.config.openai).toMatchObject({
      base_url: lmStudio.baseUrl,
      model: "qwen2.5-7b-instruct",
    });
  });

  it("takes a download chosen here as agreed, so the backend does not ask again", async () => {
    const settled = await settleFirstRun(setup(), {
      assumeYes: false,
      choose: () => Promise.resolve({ kind: "download" }),
      discover: () => Promise.resolve([ollama]),
    });
    expect(settled).toMatchObject({ downloadAgreed: true });
    expect(settled.setup.config.backend).toBe("embedded");
  });

  it("without a terminal names the running server in the error (exit 5)", async () => {
    const attempt = settleFirstRun(setup(), {
      assumeYes: false,
      discover: () => Promise.resolve([lmStudio]),
    });
    await expect(attempt).rejects.toBeInstanceOf(ModelError);
    const error = (await attempt.catch((caught: unknown) => caught)) as ModelError;
    expect(error.exitCode).toBe(5);
    expect(error.message).toContain("LM Studio at http://127.0.0.1:1234/v1 (qwen2.5-7b-instruct) is running");
    expect(error.hint).toContain(
      "`cmdai config set openai.base_url http://127.0.0.1:1234/v1 && cmdai config set backend openai`",
    );
    expect(error.hint).toContain("cmdai models pull qwen2.5-coder-1.5b");
  });

  it("offline, offers no download and suggests importing a file instead", async () => {
    const choose = vi.fn<ChooseModelSource>(() => Promise.resolve({ kind: "cancel" }));
    const attempt = settleFirstRun(setup({}, { offline: true }), {
      assumeYes: false,
      choose,
      discover: () => Promise.resolve([ollama]),
    });
    await expect(attempt).rejects.toThrow(/No model chosen/);
    expect(choose.mock.calls[0]?.[0]).toEqual({ servers: [ollama], download: undefined });
    const error = (await attempt.catch((caught: unknown) => caught)) as ModelError;
    expect(error.hint).toContain("cmdai models import FILE.gguf");
  });

  it.each([
    ["a backend chosen explicitly", () => setup({ backendIsExplicit: true })],
    ["a model chosen with --model", () => setup({ modelOverride: "qwen2.5-coder-1.5b" })],
    ["another backend configured", () => setup({}, { backend: "ollama" })],
    ["auto_download", () => setup({}, { auto_download: true })],
    ["a local model path", () => setup({}, { model: "/nowhere/model.gguf" })],
  ])("does not look for servers with %s", async (_name, make) => {
    const given = make();
    const discover = vi.fn(() => Promise.resolve([ollama]));
    const settled = await settleFirstRun(given, { assumeYes: false, discover });
    expect(discover).not.toHaveBeenCalled();
    expect(settled).toEqual({ setup: given, downloadAgreed: false });
  });

  it("does not look for servers with --yes or once the model is installed", async () => {
    const discover = vi.fn(() => Promise.resolve([ollama]));
    await settleFirstRun(setup(), { assumeYes: true, discover });
    const installed = setup();
    const reference = parseModelReference(DEFAULT_MODEL_ID) as CacheableReference;
    const [file] = cachePaths(reference, modelsRoot(installed.config, installed.paths));
    if (file === undefined) throw new Error("no cache path for the default model");
    await fs.mkdir(path.dirname(file), { recursive: true });
    // A real GGUF file (the synthetic test model), as a hand-placed download.
    await fs.symlink(testModelPath(), file);
    const settled = await settleFirstRun(installed, { assumeYes: false, discover });
    expect(discover).not.toHaveBeenCalled();
    expect(settled.setup).toBe(installed);
  });

  it("goes on as before (download question or error) when nothing usable runs", async () => {
    const choose = vi.fn();
    const embeddingsOnly = { ...ollama, models: ["nomic-embed-text:latest"] };
    const settled = await settleFirstRun(setup(), {
      assumeYes: false,
      choose,
      discover: () => Promise.resolve([embeddingsOnly]),
    });
    expect(choose).not.toHaveBeenCalled();
    expect(settled.downloadAgreed).toBe(false);
    expect(settled.setup.config.backend).toBe("embedded");
  });
});

describe("preferredModel", () => {
  it("prefers a coder model and never an embedding model", () => {
    expect(preferredModel(ollama)).toBe("qwen2.5-coder:7b");
    expect(preferredModel({ ...ollama, models: ["bge-m3-embed", "mistral:7b"] })).toBe("mistral:7b");
    expect(preferredModel({ ...ollama, models: ["nomic-embed-text"] })).toBeUndefined();
  });
});

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { BackendError, ModelError, isAbortError } from "../../errors.js";
import { promptStateDir } from "../../config/paths.js";
import { MAX_COMMAND_LENGTH } from "../prompt.js";
import { contractRequest, describeBackendContract } from "../../../test/support/backend-contract.js";
import { testBackendSettings, testModelPath, testTempDir } from "../../../test/support/test-model.js";
import { createEmbeddedBackend } from "./embedded-backend.js";

// Real inference: a tiny-model answer takes ~1 s on an idle 2-core machine, but a shared, oversubscribed one
// was measured 30x slower; a generous limit keeps the suite honest without flaking on load.
vi.setConfig({ testTimeout: 180_000 });

describeBackendContract("embedded", {
  makeBackend: () => Promise.resolve(createEmbeddedBackend(testBackendSettings({ model: testModelPath() }))),
  makeBrokenBackend: () =>
    Promise.resolve(
      createEmbeddedBackend(testBackendSettings({ model: path.join(testTempDir(), "no-such-model.gguf") })),
    ),
  deterministic: true,
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

describe("embedded backend", () => {
  it("answers with a bounded printable command, the file name and its timings", async () => {
    const backend = createEmbeddedBackend(testBackendSettings({ model: testModelPath() }));
    try {
      const result = await backend.generate(contractRequest("find large files"));
      expect(result.command.length).toBeLessThanOrEqual(MAX_COMMAND_LENGTH);
      expect(result.command).toMatch(/^[\x20-\x7e]+$/);
      expect(result.explanation).toBeUndefined();
      expect(result.model).toBe(path.basename(testModelPath()));
      expect(result.timingsMs.load).toBeGreaterThan(0);
      expect(result.timingsMs.generate).toBeGreaterThan(0);
      // The model's share of the generation: the prompt's evaluation, then the other answer tokens.
      const { generate = 0, promptEval = -1, answer = -1 } = result.timingsMs;
      expect(promptEval).toBeGreaterThanOrEqual(0);
      expect(answer).toBeGreaterThanOrEqual(0);
      expect(promptEval + answer).toBeLessThanOrEqual(generate + 1);
      expect(backend.describe()).toMatchObject({ name: "embedded", model: path.basename(testModelPath()) });
    } finally {
      await backend.dispose();
    }
  });

  it("produces an explanation only when asked", async () => {
    const backend = createEmbeddedBackend(testBackendSettings({ model: testModelPath() }));
    try {
      const result = await backend.generate(contractRequest("show disk usage", { wantExplanation: true }));
      expect(result.command.trim()).not.toBe("");
      expect(result.explanation?.trim()).toBeTruthy();
    } finally {
      await backend.dispose();
    }
  });

  it("saves the prompt prefix state and reuses it in a later backend with the same answer", async () => {
    const settings = testBackendSettings({ model: testModelPath() });
    const logs: string[] = [];
    settings.log = (line) => logs.push(line);
    const first = createEmbeddedBackend(settings);
    const a = await first.generate(contractRequest("list files"));
    await first.dispose();
    const stateFiles = fs.readdirSync(promptStateDir(settings.paths));
    expect(stateFiles.filter((name) => name.endsWith(".state"))).toHaveLength(1);
    expect(stateFiles.filter((name) => name.endsWith(".json"))).toHaveLength(1);
    expect(logs.some((line) => line.includes("reused saved prompt state"))).toBe(false);

    const second = createEmbeddedBackend(settings);
    const b = await second.generate(contractRequest("list files"));
    await second.dispose();
    expect(logs.some((line) => line.includes("reused saved prompt state"))).toBe(true);
    expect(b.command).toBe(a.command);
  });

  it("keeps what a request shares with the previous one in the cache", async () => {
    const settings = testBackendSettings({ model: testModelPath() });
    const warm = createEmbeddedBackend(settings);
    try {
      const first = await warm.generate(contractRequest("list files"));
      const second = await warm.generate(contractRequest("list large files"));
      const again = await warm.generate(contractRequest("list large files"));
      // The second request shares the working-directory line and more with the first: beyond the system prefix.
      expect(second.usage?.cachedPromptTokens).toBeGreaterThan(first.usage?.cachedPromptTokens ?? 0);
      // The same request again shares everything but the last prompt token.
      expect(again.usage?.cachedPromptTokens).toBe((again.usage?.promptTokens ?? 0) - 1);
      // (Answers are not compared with a fresh run's: llama.cpp's floating-point sums depend on how the prompt
      // was split into batches, so long random-weight answers drift apart after a few hundred characters.)
      for (const result of [second, again]) {
        expect(result.command).toMatch(/^[\x21-\x7e][\x20-\x7e]*$/);
        expect(result.usage?.answerTokens).toBeGreaterThan(0);
      }
    } finally {
      await warm.dispose();
    }
  });

  /** Every saved state file under the prompt-state folder (system prefixes, and folder prefixes in `folders/`). */
  function savedStates(settings: ReturnType<typeof testBackendSettings>): string[] {
    const directory = promptStateDir(settings.paths);
    return fs
      .readdirSync(directory, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".state"))
      .map((name) => path.join(directory, name));
  }

  it("rebuilds corrupt saved states instead of loading them", async () => {
    const settings = testBackendSettings({ model: testModelPath() });
    const logs: string[] = [];
    settings.log = (line) => logs.push(line);
    const first = createEmbeddedBackend(settings);
    const a = await first.generate(contractRequest("list files"));
    await first.dispose();
    const statePaths = savedStates(settings);
    expect(statePaths).toHaveLength(2);
    const corrupted = new Map<string, Buffer>();
    for (const statePath of statePaths) {
      const bytes = fs.readFileSync(statePath);
      bytes.fill(0xff, 16, 4096);
      fs.writeFileSync(statePath, bytes);
      corrupted.set(statePath, bytes);
    }

    const second = createEmbeddedBackend(settings);
    const b = await second.generate(contractRequest("list files"));
    await second.dispose();
    expect(logs.some((line) => line.includes("reused saved prompt state"))).toBe(false);
    expect(b.command).toBe(a.command);
    // Rebuilt: each file on disk is a valid state again (not the corrupted bytes).
    for (const [statePath, bytes] of corrupted) expect(fs.readFileSync(statePath).equals(bytes)).toBe(false);
  });

  it("saves the folder's prefix too: a later request in that folder evaluates only its own text", async () => {
    const settings = testBackendSettings({ model: testModelPath() });
    const logs: string[] = [];
    settings.log = (line) => logs.push(line);
    const inFolder = (request: string, cwd: string) =>
      contractRequest(request, { context: { ...contractRequest(request).context, cwd } });

    const first = createEmbeddedBackend(settings);
    const fresh = await first.generate(inFolder("list files", "/home/user/project"));
    await first.dispose();
    expect(savedStates(settings)).toHaveLength(2);

    // A new process in the same folder: the folder's state, then only the request's text.
    const second = createEmbeddedBackend(settings);
    const sameFolder = await second.generate(inFolder("list files", "/home/user/project"));
    const other = await second.generate(inFolder("show disk usage", "/home/user/project"));
    await second.dispose();
    expect(sameFolder.command).toBe(fresh.command);
    expect(sameFolder.usage?.cachedPromptTokens).toBeGreaterThan(fresh.usage?.cachedPromptTokens ?? 0);
    expect(other.usage?.cachedPromptTokens).toBe(sameFolder.usage?.cachedPromptTokens);

    // Another folder starts from the system prefix's state and saves its own.
    const third = createEmbeddedBackend(settings);
    const elsewhere = await third.generate(inFolder("list files", "/srv/data/archive"));
    // Back in the first folder within the same process: its state is loaded in place of the other one.
    logs.length = 0;
    const back = await third.generate(inFolder("list files", "/home/user/project"));
    await third.dispose();
    expect(fresh.usage?.cachedPromptTokens).toBe(0);
    expect(elsewhere.usage?.cachedPromptTokens).toBeGreaterThan(0);
    expect(elsewhere.usage?.cachedPromptTokens).toBeLessThan(sameFolder.usage?.cachedPromptTokens ?? 0);
    expect(savedStates(settings)).toHaveLength(3);
    expect(logs.some((line) => line.includes("reused saved prompt state"))).toBe(true);
    expect(back.usage?.cachedPromptTokens).toBe(sameFolder.usage?.cachedPromptTokens);
    expect(back.command).toBe(fresh.command);
  });

  it("keeps separate states per shell", async () => {
    const settings = testBackendSettings({ model: testModelPath() });
    const backend = createEmbeddedBackend(settings);
    try {
      await backend.generate(contractRequest("list files"));
      await backend.generate(contractRequest("list files", { shell: "fish" }));
    } finally {
      await backend.dispose();
    }
    const states = fs.readdirSync(promptStateDir(settings.paths)).filter((name) => name.endsWith(".state"));
    expect(states).toHaveLength(2);
  });

  it("rejects a model that would abort llama.cpp before loading it", async () => {
    const broken = testModelPath({ omitKeys: ["qwen2.feed_forward_length"] });
    const backend = createEmbeddedBackend(testBackendSettings({ model: broken }));
    try {
      const availability = await backend.isAvailable();
      expect(availability.available).toBe(false);
      const error = await failure(backend.generate(contractRequest("list files")));
      expect(error).toBeInstanceOf(ModelError);
      expect((error as ModelError).code).toBe("model_invalid");
    } finally {
      await backend.dispose();
    }
  });

  it("turns a load failure that validation cannot see into model_load_failed, keeping the process alive", async () => {
    // Metadata says 128 wide, tensors are 64 wide: llama.cpp throws a (catchable) shape error.
    const mismatched = testModelPath({ overrides: { "qwen2.embedding_length": 128 } });
    const backend = createEmbeddedBackend(testBackendSettings({ model: mismatched }));
    try {
      const error = await failure(backend.generate(contractRequest("list files")));
      expect(error).toBeInstanceOf(ModelError);
      expect((error as ModelError).code).toBe("model_load_failed");
      expect((error as ModelError).exitCode).toBe(5);
    } finally {
      await backend.dispose();
    }
  });

  it("fails with exit 5 naming --model for a reference that is not a local file", async () => {
    const backend = createEmbeddedBackend(testBackendSettings({ model: "qwen2.5-coder-1.5b" }));
    const error = await failure(backend.generate(contractRequest("list files")));
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).exitCode).toBe(5);
    expect((error as ModelError).hint).toContain("--model /path/to/model.gguf");
  });

  it("takes the model path from an injected resolver", async () => {
    const references: (string | undefined)[] = [];
    const backend = createEmbeddedBackend(testBackendSettings({ model: "catalog-id" }), {
      resolveModelPath: (reference) => {
        references.push(reference);
        return Promise.resolve(testModelPath());
      },
    });
    try {
      const result = await backend.generate(contractRequest("list files"));
      expect(result.command.length).toBeGreaterThan(0);
      expect(references).toEqual(["catalog-id"]);
    } finally {
      await backend.dispose();
    }
  });

  it("reports an answer cut off by max_tokens as answer_unparseable, never a guess", async () => {
    const backend = createEmbeddedBackend(
      testBackendSettings({ model: testModelPath(), embedded: { max_tokens: 16 } }),
    );
    try {
      const error = await failure(backend.generate(contractRequest("list files")));
      expect(error).toBeInstanceOf(BackendError);
      expect((error as BackendError).code).toBe("answer_unparseable");
      expect((error as BackendError).exitCode).toBe(5);
    } finally {
      await backend.dispose();
    }
  });

  it("stops a running generation when the signal aborts", async () => {
    const backend = createEmbeddedBackend(testBackendSettings({ model: testModelPath() }));
    try {
      await backend.generate(contractRequest("warm up"));
      const controller = new AbortController();
      const pending = failure(backend.generate(contractRequest("list files"), { signal: controller.signal }));
      setTimeout(() => {
        controller.abort();
      }, 20);
      const error = await pending;
      expect(isAbortError(error)).toBe(true);
      // The backend stays usable after an abort.
      const result = await backend.generate(contractRequest("list files"));
      expect(result.command.length).toBeGreaterThan(0);
    } finally {
      await backend.dispose();
    }
  });

  it.each(["f16", "q8_0", "q4_0"] as const)("generates with a %s model", async (quant) => {
    const backend = createEmbeddedBackend(testBackendSettings({ model: testModelPath({ quant }) }));
    try {
      const result = await backend.generate(contractRequest("list files"));
      expect(result.command.trim().length).toBeGreaterThan(0);
    } finally {
      await backend.dispose();
    }
  });

  it("refuses to generate after dispose", async () => {
    const backend = createEmbeddedBackend(testBackendSettings({ model: testModelPath() }));
    await backend.dispose();
    const error = await failure(backend.generate(contractRequest("list files")));
    expect(error).toBeInstanceOf(BackendError);
  });
});

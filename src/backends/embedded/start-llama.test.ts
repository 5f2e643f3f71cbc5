import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { testModelPath, testTempDir } from "../../../test/support/test-model.js";
import { fileIdentity } from "../../cache-files.js";
import {
  AUTO_GPU_RECORD_TTL_MS,
  canStartDirectly,
  machineKey,
  recordApplies,
  startLlama,
  type MachineFacts,
  type RecordContext,
} from "./start-llama.js";

vi.setConfig({ testTimeout: 180_000 });

const FACTS: MachineFacts = {
  nodeLlamaCpp: "3.21.1",
  node: "20.20.2",
  moduleAbi: "115",
  platform: "linux",
  arch: "x64",
  kernel: "6.1.0-40-amd64",
  host: "box",
  cpu: "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz",
  cpuCount: 2,
  gpuDevices: [],
  gpu: "auto",
};

const BINARY = "1000:1:2:3:4";
const NOW = 1_800_000_000_000;

function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    machine: machineKey(FACTS),
    bindingPath: "/opt/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/llama-addon.node",
    binary: BINARY,
    notedAt: NOW - 1000,
    ...overrides,
  };
}

const CURRENT: RecordContext = { machine: machineKey(FACTS), binary: BINARY, gpu: "auto", now: NOW };

describe("machineKey", () => {
  it.each<[string, Partial<MachineFacts>]>([
    ["another node-llama-cpp", { nodeLlamaCpp: "3.22.0" }],
    ["another Node", { node: "22.0.0", moduleAbi: "127" }],
    ["another kernel", { kernel: "6.12.0" }],
    ["another host (a home folder shared between machines)", { host: "other" }],
    ["another CPU", { cpu: "AMD EPYC 7B13" }],
    ["another CPU count", { cpuCount: 8 }],
    ["a GPU driver set up since", { gpuDevices: ["/dev/nvidia0", "/dev/nvidiactl"] }],
    ["another gpu setting", { gpu: false }],
  ])("changes with %s", (_name, change) => {
    expect(machineKey({ ...FACTS, ...change })).not.toBe(machineKey(FACTS));
  });

  it("is the same for the same facts", () => {
    expect(machineKey({ ...FACTS })).toBe(machineKey(FACTS));
  });
});

describe("recordApplies", () => {
  it.each<[string, unknown, Partial<RecordContext>, boolean]>([
    ["a record of this machine and addon", record(), {}, true],
    ["no record", undefined, {}, false],
    ["a record that is not an object", "llama-addon.node", {}, false],
    ["another record version", record({ version: 2 }), {}, false],
    ["another machine", record({ machine: machineKey({ ...FACTS, host: "other" }) }), {}, false],
    ["a relative addon path", record({ bindingPath: "llama-addon.node" }), {}, false],
    ["an addon file that is gone", record(), { binary: undefined }, false],
    ["an addon file of another size", record(), { binary: "2000:1:2:3:4" }, false],
    ["an addon file written again", record(), { binary: "1000:1:9:3:4" }, false],
    ["another inode", record(), { binary: "1000:1:2:99:4" }, false],
    ["a record without the addon's identity", record({ binary: undefined }), {}, false],
    ["a record from the future (clock moved back)", record({ notedAt: NOW + 1000 }), {}, false],
    ["gpu auto, a day old", record({ notedAt: NOW - AUTO_GPU_RECORD_TTL_MS }), {}, false],
    ["gpu auto, just under a day old", record({ notedAt: NOW - AUTO_GPU_RECORD_TTL_MS + 1 }), {}, true],
    [
      "gpu off, a week old (no GPU search to repeat)",
      record({ notedAt: NOW - 7 * AUTO_GPU_RECORD_TTL_MS }),
      { gpu: false },
      true,
    ],
  ])("%s → %s", (_name, candidate, change, expected) => {
    expect(recordApplies(candidate, { ...CURRENT, ...change })).toBe(expected);
  });
});

describe("startLlama (real node-llama-cpp)", () => {
  async function start(cacheDirectory: string, log: string[] = []) {
    const library = await import("node-llama-cpp");
    return startLlama(library, {
      gpu: false,
      maxThreads: 1,
      logLevel: library.LlamaLogLevel.error,
      logger: () => undefined,
      cacheDirectory,
      log: (line) => log.push(line),
    });
  }

  it("still finds node-llama-cpp's internal factory (a direct start needs it)", async () => {
    expect(canStartDirectly(await import("node-llama-cpp"))).toBe(true);
  });

  it("tests the addon once, then starts the tested addon directly, and that llama.cpp runs a model", async () => {
    const cacheDirectory = fs.mkdtempSync(path.join(testTempDir(), "start-llama-"));
    const first = await start(cacheDirectory);
    await first.llama.dispose();
    expect(first.via).toBe("tested");
    const noted = JSON.parse(fs.readFileSync(path.join(cacheDirectory, "llama-binary.json"), "utf8")) as {
      bindingPath: string;
    };
    expect(path.basename(noted.bindingPath)).toBe("llama-addon.node");
    expect(fs.existsSync(noted.bindingPath)).toBe(true);

    const second = await start(cacheDirectory);
    try {
      expect(second.via).toBe("noted");
      expect(second.llama.gpu).toBe(false);
      expect(second.llama.buildType).toBe("prebuilt");
      const model = await second.llama.loadModel({ modelPath: testModelPath() });
      try {
        const context = await model.createContext({ contextSize: 256, threads: 1 });
        try {
          const sequence = context.getSequence();
          const tokens = model.tokenize("ls -la");
          const generated: number[] = [];
          for await (const token of sequence.evaluate(tokens, { temperature: 0 })) {
            generated.push(token);
            if (generated.length === 3) break;
          }
          expect(generated).toHaveLength(3);
        } finally {
          await context.dispose();
        }
      } finally {
        await model.dispose();
      }
    } finally {
      await second.llama.dispose();
    }
  });

  it("tests again when the note is unreadable, or names another addon file, and notes it anew", async () => {
    const cacheDirectory = fs.mkdtempSync(path.join(testTempDir(), "start-llama-"));
    const noteFile = path.join(cacheDirectory, "llama-binary.json");
    fs.writeFileSync(noteFile, "{not json");
    const afterCorrupt = await start(cacheDirectory);
    await afterCorrupt.llama.dispose();
    expect(afterCorrupt.via).toBe("tested");

    const note = JSON.parse(fs.readFileSync(noteFile, "utf8")) as { binary: string };
    fs.writeFileSync(noteFile, JSON.stringify({ ...note, binary: `1:${note.binary}` }));
    const afterChange = await start(cacheDirectory);
    await afterChange.llama.dispose();
    expect(afterChange.via).toBe("tested");
    const renewed = JSON.parse(fs.readFileSync(noteFile, "utf8")) as { binary: string };
    expect(renewed.binary).toBe(note.binary);
  });

  it("takes getLlama's way when the noted addon cannot be loaded, and says so", async () => {
    const cacheDirectory = fs.mkdtempSync(path.join(testTempDir(), "start-llama-"));
    const first = await start(cacheDirectory);
    await first.llama.dispose();
    // A note that applies (same machine, same file identity) to a file that is no addon: a broken install.
    const noteFile = path.join(cacheDirectory, "llama-binary.json");
    const note = JSON.parse(fs.readFileSync(noteFile, "utf8")) as { bindingPath: string };
    const copy = path.join(cacheDirectory, "addon", "llama-addon.node");
    fs.mkdirSync(path.dirname(copy));
    fs.writeFileSync(copy, "not an addon");
    const metadata = "_nlcBuildMetadata.json";
    fs.copyFileSync(
      path.join(path.dirname(note.bindingPath), metadata),
      path.join(path.dirname(copy), metadata),
    );
    const identity = await fileIdentity(copy);
    fs.writeFileSync(noteFile, JSON.stringify({ ...note, bindingPath: copy, binary: identity }));
    const log: string[] = [];
    const again = await start(cacheDirectory, log);
    await again.llama.dispose();
    expect(again.via).toBe("tested");
    expect(log.join("\n")).toMatch(/the noted llama\.cpp addon did not start .*testing it again/);
    const renewed = JSON.parse(fs.readFileSync(noteFile, "utf8")) as { bindingPath: string };
    expect(renewed.bindingPath).toBe(note.bindingPath);
  });
});

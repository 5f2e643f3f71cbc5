import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOllama } from "../../../test/support/fake-ollama-server.js";
import type { FakeServer } from "../../../test/support/fake-server-script.js";
import { unusedPort } from "../../../test/support/proxy-stand-in.js";
import { configSchema } from "../../config/schema.js";
import type { DoctorContext, DoctorResult } from "./doctor-check.js";
import type { DefaultModelStatus } from "./model-checks.js";
import { hubCheck, readinessCheck } from "./readiness-checks.js";
import { ollamaCheck } from "./server-checks.js";

let ollama: FakeServer;
let closed: number;
beforeAll(async () => {
  ollama = await startFakeOllama({ models: ["qwen2.5-coder:7b"] });
  closed = await unusedPort();
});
afterAll(async () => {
  await ollama.close();
});

function context(config: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): DoctorContext {
  const fullEnv = {
    OLLAMA_HOST: `127.0.0.1:${closed}`,
    OPENAI_BASE_URL: `http://127.0.0.1:${closed}/v1`,
    HF_ENDPOINT: `http://127.0.0.1:${closed}`,
    ...env,
  };
  const parsed = configSchema.parse(config);
  return {
    config: {
      ...parsed,
      ollama: { ...parsed.ollama, host: fullEnv.OLLAMA_HOST },
      openai: { ...parsed.openai, base_url: fullEnv.OPENAI_BASE_URL },
    },
    configFile: { path: "/nowhere/config.toml", exists: false },
    configWarnings: [],
    env: fullEnv,
    paths: { env: fullEnv, platform: "linux", homedir: "/nowhere" },
    networkTimeoutMs: 500,
  };
}

const present = (): Promise<DefaultModelStatus> =>
  Promise.resolve({ model: "qwen2.5-coder-1.5b", state: "present", path: "/models/q.gguf" });
const missing = (): Promise<DefaultModelStatus> =>
  Promise.resolve({ model: "qwen2.5-coder-1.5b", state: "missing" });

async function ready(status: typeof present, given: DoctorContext): Promise<DoctorResult> {
  const result = await readinessCheck(status).run(given);
  return Array.isArray(result) ? (result[0] as DoctorResult) : result;
}

describe("readinessCheck", () => {
  it("names the embedded backend and its model when the model is there", async () => {
    const result = await ready(present, context());
    expect(result).toMatchObject({
      status: "ok",
      message: "yes, by embedded: qwen2.5-coder-1.5b at /models/q.gguf",
    });
  });

  it("fails when no backend in the chain can answer, naming pull and import", async () => {
    const result = await ready(missing, context({ fallback: ["ollama"] }));
    expect(result.status).toBe("fail");
    expect(result.message).toMatch(
      /^no backend can answer now \(embedded: qwen2\.5-coder-1\.5b is not downloaded yet; ollama: Cannot reach Ollama at \S+ \(connection refused\)\)$/,
    );
    expect(result.fix).toBe(
      "Download the model (1.0 GiB): `cmdai models pull qwen2.5-coder-1.5b`; or bring a .gguf file you have: `cmdai models import FILE.gguf --as qwen2.5-coder-1.5b`.",
    );
  });

  it("names a fallback that answers, and why the first one cannot", async () => {
    const result = await ready(missing, context({ fallback: ["ollama"] }, { OLLAMA_HOST: ollama.url }));
    expect(result.status).toBe("ok");
    expect(result.message).toBe(
      `yes, by ollama: ${ollama.url} (qwen2.5-coder:7b) (falling back; embedded: qwen2.5-coder-1.5b is not downloaded yet)`,
    );
  });

  it("takes the Ollama check's answer rather than probing the server again", async () => {
    const shared = context({ fallback: ["ollama"] }, { OLLAMA_HOST: ollama.url });
    const before = ollama.requests.filter((request) => request.path === "/api/tags").length;
    await Promise.all([ollamaCheck.run(shared), ready(missing, shared)]);
    expect(ollama.requests.filter((request) => request.path === "/api/tags").length - before).toBe(1);
  });

  it("offers a server found running here first, and no download offline", async () => {
    const result = await ready(missing, context({ offline: true }, { OLLAMA_HOST: ollama.url }));
    expect(result.status).toBe("fail");
    expect(result.fix).toMatch(
      /^Use Ollama at \S+ \(qwen2\.5-coder:7b\): `cmdai config set ollama\.host \S+ && cmdai config set backend ollama`; or bring a \.gguf file/,
    );
    expect(result.fix).not.toContain("models pull");
  });
});

describe("hubCheck", () => {
  it("is skipped offline without a request", async () => {
    const result = (await hubCheck.run(context({ offline: true }))) as DoctorResult;
    expect(result).toMatchObject({ status: "ok" });
    expect(result.message).toMatch(/^not checked: offline/);
  });

  it("warns with the host and reason when the hub cannot be reached", async () => {
    const result = (await hubCheck.run(context())) as DoctorResult;
    expect(result.status).toBe("warn");
    expect(result.message).toBe(
      `Cannot reach http://127.0.0.1:${closed}: cannot reach 127.0.0.1:${closed} (connection refused)`,
    );
  });
});

/**
 * End-to-end tests of `cmdai doctor` and `cmdai --version --verbose` against the built CLI, in a temporary
 * home with no model, and with real loopback HTTP servers (or closed loopback ports) for Ollama and OpenAI.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHubServer, type HubServer } from "../support/hub-server.js";
import { startProxyStandIn, type ProxyStandIn } from "../support/proxy-stand-in.js";
import { makeTemporaryHome, repositoryRoot, runBuiltCli } from "../support/run-built-cli.js";
import { testModelPath } from "../support/test-model.js";

interface DoctorJson {
  ok: boolean;
  version: string;
  counts: { ok: number; warn: number; fail: number };
  results: { id: string; status: "ok" | "warn" | "fail"; message: string; fix?: string; details?: unknown }[];
}

const DOCTOR_TIMEOUT_MS = 90_000;

let home: ReturnType<typeof makeTemporaryHome>;
beforeEach(() => {
  home = makeTemporaryHome();
});
afterEach(() => {
  home.cleanup();
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

/** A loopback server speaking Ollama's `/api/tags` and OpenAI's `/v1/models`, as the real servers answer them. */
async function fakeModelServer(): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(`${request.method ?? ""} ${request.url ?? ""}`);
    response.setHeader("content-type", "application/json");
    if (request.url === "/api/tags") {
      response.end(
        JSON.stringify({
          models: [
            {
              name: "qwen2.5-coder:1.5b",
              model: "qwen2.5-coder:1.5b",
              modified_at: "2026-01-05T10:00:00Z",
              size: 986061892,
              digest: "6d3abb8d2d53",
              details: {
                format: "gguf",
                family: "qwen2",
                parameter_size: "1.5B",
                quantization_level: "Q4_K_M",
              },
            },
          ],
        }),
      );
    } else if (request.url === "/v1/models") {
      response.end(
        JSON.stringify({ object: "list", data: [{ id: "local-coder", object: "model", owned_by: "me" }] }),
      );
    } else {
      response.statusCode = 404;
      response.end(JSON.stringify({ error: "not found" }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

async function absentServersEnv(): Promise<NodeJS.ProcessEnv> {
  return {
    ...home.env,
    OLLAMA_HOST: `127.0.0.1:${await closedPort()}`,
    OPENAI_BASE_URL: `http://127.0.0.1:${await closedPort()}/v1`,
    // Never the real hub: a closed loopback port stands for a network without it.
    HF_ENDPOINT: `http://127.0.0.1:${await closedPort()}`,
  };
}

function resultById(report: DoctorJson, id: string): DoctorJson["results"][number] {
  const result = report.results.find((entry) => entry.id === id);
  expect(result, `doctor result "${id}"`).toBeDefined();
  return result!;
}

describe("cmdai doctor", () => {
  it(
    "fails on a machine where no backend can answer (no model, no servers), with a fix for every missing piece",
    async () => {
      const env = await absentServersEnv();
      const run = await runBuiltCli(["doctor", "--json"], { env, timeoutMs: DOCTOR_TIMEOUT_MS });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout) as DoctorJson;
      expect(report.ok).toBe(false);
      expect(report.counts.fail).toBe(1);
      const ready = resultById(report, "ready");
      expect(ready.status).toBe("fail");
      expect(ready.message).toContain("embedded: qwen2.5-coder-1.5b is not downloaded yet");
      expect(ready.fix).toContain("`cmdai models pull qwen2.5-coder-1.5b`");
      expect(ready.fix).toContain("`cmdai models import FILE.gguf --as qwen2.5-coder-1.5b`");
      expect(ready.fix).not.toContain("config set backend");
      const hub = resultById(report, "hub");
      expect(hub.status).toBe("warn");
      expect(hub.message).toMatch(
        /^Cannot reach http:\/\/127\.0\.0\.1:\d+: cannot reach 127\.0\.0\.1:\d+ \(connection refused\)/,
      );
      for (const id of [
        "node",
        "platform",
        "config",
        "llama",
        "threads",
        "model-cache",
        "model",
        "ollama",
        "openai",
        "proxy",
        "hub",
        "shell-integration",
      ]) {
        resultById(report, id);
      }
      for (const id of ["model", "ollama", "openai", "shell-integration"]) {
        const result = resultById(report, id);
        expect(result.status).toBe("warn");
        expect(result.fix).toMatch(/\S/);
      }
      expect(resultById(report, "ollama").message).toMatch(
        /^Cannot reach Ollama at \S+ \(connection refused\)/,
      );
      expect(resultById(report, "model-cache").message).toContain(
        path.join(home.root, "cache", "cmdai", "models"),
      );
      for (const result of report.results) if (result.status !== "ok") expect(result.fix).toBeTruthy();
    },
    DOCTOR_TIMEOUT_MS,
  );

  it(
    "prints one line per check with its fix, the answer to 'can a request be answered' first",
    async () => {
      const run = await runBuiltCli(["doctor"], {
        env: await absentServersEnv(),
        timeoutMs: DOCTOR_TIMEOUT_MS,
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^\[FAIL\] Ready for a request +no backend can answer now/);
      expect(run.stdout).toMatch(/1 broken, \d+ warning\(s\), \d+ ok: fix the FAIL lines above\./);
      expect(run.stdout).toMatch(/^\[warn\] Default model .*\n\s+fix: /m);
      expect(run.stdout).toMatch(/^\[warn\] Shell integration .*\n\s+fix: .*cmdai init/m);
      expect(run.stdout).toMatch(/^\[ok {2}\] Node\.js/m);
    },
    DOCTOR_TIMEOUT_MS,
  );

  it(
    "reports a broken config as a FAIL line and exits non-zero, still running the other checks",
    async () => {
      fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
      fs.writeFileSync(home.configFile, 'backend = "ollama"\ntimeout = = 3\n');
      const run = await runBuiltCli(["doctor", "--json"], {
        env: await absentServersEnv(),
        timeoutMs: DOCTOR_TIMEOUT_MS,
      });
      expect(run.code).not.toBe(0);
      const report = JSON.parse(run.stdout) as DoctorJson;
      expect(report.ok).toBe(false);
      const config = resultById(report, "config");
      expect(config.status).toBe("fail");
      expect(config.message).toContain("config.toml");
      expect(config.fix).toMatch(/\S/);
      expect(resultById(report, "node").status).toBe("ok");
      expect(resultById(report, "ollama").status).toBe("warn");
    },
    DOCTOR_TIMEOUT_MS,
  );

  it(
    "finds live servers, shell integration and masks proxy credentials",
    async () => {
      const server = await fakeModelServer();
      try {
        fs.writeFileSync(path.join(home.root, ".bashrc"), 'export PATH="$PATH"\neval "$(cmdai init bash)"\n');
        const run = await runBuiltCli(["doctor", "--json"], {
          env: {
            ...home.env,
            OLLAMA_HOST: server.url,
            OPENAI_BASE_URL: `${server.url}/v1`,
            HTTPS_PROXY: "http://alice:s3cr3t-token@proxy.invalid:3128",
            NO_PROXY: "127.0.0.1,localhost",
            HF_ENDPOINT: server.url,
          },
          timeoutMs: DOCTOR_TIMEOUT_MS,
        });
        expect(run.code).toBe(1);
        const report = JSON.parse(run.stdout) as DoctorJson;
        const ollama = resultById(report, "ollama");
        expect(ollama.status).toBe("ok");
        expect(ollama.message).toContain("qwen2.5-coder:1.5b");
        expect(resultById(report, "openai")).toMatchObject({ status: "ok" });
        expect(resultById(report, "openai").message).toContain("local-coder");
        expect(server.requests).toEqual(expect.arrayContaining(["GET /api/tags", "GET /v1/models"]));
        expect(resultById(report, "shell-integration").status).toBe("ok");
        // No model, but a running Ollama: doctor says so and how to use it, and still fails (nothing answers
        // with today's configuration).
        const ready = resultById(report, "ready");
        expect(ready.status).toBe("fail");
        expect(ready.fix).toContain(`Use Ollama at ${server.url} (qwen2.5-coder:1.5b)`);
        expect(ready.fix).toContain("`cmdai config set ollama.host");
        const proxy = resultById(report, "proxy");
        expect(proxy.message).toContain("proxy.invalid:3128");
        expect(run.stdout).not.toContain("s3cr3t-token");
        expect(run.stdout).not.toContain("alice");
      } finally {
        await server.close();
      }
    },
    DOCTOR_TIMEOUT_MS,
  );

  it(
    "fails on a damaged model file the config points at (JSON via -o json too)",
    async () => {
      const model = path.join(home.root, "broken.gguf");
      fs.writeFileSync(model, "this is not a model");
      const run = await runBuiltCli(["-o", "json", "doctor"], {
        env: { ...(await absentServersEnv()), CMDAI_MODEL: model },
        timeoutMs: DOCTOR_TIMEOUT_MS,
      });
      expect(run.code).not.toBe(0);
      const result = resultById(JSON.parse(run.stdout) as DoctorJson, "model");
      expect(result.status).toBe("fail");
      expect(result.fix).toMatch(/\S/);
    },
    DOCTOR_TIMEOUT_MS,
  );
});

describe("cmdai --version --verbose", () => {
  it("names cmdai, node-llama-cpp, llama.cpp, Node.js and the platform", async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repositoryRoot, "package.json"), "utf8")) as {
      version: string;
      dependencies: Record<string, string>;
    };
    const run = await runBuiltCli(["--version", "--verbose"], { env: home.env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`cmdai ${manifest.version}`);
    expect(run.stdout).toContain(`node-llama-cpp ${manifest.dependencies["node-llama-cpp"] ?? "?"}`);
    expect(run.stdout).toMatch(/^llama\.cpp v?\d+\.\d+|^llama\.cpp b\d+/m);
    expect(run.stdout).toContain(`node ${process.versions.node}`);
    expect(run.stdout).toContain(`platform ${process.platform} ${process.arch}`);
  });

  it("prints the report as JSON with -o json, and the bare version without --verbose", async () => {
    const verbose = await runBuiltCli(["-V", "-v", "-o", "json"], { env: home.env });
    expect(verbose.code).toBe(0);
    expect(JSON.parse(verbose.stdout)).toMatchObject({
      nodeLlamaCpp: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown,
      llamaCpp: { release: expect.any(String) as unknown },
      node: process.versions.node,
    });
    const bare = await runBuiltCli(["--version", "--offline"], { env: home.env });
    expect(bare.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("cmdai doctor: can a request be answered now, and is the hub reachable", () => {
  const DEFAULT_REPO = "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF";
  const DEFAULT_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf";
  let hub: HubServer | undefined;
  let proxy: ProxyStandIn | undefined;
  afterEach(async () => {
    await hub?.close();
    await proxy?.close();
    hub = undefined;
    proxy = undefined;
  });

  async function doctor(env: NodeJS.ProcessEnv): Promise<{ code: number | null; report: DoctorJson }> {
    const run = await runBuiltCli(["doctor", "--json"], {
      env: { ...(await absentServersEnv()), ...env },
      timeoutMs: DOCTOR_TIMEOUT_MS,
    });
    return { code: run.code, report: JSON.parse(run.stdout) as DoctorJson };
  }

  it(
    "names the embedded backend when its model is there, and the hub as reachable",
    async () => {
      hub = await startHubServer();
      hub.addFile(DEFAULT_REPO, DEFAULT_FILE, Buffer.from("GGUF tiny"));
      const { code, report } = await doctor({ CMDAI_MODEL: testModelPath(), HF_ENDPOINT: hub.endpoint });
      const ready = resultById(report, "ready");
      expect(ready.status).toBe("ok");
      expect(ready.message).toMatch(/^yes, by embedded: /);
      expect(resultById(report, "hub")).toMatchObject({ status: "ok" });
      expect(resultById(report, "hub").message).toContain(`${hub.endpoint} reachable (HTTP`);
      expect(hub.requests.some((request) => request.method === "HEAD")).toBe(true);
      expect(code).toBe(0);
    },
    DOCTOR_TIMEOUT_MS,
  );

  it(
    "names a configured Ollama that answers, and a fallback when the first backend cannot",
    async () => {
      const server = await fakeModelServer();
      try {
        fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
        fs.writeFileSync(home.configFile, 'fallback = ["ollama"]\n');
        const { code, report } = await doctor({ OLLAMA_HOST: server.url });
        const ready = resultById(report, "ready");
        expect(ready.status).toBe("ok");
        expect(ready.message).toContain(`yes, by ollama: ${server.url} (qwen2.5-coder:1.5b)`);
        expect(ready.message).toContain("embedded: qwen2.5-coder-1.5b is not downloaded yet");
        expect(code).toBe(0);
      } finally {
        await server.close();
      }
    },
    DOCTOR_TIMEOUT_MS,
  );

  it(
    "reports a proxy that refuses the tunnel to the hub, naming the proxy, within the bound",
    async () => {
      proxy = await startProxyStandIn(() => ({ refuse: 403 }));
      const { report } = await doctor({
        HF_ENDPOINT: "http://hub.invalid",
        HTTP_PROXY: proxy.url,
        http_proxy: proxy.url,
      });
      const result = resultById(report, "hub");
      expect(result.status).toBe("warn");
      expect(result.message).toContain(`the proxy at ${proxy.address} refused to tunnel to hub.invalid:80`);
      expect(result.fix).toContain("cmdai models import FILE.gguf");
      expect(proxy.connects.map((connect) => connect.target)).toEqual(["hub.invalid:80"]);
    },
    DOCTOR_TIMEOUT_MS,
  );

  it(
    "does not touch the network for the hub when offline, and offers no download",
    async () => {
      const { report } = await doctor({ HF_HUB_OFFLINE: "1" });
      expect(resultById(report, "hub").message).toMatch(/^not checked: offline/);
      const ready = resultById(report, "ready");
      expect(ready.status).toBe("fail");
      expect(ready.fix).not.toContain("models pull");
      expect(ready.fix).toContain("models import FILE.gguf");
    },
    DOCTOR_TIMEOUT_MS,
  );

  it(
    "names the command the user can run under npx",
    async () => {
      const { report } = await doctor({ npm_command: "exec" });
      expect(resultById(report, "ready").fix).toContain("`npx cmdai models pull qwen2.5-coder-1.5b`");
    },
    DOCTOR_TIMEOUT_MS,
  );
});

/**
 * The built CLI against loopback Ollama and OpenAI-compatible stand-ins: answer extraction, what every
 * request carries, retries, deadlines, and the JSON error contract.
 */
import fs from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeReply, FakeServer } from "../support/fake-server-script.js";
import { startFakeOllama } from "../support/fake-ollama-server.js";
import { startFakeOpenAi } from "../support/fake-openai-server.js";
import { closedPort } from "../support/server-backend-settings.js";
import { makeTemporaryHome, repositoryRoot, runBuiltCli } from "../support/run-built-cli.js";

const validateOutput = new Ajv({ allErrors: true }).compile(
  JSON.parse(fs.readFileSync(path.join(repositoryRoot, "docs", "output.schema.json"), "utf8")) as object,
);

const ANSWERS: Record<string, string> = {
  json: '{"command": "echo hello-from-cmdai"}',
  "fenced in prose":
    "Sure! Here is the command you need:\n\n```bash\necho hello-from-cmdai\n```\n\nIt prints a greeting.",
  "think-prefixed":
    '<think>\nThe user wants a greeting. echo is right.\n</think>\n{"command": "echo hello-from-cmdai"}',
};

let home: ReturnType<typeof makeTemporaryHome>;
let server: FakeServer | undefined;
beforeEach(() => {
  home = makeTemporaryHome();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  home.cleanup();
});

type Kind = "ollama" | "openai";

async function start(kind: Kind, script: FakeReply[]): Promise<{ env: NodeJS.ProcessEnv }> {
  if (kind === "ollama") {
    server = await startFakeOllama({ script, models: ["m"] });
    return { env: { ...home.env, OLLAMA_HOST: server.url } };
  }
  server = await startFakeOpenAi({ script, models: ["m"], apiKey: "sk-test-123" });
  return { env: { ...home.env, OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "sk-test-123" } };
}

for (const kind of ["ollama", "openai"] as const) {
  describe(`--backend ${kind}`, () => {
    for (const [shape, content] of Object.entries(ANSWERS)) {
      it(`extracts the command from a ${shape} answer`, async () => {
        const { env } = await start(kind, [content]);
        const run = await runBuiltCli(
          ["--backend", kind, "--model", "m", "--output", "json", "--dry-run", "say hello"],
          { env },
        );
        expect(run.code).toBe(0);
        const document = JSON.parse(run.stdout) as { command: string; backend: string; executed: boolean };
        expect(document).toMatchObject({ command: "echo hello-from-cmdai", backend: kind, executed: false });
        expect(validateOutput(document)).toBe(true);
      });
    }

    it("sends the target shell and a structured-output format in every generation request", async () => {
      const { env } = await start(kind, [ANSWERS.json ?? ""]);
      const run = await runBuiltCli(
        ["--backend", kind, "--model", "m", "--shell", "zsh", "-o", "json", "--dry-run", "say hello"],
        { env },
      );
      expect(run.code).toBe(0);
      const requests = server?.generationRequests() ?? [];
      expect(requests.length).toBeGreaterThan(0);
      for (const request of requests) {
        expect(request.rawBody).toContain("zsh");
        const body = request.body as Record<string, unknown>;
        expect(kind === "ollama" ? body.format : body.response_format).toBeDefined();
        if (kind === "openai") expect(request.headers.authorization).toBe("Bearer sk-test-123");
      }
    });

    it("retries two 503s and then succeeds", async () => {
      const { env } = await start(kind, [
        { kind: "status", status: 503, headers: { "Retry-After": "0" } },
        { kind: "status", status: 503 },
        ANSWERS.json ?? "",
      ]);
      const run = await runBuiltCli(
        ["--backend", kind, "--model", "m", "-o", "json", "--dry-run", "say hello"],
        { env },
      );
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ command: "echo hello-from-cmdai" });
      expect(server?.generationRequests()).toHaveLength(3);
    });

    it("gives up on a stalled server soon after --timeout", async () => {
      const { env } = await start(kind, [{ kind: "stall", ms: 20_000 }]);
      const started = Date.now();
      const run = await runBuiltCli(
        ["--backend", kind, "--model", "m", "--timeout", "3", "-o", "json", "--dry-run", "say hello"],
        { env },
      );
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(run.code).toBe(5);
      expect(JSON.parse(run.stdout)).toHaveProperty("error.code");
    });

    it("fails with a JSON error and no command when the answer holds no command", async () => {
      const { env } = await start(kind, ["I am sorry, I cannot help with that request."]);
      const run = await runBuiltCli(
        ["--backend", kind, "--model", "m", "-o", "json", "--dry-run", "say hello"],
        { env },
      );
      expect(run.code).not.toBe(0);
      const document = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(document).not.toHaveProperty("command");
      expect(document).toHaveProperty("error.code", "answer_unparseable");
      expect(validateOutput(document)).toBe(true);
    });
  });
}

describe("unreachable servers", () => {
  it("exits 5 when nothing listens for --backend ollama", async () => {
    const port = await closedPort();
    const run = await runBuiltCli(["--backend", "ollama", "--model", "m", "-o", "json", "list files"], {
      env: { ...home.env, OLLAMA_HOST: `127.0.0.1:${port}` },
    });
    expect(run.code).toBe(5);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: "backend_unavailable" } });
  });

  it("never falls back from an explicit backend, but does from the configured one", async () => {
    const port = await closedPort();
    server = await startFakeOpenAi({ script: [ANSWERS.json ?? ""], models: ["m"] });
    fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
    fs.writeFileSync(home.configFile, 'backend = "ollama"\nfallback = ["openai"]\n');
    const env = { ...home.env, OLLAMA_HOST: `127.0.0.1:${port}`, OPENAI_BASE_URL: server.url };
    const explicit = await runBuiltCli(["--backend", "ollama", "-o", "json", "--dry-run", "say hello"], {
      env,
    });
    expect(explicit.code).toBe(5);
    const configured = await runBuiltCli(["-o", "json", "--dry-run", "--verbose", "say hello"], { env });
    expect(configured.code).toBe(0);
    expect(JSON.parse(configured.stdout)).toMatchObject({
      backend: "openai",
      command: "echo hello-from-cmdai",
    });
    expect(configured.stderr).toMatch(/falling back to openai/);
  });
});

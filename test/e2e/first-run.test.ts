/**
 * The first request without a model (issue 16 §2), through the built CLI: a loopback Ollama stand-in found
 * through OLLAMA_HOST, and an OpenAI-compatible one through OPENAI_BASE_URL, are offered next to the download
 * in a real terminal (tmux) and named in the error without one. Hugging Face points at a closed port, so a
 * download attempt would fail loudly instead of reaching anywhere.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAi } from "../support/fake-openai-server.js";
import type { FakeServer } from "../support/fake-server-script.js";
import { unusedPort } from "../support/proxy-stand-in.js";
import { useRequestWorkspace } from "../support/request-workspace.js";
import { builtCli, runBuiltCli } from "../support/run-built-cli.js";
import { hasTmux, TmuxSession } from "../support/tmux.js";

const workspace = useRequestWorkspace();
let session: TmuxSession | undefined;
let closedPort = 0;
let openai: FakeServer | undefined;

beforeAll(async () => {
  closedPort = await unusedPort();
  openai = await startFakeOpenAi({ models: ["qwen2.5-coder-7b-instruct"], script: ['{"command":"ls -la"}'] });
});
afterAll(async () => {
  await openai?.close();
});
afterEach(async () => {
  await session?.kill();
  session = undefined;
});

/** A home with no model, the stand-in Ollama on OLLAMA_HOST, the hub unreachable. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...workspace.home.env,
    OLLAMA_HOST: workspace.ollama.url,
    HF_ENDPOINT: `http://127.0.0.1:${closedPort}`,
    NO_COLOR: "1",
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    ...extra,
  };
}

function generationsSince(start: number): number {
  return workspace.ollama.generationRequests().length - start;
}

describe("the first request without a model, no terminal", () => {
  it("names the running Ollama and how to use it, and downloads nothing (exit 5)", async () => {
    const before = workspace.ollama.generationRequests().length;
    const run = await runBuiltCli(["--shell", "bash", "list files"], { env: env() });
    expect(run.code).toBe(5);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("Model qwen2.5-coder-1.5b is not downloaded yet (1.0 GiB)");
    expect(run.stderr).toContain(`Ollama at ${workspace.ollama.url} (m:latest) is running`);
    expect(run.stderr).toContain(
      `cmdai config set ollama.host ${workspace.ollama.url} && cmdai config set backend ollama`,
    );
    expect(run.stderr).toContain("cmdai models pull qwen2.5-coder-1.5b");
    expect(generationsSince(before)).toBe(0);
  });

  it("says the same in the JSON error document", async () => {
    const run = await runBuiltCli(["--shell", "bash", "-o", "json", "list files"], { env: env() });
    expect(run.code).toBe(5);
    const document = JSON.parse(run.stdout) as { error: { code: string; message: string; hint: string } };
    expect(document.error.code).toBe("model_not_found");
    expect(document.error.message).toContain("Ollama at");
    expect(document.error.hint).toContain("config set backend ollama");
  });

  it("names an OpenAI-compatible server found at OPENAI_BASE_URL, and npx in the hint under npx", async () => {
    const run = await runBuiltCli(["--shell", "bash", "list files"], {
      env: env({
        OLLAMA_HOST: `127.0.0.1:${closedPort}`,
        OPENAI_BASE_URL: openai?.url,
        npm_command: "exec",
      }),
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(`vLLM at ${openai?.url} (qwen2.5-coder-7b-instruct) is running`);
    expect(run.stderr).toContain(
      `npx cmdai config set openai.base_url ${openai?.url} && npx cmdai config set backend openai`,
    );
  });

  it("without any server keeps the plain download hint", async () => {
    const run = await runBuiltCli(["--shell", "bash", "list files"], {
      env: env({ OLLAMA_HOST: `127.0.0.1:${closedPort}` }),
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain("Model qwen2.5-coder-1.5b is not downloaded yet");
    expect(run.stderr).not.toContain("is running");
  });

  it("offline, names the server and suggests importing a file instead of pulling", async () => {
    const run = await runBuiltCli(["--shell", "bash", "--offline", "list files"], { env: env() });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain("is running");
    expect(run.stderr).toContain("cmdai models import FILE.gguf");
  });
});

describe.skipIf(!hasTmux())("the first request without a model, in a terminal", { timeout: 120_000 }, () => {
  it("offers the running Ollama next to the download; Enter uses it for this request", async () => {
    const before = workspace.ollama.generationRequests().length;
    session = await TmuxSession.start({
      command: [process.execPath, builtCli, "--shell", "bash", "say hello"],
      env: env(),
      cwd: workspace.workdir,
    });
    const offer = await session.waitFor("Choose 1-2");
    expect(offer).toContain(`1) use Ollama at ${workspace.ollama.url} (m:latest)`);
    expect(offer).toMatch(/2\) download qwen2\.5-coder-1\.5b \(1\.0 GiB\) to \S+\.gguf/);
    await session.sendKeys("Enter");
    const menu = await session.waitFor("r run");
    expect(menu).toContain("using Ollama for this request; to keep it:");
    expect(menu).toContain("$ echo hello-from-cmdai");
    expect(generationsSince(before)).toBe(1);
    const [generation] = workspace.ollama.generationRequests().slice(-1);
    expect((generation?.body as { model?: string }).model).toBe("m:latest");
    await session.sendKeys("q");
    expect(await session.waitForExit()).toBe(4);
  });

  it("n cancels with the way forward named (exit 5), nothing downloaded", async () => {
    session = await TmuxSession.start({
      command: [process.execPath, builtCli, "--shell", "bash", "say hello"],
      env: env(),
      cwd: workspace.workdir,
    });
    await session.waitFor("Choose 1-2");
    await session.type("n");
    await session.sendKeys("Enter");
    expect(await session.waitForExit()).toBe(5);
    const screen = await session.screen();
    expect(screen).toContain("No model chosen");
    expect(screen).toContain("config set backend ollama");
  });

  it("offline, offers only the server", async () => {
    session = await TmuxSession.start({
      command: [process.execPath, builtCli, "--shell", "bash", "--offline", "say hello"],
      env: env(),
      cwd: workspace.workdir,
    });
    const offer = await session.waitFor("Choose 1-1");
    expect(offer).not.toContain("download qwen");
    await session.sendKeys("Enter");
    await session.waitFor("r run");
    await session.sendKeys("q");
    expect(await session.waitForExit()).toBe(4);
  });
});

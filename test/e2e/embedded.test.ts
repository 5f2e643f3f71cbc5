/**
 * The embedded backend through the built CLI on a synthetic GGUF written by `npm run make-test-model`'s
 * generator: JSON answers, bad model files, and the warm model server.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSyntheticModel } from "../fixtures/gguf/synthetic-model.js";
import { makeTemporaryHome, runBuiltCli } from "../support/run-built-cli.js";

let home: ReturnType<typeof makeTemporaryHome>;
let modelPath: string;

beforeAll(() => {
  home = makeTemporaryHome();
  modelPath = path.join(home.root, "tiny.gguf");
  writeSyntheticModel(modelPath, {});
});
afterAll(async () => {
  await runBuiltCli(["server", "stop"], { env: home.env });
  home.cleanup();
});

interface Document {
  command?: string;
  backend?: string;
  model?: string;
  executed: boolean;
  timingsMs: { total: number; load?: number; generate?: number };
  error?: { code: string; message: string };
}

describe("embedded backend through the CLI", () => {
  it("answers three different requests with a command, as JSON, running nothing", async () => {
    const requests = ["list files", "show disk usage of this folder", "count lines in all .ts files"];
    for (const [index, request] of requests.entries()) {
      const run = await runBuiltCli(["--model", modelPath, "--output", "json", "--dry-run", "-v", request], {
        env: home.env,
        timeoutMs: 180_000,
      });
      expect(run.code).toBe(0);
      // The first request does not wait for a server to start: it answers in-process and starts one after.
      expect(run.stderr.includes("no model server is running: inferring in-process")).toBe(index === 0);
      expect(run.stderr.includes("for the next request")).toBe(index === 0);
      const document = JSON.parse(run.stdout) as Document;
      expect(document.command?.trim().length).toBeGreaterThan(0);
      expect(document).toMatchObject({ backend: "embedded", model: "tiny.gguf", executed: false });
      expect(typeof document.timingsMs.load).toBe("number");
      expect(typeof document.timingsMs.generate).toBe("number");
      // The model's share is a `-v` line (the server's too), not part of the JSON contract.
      expect(Object.keys(document.timingsMs).sort()).toEqual(["generate", "load", "total"]);
      expect(run.stderr).toMatch(/answer tokens; model time: prompt \d+ ms, answer \d+ ms; level /);
    }
  }, 600_000);

  it("keeps the model warm in a background server between requests", async () => {
    const status = await runBuiltCli(["server", "status", "--json"], { env: home.env });
    const servers = (JSON.parse(status.stdout) as { servers: { model: string; served: number }[] }).servers;
    expect(servers.length).toBe(1);
    // The two requests after the first.
    expect(servers[0]?.served).toBe(2);
    const stop = await runBuiltCli(["server", "stop"], { env: home.env });
    expect(stop.code).toBe(0);
    expect(
      (
        JSON.parse((await runBuiltCli(["server", "status", "--json"], { env: home.env })).stdout) as {
          servers: unknown[];
        }
      ).servers,
    ).toEqual([]);
  }, 120_000);

  it("infers in-process when the warm server is switched off", async () => {
    fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
    fs.writeFileSync(home.configFile, "[embedded]\nkeep_alive = 0\n");
    try {
      const run = await runBuiltCli(["--model", modelPath, "-o", "json", "--dry-run", "list files"], {
        env: home.env,
        timeoutMs: 180_000,
      });
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as Document).command?.length).toBeGreaterThan(0);
      expect(
        (
          JSON.parse((await runBuiltCli(["server", "status", "--json"], { env: home.env })).stdout) as {
            servers: unknown[];
          }
        ).servers,
      ).toEqual([]);
    } finally {
      fs.rmSync(home.configFile);
    }
  }, 240_000);

  it("fails cleanly on a truncated model, with a JSON error and no signal", async () => {
    const truncated = path.join(home.root, "truncated.gguf");
    const bytes = fs.readFileSync(modelPath);
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const run = await runBuiltCli(["--model", truncated, "-o", "json", "--dry-run", "list files"], {
      env: home.env,
      timeoutMs: 120_000,
    });
    expect(run.signal).toBeNull();
    expect(run.code).not.toBe(0);
    const document = JSON.parse(run.stdout) as Document;
    expect(document.command).toBeUndefined();
    expect(document.error?.code).toBe("model_invalid");
  }, 180_000);

  it("names the path of a missing model file", async () => {
    const missing = path.join(home.root, "nope", "missing.gguf");
    const run = await runBuiltCli(["--model", missing, "-o", "json", "--dry-run", "list files"], {
      env: home.env,
    });
    expect(run.code).not.toBe(0);
    expect((JSON.parse(run.stdout) as Document).error?.message).toContain(missing);
  }, 120_000);

  it("without a terminal, asks for nothing and names the exact pull command for a missing catalog model", async () => {
    const run = await runBuiltCli(
      ["--model", "qwen2.5-coder-0.5b", "-o", "json", "--dry-run", "list files"],
      {
        env: { ...home.env, HF_ENDPOINT: "http://127.0.0.1:9" },
      },
    );
    expect(run.code).toBe(5);
    const document = JSON.parse(run.stdout) as Document & { error: { hint?: string } };
    expect(`${document.error.message} ${document.error.hint ?? ""}`).toContain("cmdai models pull");
  }, 120_000);
});

/**
 * `cmdai eval` through the built CLI: 20 NL2SH-ALFA prompts against a loopback OpenAI-compatible stand-in that
 * answers with the references (the table, then the JSON document), 5 prompts on the embedded backend with the
 * synthetic test model, and the refusal without a sandbox.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEvalSuite } from "../../src/eval/eval-suites.js";
import { writeSyntheticModel } from "../fixtures/gguf/synthetic-model.js";
import { evalAnswerScript } from "../support/eval-stand-in.js";
import { startFakeOpenAi } from "../support/fake-openai-server.js";
import type { FakeServer } from "../support/fake-server-script.js";
import { makeTemporaryHome, runBuiltCli } from "../support/run-built-cli.js";

interface EvalDocument {
  suite: string;
  backend: string;
  summary: {
    overall: { prompts: number; correct: number; accuracy: number };
    exact: number;
    unparseable: number;
  };
  records: { index: number; status: string; command?: string; timeToCommandMs?: number }[];
}

let home: ReturnType<typeof makeTemporaryHome>;
let server: FakeServer;

beforeAll(async () => {
  home = makeTemporaryHome();
  const references = new Map(
    loadEvalSuite("nl2sh-alfa").map((prompt) => [prompt.request.trim(), prompt.references[0] ?? ""]),
  );
  server = await startFakeOpenAi({
    script: evalAnswerScript((request) => references.get(request) ?? "false"),
  });
});
afterAll(async () => {
  await server.close();
  home.cleanup();
});

describe("cmdai eval", () => {
  it("scores 20 ALFA prompts on the openai backend: the table, then every record as JSON", async () => {
    const env = { ...home.env, OPENAI_BASE_URL: server.url };
    const plain = await runBuiltCli(
      ["eval", "--suite", "nl2sh-alfa", "--limit", "20", "--backend", "openai"],
      {
        env,
        timeoutMs: 120_000,
      },
    );
    expect(plain.stderr).toBe("");
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^cmdai eval: nl2sh-alfa, openai/);
    expect(plain.stdout).toMatch(/accuracy\s+100\.0% \(20\/20\)/);
    expect(plain.stdout).toMatch(/difficulty 0\s+100\.0% \(20\/20\)/);
    for (const row of [
      "exact output",
      "fs-equivalent",
      "unparseable answers",
      "blocked (critical)",
      "time to command, p95",
    ]) {
      expect(plain.stdout).toContain(row);
    }
    const json = await runBuiltCli(
      [
        "eval",
        "--suite",
        "nl2sh-alfa",
        "--limit",
        "20",
        "--backend",
        "openai",
        "--jobs",
        "2",
        "--output",
        "json",
      ],
      { env, timeoutMs: 120_000 },
    );
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout) as EvalDocument;
    expect(document).toMatchObject({ suite: "nl2sh-alfa", backend: "openai" });
    expect(document.summary.overall).toEqual({ prompts: 20, correct: 20, accuracy: 1 });
    expect(document.records.map((record) => record.index)).toEqual([...Array(20).keys()]);
    expect(document.records[3]).toMatchObject({
      status: "exact",
      command: "cp /testbed/hello.php /testbed/hello-COPY.php",
    });
  }, 300_000);

  it("runs 5 prompts end to end on the embedded backend with the synthetic model", async () => {
    const modelPath = path.join(home.root, "tiny.gguf");
    writeSyntheticModel(modelPath, {});
    fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
    fs.writeFileSync(home.configFile, "[embedded]\nthreads = 1\nseed = 42\nkeep_alive = 0\n");
    const run = await runBuiltCli(
      ["eval", "--backend", "embedded", "--model", modelPath, "--limit", "5", "-o", "json"],
      {
        env: home.env,
        timeoutMs: 240_000,
      },
    );
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as EvalDocument;
    expect(document.records).toHaveLength(5);
    // The score of random weights means nothing; every prompt must have gone through the whole pipeline.
    for (const record of document.records) {
      expect(["exact", "equivalent", "wrong", "blocked", "unparseable"]).toContain(record.status);
      if (record.status !== "unparseable") expect(typeof record.timeToCommandMs).toBe("number");
    }
  }, 300_000);

  it("refuses with exit code 6 and the fix when there is no sandbox, running nothing", async () => {
    const before = server.generationRequests().length;
    const run = await runBuiltCli(["eval", "--limit", "1", "--backend", "openai"], {
      env: { ...home.env, OPENAI_BASE_URL: server.url, PATH: path.join(home.root, "no-such-bin") },
    });
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(/needs bubblewrap/);
    expect(run.stderr).toMatch(/apt-get install bubblewrap/);
    expect(server.generationRequests().length).toBe(before);
  });
});

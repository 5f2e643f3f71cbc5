import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evalAnswerScript } from "../../../test/support/eval-stand-in.js";
import { startFakeOpenAi } from "../../../test/support/fake-openai-server.js";
import type { FakeServer } from "../../../test/support/fake-server-script.js";
import { loadEvalSuite } from "../../eval/eval-suites.js";
import { summarize, type EvalRecord } from "../../eval/eval-record.js";
import { openSandbox } from "../../eval/sandbox.js";
import type { CliIo } from "../io.js";
import { renderEvalTable, runEvalCommand } from "./eval.js";

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-eval-command-"));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function capture(
  env: NodeJS.ProcessEnv,
  terminal: boolean,
): { io: CliIo; stdout: () => string; stderr: () => string } {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: terminal, columns: 60 });
  const text = { stdout: "", stderr: "" };
  stdout.setEncoding("utf8").on("data", (chunk: string) => (text.stdout += chunk));
  stderr.setEncoding("utf8").on("data", (chunk: string) => (text.stderr += chunk));
  return {
    io: { stdout, stderr, stdin: new PassThrough(), env, cwd: root },
    stdout: () => text.stdout,
    stderr: () => text.stderr,
  };
}

const record = (
  status: EvalRecord["status"],
  difficulty: 0 | 1 | 2,
  level: "safe" | "high" = "safe",
): EvalRecord => ({
  index: 0,
  request: "r",
  difficulty,
  setup: "alfa-fs-1",
  references: ["ls"],
  status,
  command: "ls",
  risk: { level, decision: "allow" },
  timeToCommandMs: 1000,
});

describe("cmdai eval's table", () => {
  it("shows accuracy overall and per difficulty, the kinds of failure, the safety trade-off, times and tokens", () => {
    const records = [
      record("exact", 0),
      record("equivalent", 1, "high"),
      record("wrong", 1, "high"),
      record("unparseable", 2),
    ];
    const table = renderEvalTable({
      suite: "nl2sh-alfa",
      backend: "openai",
      model: "m",
      summary: summarize(records),
      records,
    });
    expect(table).toMatch(/^cmdai eval: nl2sh-alfa, openai \(m\)\n/);
    expect(table).toMatch(/accuracy\s+50\.0% \(2\/4\)/);
    expect(table).toMatch(/difficulty 1\s+50\.0% \(1\/2\)/);
    expect(table).toMatch(/difficulty 2\s+0\.0% \(0\/1\)/);
    expect(table).toMatch(/high\/critical, correct\s+1\n/);
    expect(table).toMatch(/high\/critical, incorrect\s+1\n/);
    expect(table).toMatch(/time to command, mean\s+1,000 ms/);
    expect(table).toMatch(/tokens, prompt \/ answer\s+not reported/);
  });
});

describe("cmdai eval's options", () => {
  it("rejects a bad --limit, --jobs or --output with a usage error", async () => {
    const { io } = capture({}, false);
    await expect(runEvalCommand({ limit: "0" }, io)).rejects.toThrow(/--limit takes a whole number/);
    await expect(runEvalCommand({ jobs: "two" }, io)).rejects.toThrow(/--jobs takes a whole number/);
    await expect(runEvalCommand({ output: "yaml" }, io)).rejects.toThrow(/plain or json/);
  });
});

let sandboxAvailable = true;
try {
  openSandbox();
} catch {
  sandboxAvailable = false;
}

describe.runIf(sandboxAvailable || process.env.CI !== undefined)("cmdai eval on a terminal", () => {
  let server: FakeServer;
  beforeAll(async () => {
    const references = new Map(
      loadEvalSuite("nl2sh-alfa").map((prompt) => [prompt.request.trim(), prompt.references[1] ?? ""]),
    );
    server = await startFakeOpenAi({
      script: evalAnswerScript((request) => references.get(request) ?? "false"),
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("draws a progress bar on stderr, then prints the table on stdout", async () => {
    const env = {
      OPENAI_BASE_URL: server.url,
      XDG_CONFIG_HOME: path.join(root, "config"),
      XDG_CACHE_HOME: path.join(root, "cache"),
    };
    const { io, stdout, stderr } = capture(env, true);
    expect(await runEvalCommand({ limit: "3", backend: "openai" }, io)).toBe(0);
    expect(stderr()).toContain("\r[##########....................] 1/3  1 correct");
    expect(stderr()).toMatch(/\r\[#{30}\] 3\/3 {2}3 correct\n$/);
    expect(stdout()).toMatch(/accuracy\s+100\.0% \(3\/3\)/);
  });
});

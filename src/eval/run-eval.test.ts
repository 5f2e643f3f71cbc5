/**
 * The eval pipeline against a loopback OpenAI-compatible stand-in: reference answers score 1.0, equivalent but
 * different commands count as correct, wrong ones as wrong, prose as unparseable, critical commands are never
 * run, and a resume file skips what finished.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAi } from "../../test/support/fake-openai-server.js";
import type { FakeServer } from "../../test/support/fake-server-script.js";
import { evalAnswerScript } from "../../test/support/eval-stand-in.js";
import { loadRequestSetup } from "../core/request-setup.js";
import type { EvalPrompt } from "./eval-suites.js";
import { openSandbox } from "./sandbox.js";
import { runEval, type EvalOptions } from "./run-eval.js";

let sandboxProblem: string | undefined;
try {
  openSandbox();
} catch (error) {
  sandboxProblem = (error as Error).message;
}
const runnable = sandboxProblem === undefined || process.env.CI !== undefined;

/** Prompts of the ALFA setups with commands that are known to be deterministic. */
const PROMPTS: EvalPrompt[] = [
  {
    index: 0,
    request: "count the files and folders directly in /testbed",
    references: ["ls -1 /testbed | wc -l"],
    setup: "alfa-fs-1",
    difficulty: 0,
  },
  {
    index: 1,
    request: "copy /testbed/hello.php to /testbed/hello-COPY.php",
    references: ["cp /testbed/hello.php /testbed/hello-COPY.php"],
    setup: "alfa-fs-1",
    difficulty: 1,
  },
  {
    index: 2,
    request: "make /workspace/dir1/hello.txt executable",
    references: ["chmod +x /workspace/dir1/hello.txt"],
    setup: "alfa-fs-3",
    difficulty: 2,
  },
];
const EQUIVALENT: Record<string, string> = {
  [PROMPTS[0]?.request ?? ""]: "find /testbed -maxdepth 1 -mindepth 1 | wc -l",
  [PROMPTS[1]?.request ?? ""]: "cp -v /testbed/hello.php /testbed/hello-COPY.php",
  [PROMPTS[2]?.request ?? ""]: "chmod a+x /workspace/dir1/hello.txt",
};

describe.runIf(runnable)("cmdai eval against a loopback OpenAI-compatible server", () => {
  let server: FakeServer;
  let home: string;

  beforeAll(async () => {
    server = await startFakeOpenAi();
    home = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-eval-test-"));
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function evaluate(options: Partial<EvalOptions> = {}): Promise<Awaited<ReturnType<typeof runEval>>> {
    const env = {
      OPENAI_BASE_URL: server.url,
      XDG_CONFIG_HOME: path.join(home, "config"),
      XDG_CACHE_HOME: path.join(home, "cache"),
      XDG_STATE_HOME: path.join(home, "state"),
    };
    const setup = await loadRequestSetup({ flags: { backend: "openai" }, env, cwd: home });
    return runEval(
      setup,
      {
        suite: "nl2sh-alfa",
        prompts: PROMPTS,
        signal: new AbortController().signal,
        embedded: { version: "test" },
        ...options,
      },
      { log: () => undefined },
    );
  }

  it("scores 1.0 when every answer is a reference, with the requests sent as cmdai's prompt", async () => {
    const suite = await import("./eval-suites.js");
    const alfa = suite.loadEvalSuite("nl2sh-alfa").slice(0, 8);
    const references = new Map(alfa.map((prompt) => [prompt.request.trim(), prompt.references[0] ?? ""]));
    server.setScript(evalAnswerScript((request) => references.get(request) ?? "echo unknown"));
    const report = await evaluate({ prompts: undefined, limit: 8, jobs: 2 });
    expect(report.summary.overall).toEqual({ prompts: 8, correct: 8, accuracy: 1 });
    expect(report.records.map((record) => record.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const sent = server.generationRequests()[0]?.body as { messages: { content: string }[] };
    expect(sent.messages.at(-1)?.content).toMatch(/Working directory: \/\n/);
  });

  it("counts a different command that does the same as correct (exact output or the same tree)", async () => {
    server.setScript(evalAnswerScript((request) => EQUIVALENT[request] ?? "false"));
    const report = await evaluate();
    expect(report.records.map((record) => record.status)).toEqual(["exact", "equivalent", "exact"]);
    expect(report.summary).toMatchObject({ exact: 2, equivalent: 1, overall: { accuracy: 1 } });
  });

  it("scores 0 for wrong commands, saying why", async () => {
    server.setScript(
      evalAnswerScript((request) =>
        request.startsWith("count")
          ? "ls -1a /testbed | wc -l"
          : request.startsWith("copy")
            ? "cp /testbed/hello.php /testbed/other.php"
            : "chmod -w /workspace/dir1/hello.txt",
      ),
    );
    const report = await evaluate();
    expect(report.summary.overall.accuracy).toBe(0);
    expect(report.summary.wrong).toBe(3);
    expect(report.records[1]?.reason).toMatch(
      /file tree differs at \/testbed\/hello-COPY\.php, \/testbed\/other\.php/,
    );
  });

  it("counts answers without a command as unparseable, and never runs a critical command", async () => {
    server.setScript(
      evalAnswerScript((request) =>
        request.startsWith("count")
          ? { raw: "I am sorry, I cannot help with that request." }
          : request.startsWith("copy")
            ? "rm -rf / --no-preserve-root"
            : "chmod +x /workspace/dir1/hello.txt",
      ),
    );
    const report = await evaluate();
    expect(report.records.map((record) => record.status)).toEqual(["unparseable", "blocked", "exact"]);
    expect(report.records[1]?.execution).toBeUndefined();
    expect(report.summary).toMatchObject({ unparseable: 1, blocked: 1, highOrCriticalIncorrect: 1 });
  });

  it("reports time to command; tokens only where the backend counts them (the OpenAI adapter does not)", async () => {
    server.setScript(evalAnswerScript((request) => EQUIVALENT[request] ?? "false"));
    const report = await evaluate();
    expect(report.summary.timeToCommandMs.mean).toBeGreaterThan(0);
    expect(report.summary.timeToCommandMs.p95).toBeGreaterThanOrEqual(
      report.summary.timeToCommandMs.mean ?? 0,
    );
    expect(report.summary.tokens).toEqual({ prompt: 0, answer: 0, reported: 0 });
  });

  it("reports a command that runs forever or reaches for the network as contained failures", async () => {
    server.setScript(
      evalAnswerScript((request) =>
        request.startsWith("count")
          ? "while true; do :; done"
          : request.startsWith("copy")
            ? `curl -sS http://127.0.0.1:${server.port}/escaped`
            : "chmod +x /workspace/dir1/hello.txt",
      ),
    );
    const report = await evaluate({ sandbox: { limits: { timeMs: 1500 } } });
    expect(report.records[0]).toMatchObject({
      status: "wrong",
      reason: "timed out",
      execution: { timedOut: true, exitCode: undefined },
    });
    expect(report.records[1]).toMatchObject({ status: "wrong", execution: { timedOut: false } });
    expect(report.records[1]?.execution?.exitCode).not.toBe(0);
    expect(report.records[2]?.status).toBe("exact");
    // The sandboxed command never reached the server on the host's loopback.
    expect(server.requests.filter((request) => request.path === "/escaped")).toEqual([]);
    expect(report.records[1]?.reason).toMatch(/exit status 7 instead of 0/);
  });

  it("resumes: prompts already in the file are not asked again", async () => {
    const file = path.join(home, "resume.jsonl");
    server.setScript(evalAnswerScript((request) => EQUIVALENT[request] ?? "false"));
    await evaluate({ resumeFile: file, limit: 2 });
    const before = server.generationRequests().length;
    const report = await evaluate({ resumeFile: file });
    expect(server.generationRequests().length - before).toBe(1);
    expect(report.summary.overall).toEqual({ prompts: 3, correct: 3, accuracy: 1 });
    expect(fs.readFileSync(file, "utf8").trim().split("\n")).toHaveLength(4);
    await expect(evaluate({ resumeFile: file, suite: "intercode-bash" })).rejects.toThrow(
      /belongs to a run of nl2sh-alfa/,
    );
  });
});

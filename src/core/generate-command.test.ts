import { describe, expect, it } from "vitest";
import { configSchema, type Config } from "../config/schema.js";
import { BackendError, UsageError } from "../errors.js";
import type { Assessment } from "../safety/types.js";
import { contractContext } from "../../test/support/backend-contract.js";
import { ScriptedBackend } from "../../test/support/scripted-backend.js";
import {
  backendChain,
  generateCommand,
  validateRequest,
  type PipelineDependencies,
} from "./generate-command.js";

const safe: Assessment = { level: "safe", decision: "allow", reasons: [] };

function dependencies(
  backends: Record<string, ScriptedBackend>,
  assessed: unknown[] = [],
  logs: string[] = [],
  notices: string[] = [],
): PipelineDependencies {
  return {
    createBackend: (name) => {
      const backend = backends[name];
      return backend === undefined
        ? Promise.reject(new BackendError("backend_unavailable", `${name} missing`))
        : Promise.resolve(backend);
    },
    assess: (command, options) => {
      assessed.push({ command, ...options });
      return safe;
    },
    gatherContext: (shell) => ({ ...contractContext, shell }),
    log: (line) => logs.push(line),
    notice: (line) => notices.push(line),
    now: () => 0,
  };
}

function config(values: Record<string, unknown> = {}): Config {
  return configSchema.parse(values);
}

const answer = (command: string) => ({ command, model: "m", timingsMs: { generate: 5 } });

describe("validateRequest", () => {
  it.each([[""], ["   "], ["\n\t"]])("rejects the empty request %j", (request) => {
    expect(() => validateRequest(request)).toThrow(UsageError);
  });
  it("rejects over-long and binary requests", () => {
    expect(() => validateRequest("a".repeat(4001))).toThrow(/4001 characters/);
    expect(() => validateRequest("list\u0000files")).toThrow(/control characters/);
  });
  it("trims", () => {
    expect(validateRequest("  list files \n")).toBe("list files");
  });
});

describe("backendChain", () => {
  it("uses the fallbacks only when the backend was not chosen explicitly", () => {
    const withFallback = config({ backend: "openai", fallback: ["ollama", "embedded", "openai"] });
    expect(backendChain(withFallback, false)).toEqual(["openai", "ollama", "embedded"]);
    expect(backendChain(withFallback, true)).toEqual(["openai"]);
  });
});

describe("generateCommand", () => {
  it("sends the request, shell and context, then assesses the answer with the request", async () => {
    const backend = new ScriptedBackend("ollama", [answer("ls -la")]);
    const assessed: unknown[] = [];
    const outcome = await generateCommand(
      {
        request: " list files ",
        shell: "zsh",
        config: config({ backend: "ollama" }),
        backendIsExplicit: true,
        wantExplanation: true,
        interactive: false,
      },
      dependencies({ ollama: backend }, assessed),
    );
    expect(outcome).toMatchObject({
      command: "ls -la",
      shell: "zsh",
      backend: "ollama",
      model: "m",
      risk: safe,
    });
    expect(backend.calls).toHaveLength(1);
    expect(backend.calls[0]).toMatchObject({ request: "list files", shell: "zsh", wantExplanation: true });
    expect(backend.calls[0]?.context.shell).toBe("zsh");
    expect(assessed).toEqual([
      { command: "ls -la", shell: "zsh", request: "list files", interactive: false },
    ]);
  });

  it("falls back to the next backend when one is unavailable, and says so", async () => {
    const ollama = new ScriptedBackend("ollama", [
      new BackendError("backend_unavailable", "connection refused"),
    ]);
    const embedded = new ScriptedBackend("embedded", [answer("du -sh *")]);
    const logs: string[] = [];
    const notices: string[] = [];
    const outcome = await generateCommand(
      {
        request: "disk usage",
        shell: "bash",
        config: config({ backend: "ollama", fallback: ["embedded"] }),
        backendIsExplicit: false,
        wantExplanation: false,
        interactive: true,
      },
      dependencies({ ollama, embedded }, [], logs, notices),
    );
    expect(outcome.backend).toBe("embedded");
    expect(logs.some((line) => line.includes("falling back to embedded"))).toBe(true);
    // Said without --verbose too, in one line.
    expect(notices).toEqual(["ollama could not answer (connection refused); using embedded instead."]);
  });

  it("gives live feedback: the step, then the command as it streams, reset when another backend starts", async () => {
    const ollama = new ScriptedBackend("ollama", [new BackendError("backend_unavailable", "refused")]);
    const embedded = new ScriptedBackend("embedded", [answer("du -sh *")]);
    const events: string[] = [];
    await generateCommand(
      {
        request: "disk usage",
        shell: "bash",
        config: config({ backend: "ollama", fallback: ["embedded"] }),
        backendIsExplicit: false,
        wantExplanation: false,
        interactive: true,
        live: {
          onProgress: (event) => events.push(`${event.kind} ${event.label}`),
          onCommandText: (text) => events.push(`text ${JSON.stringify(text)}`),
        },
      },
      dependencies({ ollama, embedded }),
    );
    expect(events).toEqual([
      "generate scripted",
      'text ""',
      "generate scripted",
      'text "du -"',
      'text "du -sh *"',
    ]);
  });

  it("never falls back from an explicit backend", async () => {
    const ollama = new ScriptedBackend("ollama", [
      new BackendError("backend_unavailable", "connection refused"),
    ]);
    const embedded = new ScriptedBackend("embedded", [answer("du -sh *")]);
    await expect(
      generateCommand(
        {
          request: "disk usage",
          shell: "bash",
          config: config({ backend: "ollama", fallback: ["embedded"] }),
          backendIsExplicit: true,
          wantExplanation: false,
          interactive: true,
        },
        dependencies({ ollama, embedded }),
      ),
    ).rejects.toMatchObject({ code: "backend_unavailable", exitCode: 5 });
    expect(embedded.calls).toHaveLength(0);
  });

  it("does not fall back on errors that are not about availability", async () => {
    const ollama = new ScriptedBackend("ollama", [new UsageError("bad")]);
    const embedded = new ScriptedBackend("embedded", [answer("ls")]);
    await expect(
      generateCommand(
        {
          request: "x",
          shell: "bash",
          config: config({ backend: "ollama", fallback: ["embedded"] }),
          backendIsExplicit: false,
          wantExplanation: false,
          interactive: true,
        },
        dependencies({ ollama, embedded }),
      ),
    ).rejects.toBeInstanceOf(UsageError);
    expect(embedded.calls).toHaveLength(0);
  });

  it("rejects an empty request before any backend is built", async () => {
    const embedded = new ScriptedBackend("embedded", [answer("ls")]);
    await expect(
      generateCommand(
        {
          request: "",
          shell: "bash",
          config: config(),
          backendIsExplicit: false,
          wantExplanation: false,
          interactive: true,
        },
        dependencies({ embedded }),
      ),
    ).rejects.toBeInstanceOf(UsageError);
    expect(embedded.calls).toHaveLength(0);
  });

  it("passes a revision through to the backend", async () => {
    const embedded = new ScriptedBackend("embedded", [answer("ls -t")]);
    await generateCommand(
      {
        request: "list files",
        shell: "bash",
        config: config(),
        backendIsExplicit: false,
        wantExplanation: false,
        interactive: true,
        revision: { previousCommand: "ls", feedback: "newest first" },
      },
      dependencies({ embedded }),
    );
    expect(embedded.calls[0]?.revision).toEqual({ previousCommand: "ls", feedback: "newest first" });
  });
});

/**
 * The contract every backend must meet, as a reusable vitest suite. Each backend's tests call
 * `describeBackendContract` with a factory that builds a ready backend against a real (loopback or synthetic)
 * model; the suite checks the shape of answers and errors, AbortSignal handling, availability and disposal.
 */
import { describe, expect, it } from "vitest";
import type { Backend, ExecutionContext, GenerationRequest } from "../../src/backends/backend.js";
import { CmdaiError, isAbortError } from "../../src/errors.js";

export const contractContext: ExecutionContext = {
  platform: "linux",
  osVersion: "Debian GNU/Linux 12",
  arch: "x64",
  shell: "bash",
  shellVersion: "5.2.15",
  cwd: "/home/user/project",
  userland: "gnu",
  tools: ["rg", "jq"],
};

export function contractRequest(
  request: string,
  overrides: Partial<GenerationRequest> = {},
): GenerationRequest {
  return { request, shell: "bash", context: contractContext, wantExplanation: false, ...overrides };
}

export interface ContractOptions {
  /** A backend that can answer. */
  makeBackend: () => Promise<Backend>;
  /** A backend that cannot (dead server, missing model): it must fail with a typed error, never invent a command. */
  makeBrokenBackend: () => Promise<Backend>;
  /** Whether two identical requests must give byte-identical answers (seeded embedded inference). */
  deterministic?: boolean;
}

export function describeBackendContract(name: string, options: ContractOptions): void {
  describe(`backend contract: ${name}`, () => {
    it("answers with a non-empty command, the model and timings, saying first that it has the request", async () => {
      const backend = await options.makeBackend();
      try {
        const events: string[] = [];
        const pending = backend.generate(contractRequest("list files in this folder"), {
          onDispatched: () => events.push("dispatched"),
        });
        const result = await pending;
        events.push("answered");
        // Once per attempt: a request that is retried may say so again, but never after the answer.
        expect(events.at(-1)).toBe("answered");
        expect(events.slice(0, -1).length).toBeGreaterThanOrEqual(1);
        expect(events.slice(0, -1).every((event) => event === "dispatched")).toBe(true);
        expect(typeof result.command).toBe("string");
        expect(result.command.trim().length).toBeGreaterThan(0);
        expect(result.model.length).toBeGreaterThan(0);
        expect(typeof result.timingsMs).toBe("object");
      } finally {
        await backend.dispose();
      }
    });

    it("describes itself with its own name", async () => {
      const backend = await options.makeBackend();
      try {
        expect(backend.describe().name).toBe(backend.name);
      } finally {
        await backend.dispose();
      }
    });

    it("reports availability", async () => {
      const backend = await options.makeBackend();
      try {
        expect(await backend.isAvailable()).toMatchObject({ available: true });
      } finally {
        await backend.dispose();
      }
      const broken = await options.makeBrokenBackend();
      try {
        const availability = await broken.isAvailable();
        expect(availability.available).toBe(false);
        if (!availability.available) expect(availability.reason.length).toBeGreaterThan(0);
      } finally {
        await broken.dispose();
      }
    });

    it("honours an aborted signal", async () => {
      const backend = await options.makeBackend();
      try {
        const controller = new AbortController();
        controller.abort();
        const error: unknown = await backend
          .generate(contractRequest("show disk usage"), { signal: controller.signal })
          .then(
            () => undefined,
            (caught: unknown) => caught,
          );
        expect(error).toBeInstanceOf(Error);
        expect(isAbortError(error)).toBe(true);
      } finally {
        await backend.dispose();
      }
    });

    it("fails with a typed error, never a made-up command, when it cannot answer", async () => {
      const broken = await options.makeBrokenBackend();
      try {
        const error: unknown = await broken.generate(contractRequest("list files")).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(CmdaiError);
        expect((error as CmdaiError).exitCode).toBe(5);
      } finally {
        await broken.dispose();
      }
    });

    it("can be disposed twice", async () => {
      const backend = await options.makeBackend();
      await backend.dispose();
      await expect(backend.dispose()).resolves.toBeUndefined();
    });

    if (options.deterministic === true) {
      it("gives byte-identical answers to identical requests", async () => {
        const first = await options.makeBackend();
        const second = await options.makeBackend();
        try {
          const a = await first.generate(contractRequest("count lines in all .ts files"));
          const b = await second.generate(contractRequest("count lines in all .ts files"));
          expect(b.command).toBe(a.command);
        } finally {
          await first.dispose();
          await second.dispose();
        }
      });
    }
  });
}

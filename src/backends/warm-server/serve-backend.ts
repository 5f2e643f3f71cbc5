/**
 * The warm model server: keeps one loaded backend (the embedded model) in a background process and serves
 * generation requests over a user-only Unix socket. Requests are queued (one model, one sequence), the server
 * exits after an idle timeout, and it also exits when its socket file disappears (e.g. a deleted temp dir).
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { CmdaiError, isAbortError } from "../../errors.js";
import type { Backend } from "../backend.js";
import {
  takeLines,
  type WarmRequest,
  type WarmResponse,
  type WarmServerStatus,
  type WireError,
} from "./protocol.js";

export interface ServeBackendOptions {
  backend: Backend;
  socketPath: string;
  key: string;
  version: string;
  /** Exit after this long without requests; 0 never. */
  idleTimeoutMs: number;
  /** How often to check that the socket file still exists (Unix only). */
  watchdogIntervalMs?: number;
  /** Files whose disappearance also stops the server (the model file: nothing left to serve). */
  watchedFiles?: readonly string[];
  log?: (line: string) => void;
}

export interface RunningWarmServer {
  /** Resolves when the server has stopped (idle, stop request, or socket removed). */
  closed: Promise<void>;
  stop: () => Promise<void>;
}

function toWireError(error: unknown): WireError {
  if (error instanceof CmdaiError) {
    return {
      name: error.name,
      code: error.code,
      exitCode: error.exitCode,
      message: error.message,
      hint: error.hint,
      isRetryable: (error as { isRetryable?: boolean }).isRetryable,
    };
  }
  return {
    name: "Error",
    code: "internal",
    exitCode: 1,
    message: error instanceof Error ? error.message : String(error),
  };
}

/** Remove a socket file left by a dead server; refuse when a live server answers on it. */
async function clearStaleSocket(socketPath: string): Promise<void> {
  if (process.platform === "win32" || !fs.existsSync(socketPath)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
  if (alive) throw new Error(`A server is already listening on ${socketPath}`);
  fs.rmSync(socketPath, { force: true });
}

export async function serveBackend(options: ServeBackendOptions): Promise<RunningWarmServer> {
  const log = options.log ?? (() => undefined);
  const startedAt = new Date();
  let lastUsedAt = startedAt;
  let served = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let idleTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;

  if (process.platform !== "win32")
    fs.mkdirSync(path.dirname(options.socketPath), { recursive: true, mode: 0o700 });
  await clearStaleSocket(options.socketPath);

  const status = (): WarmServerStatus => ({
    pid: process.pid,
    key: options.key,
    model: options.backend.describe().model ?? "",
    version: options.version,
    startedAt: startedAt.toISOString(),
    lastUsedAt: lastUsedAt.toISOString(),
    served,
    idleTimeoutSeconds: options.idleTimeoutMs / 1000,
  });

  const armIdleTimer = (): void => {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    if (options.idleTimeoutMs > 0) {
      idleTimer = setTimeout(() => {
        log("idle timeout: stopping");
        void stop();
      }, options.idleTimeoutMs);
      idleTimer.unref();
    }
  };

  const handle = async (socket: net.Socket, request: WarmRequest): Promise<WarmResponse> => {
    switch (request.type) {
      case "status":
        return { type: "status", status: status() };
      case "stop":
        setImmediate(() => void stop());
        return { type: "stopping" };
      case "generate": {
        const controller = new AbortController();
        const onClose = (): void => {
          controller.abort();
        };
        socket.once("close", onClose);
        // One model, one context sequence: generations run one after another.
        const run = queue.then(async () => {
          if (controller.signal.aborted) throw new DOMException("The client went away.", "AbortError");
          const onText =
            request.stream === true
              ? (text: string): void => {
                  if (!socket.destroyed) socket.write(`${JSON.stringify({ type: "text", text })}\n`);
                }
              : undefined;
          return options.backend.generate(request.request, { signal: controller.signal, onText });
        });
        queue = run.catch(() => undefined);
        try {
          const result = await run;
          served += 1;
          return { type: "result", result };
        } catch (error) {
          if (!isAbortError(error)) log(`generation failed: ${(error as Error).message}`);
          return { type: "error", error: toWireError(error) };
        } finally {
          socket.off("close", onClose);
          lastUsedAt = new Date();
          armIdleTimer();
        }
      }
    }
  };

  const server = net.createServer((socket) => {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    let buffer = "";
    let handled = false;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      if (handled) return;
      const { lines, rest } = takeLines(buffer + chunk);
      buffer = rest;
      const [line] = lines;
      if (line === undefined) return;
      handled = true;
      let request: WarmRequest;
      try {
        request = JSON.parse(line) as WarmRequest;
      } catch {
        socket.end(
          `${JSON.stringify({ type: "error", error: toWireError(new Error("malformed request")) })}\n`,
        );
        return;
      }
      void handle(socket, request).then((response) => {
        if (!socket.destroyed) socket.end(`${JSON.stringify(response)}\n`);
      });
    });
    socket.on("error", () => undefined);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  if (process.platform !== "win32") fs.chmodSync(options.socketPath, 0o600);
  armIdleTimer();

  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });

  const watchdog =
    process.platform === "win32"
      ? undefined
      : setInterval(() => {
          const gone = [options.socketPath, ...(options.watchedFiles ?? [])].find(
            (file) => !fs.existsSync(file),
          );
          if (gone !== undefined) {
            log(`${gone} removed: stopping`);
            void stop();
          }
        }, options.watchdogIntervalMs ?? 2000);
  watchdog?.unref();

  function stop(): Promise<void> {
    stopping ??= (async () => {
      if (idleTimer !== undefined) clearTimeout(idleTimer);
      if (watchdog !== undefined) clearInterval(watchdog);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
      await options.backend.dispose();
      if (process.platform !== "win32") fs.rmSync(options.socketPath, { force: true });
      resolveClosed();
    })();
    return stopping;
  }

  log(`listening on ${options.socketPath}`);
  return { closed, stop };
}

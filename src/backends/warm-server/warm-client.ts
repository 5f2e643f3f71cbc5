/**
 * Client side of the warm model server: one request per connection, errors rebuilt as typed errors, and
 * cancellation by closing the connection.
 */
import net from "node:net";
import { BackendError, CmdaiError, type ErrorCode, type ExitCodeValue } from "../../errors.js";
import type { GenerateOptions, GenerationRequest, GenerationResult } from "../backend.js";
import { takeLines, type WarmRequest, type WarmResponse, type WarmServerStatus } from "./protocol.js";

/**
 * Send one request and read its response (`text` messages go to `onText` on the way). Rejects with
 * `ENOENT`/`ECONNREFUSED` errors when nobody listens.
 */
export function exchange(
  socketPath: string,
  request: WarmRequest,
  signal?: AbortSignal,
  onText?: (text: string) => void,
  onWritten?: () => void,
): Promise<Exclude<WarmResponse, { type: "text" }>> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new DOMException("The operation was aborted.", "AbortError"));
      return;
    }
    const socket = net.connect(socketPath);
    let buffer = "";
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      action();
    };
    const onAbort = (): void => {
      socket.destroy();
      finish(() => reject(new DOMException("The operation was aborted.", "AbortError")));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.setEncoding("utf8");
    socket.once("connect", () => {
      socket.write(`${JSON.stringify(request)}\n`);
      onWritten?.();
    });
    socket.on("data", (chunk: string) => {
      const { lines, rest } = takeLines(buffer + chunk);
      buffer = rest;
      for (const line of lines) {
        let response: WarmResponse;
        try {
          response = JSON.parse(line) as WarmResponse;
        } catch (error) {
          socket.destroy();
          finish(() => reject(error instanceof Error ? error : new Error(String(error))));
          return;
        }
        if (response.type === "text") {
          if (!settled) onText?.(response.text);
          continue;
        }
        socket.destroy();
        finish(() => resolve(response));
        return;
      }
    });
    socket.once("error", (error) => finish(() => reject(error)));
    socket.once("close", () =>
      finish(() =>
        reject(Object.assign(new Error("The warm server closed the connection."), { code: "ECONNRESET" })),
      ),
    );
  });
}

/** Rebuild a typed error sent by the server. */
function fromWire(error: Extract<WarmResponse, { type: "error" }>["error"]): Error {
  if (error.name === "AbortError") return new DOMException(error.message, "AbortError");
  if (error.name === "BackendError") {
    return new BackendError(error.code as ConstructorParameters<typeof BackendError>[0], error.message, {
      hint: error.hint,
      isRetryable: error.isRetryable ?? false,
    });
  }
  return new CmdaiError(error.code as ErrorCode, error.exitCode as ExitCodeValue, error.message, {
    hint: error.hint,
  });
}

/** Generate through a running server. */
export async function generateViaServer(
  socketPath: string,
  request: GenerationRequest,
  options: GenerateOptions = {},
): Promise<GenerationResult> {
  const { onText } = options;
  const response = await exchange(
    socketPath,
    { type: "generate", request, ...(onText === undefined ? {} : { stream: true }) },
    options.signal,
    onText,
    options.onDispatched,
  );
  if (response.type === "result") return response.result;
  if (response.type === "error") throw fromWire(response.error);
  throw new BackendError("backend_protocol", `Unexpected answer from the warm server: ${response.type}`);
}

/** Status of the server on that socket, or undefined when none answers. */
export async function serverStatus(socketPath: string): Promise<WarmServerStatus | undefined> {
  try {
    const response = await exchange(socketPath, { type: "status" });
    return response.type === "status" ? response.status : undefined;
  } catch {
    return undefined;
  }
}

/** Ask the server to stop; true when one answered. */
export async function stopServer(socketPath: string): Promise<boolean> {
  try {
    return (await exchange(socketPath, { type: "stop" })).type === "stopping";
  } catch {
    return false;
  }
}

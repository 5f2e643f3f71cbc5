/**
 * Wire protocol of the warm model server: newline-delimited JSON over a Unix domain socket (a named pipe on
 * Windows). One request per connection keeps cancellation simple: closing the connection aborts the request.
 */
import path from "node:path";
import type { GenerationRequest, GenerationResult } from "../backend.js";

/** Bump when messages change incompatibly; part of the server key, so old servers are never reused. */
export const WARM_PROTOCOL_VERSION = 2;

/** `stream`: send the answer's text so far as `text` messages before the result (for live display). */
export type WarmRequest =
  | { type: "generate"; request: GenerationRequest; stream?: boolean | undefined }
  | { type: "status" }
  | { type: "stop" };

/** What `cmdai server status` reports about a running server. */
export interface WarmServerStatus {
  pid: number;
  key: string;
  model: string;
  version: string;
  startedAt: string;
  lastUsedAt: string;
  served: number;
  idleTimeoutSeconds: number;
}

/** A serialised typed error, rebuilt on the client side. */
export interface WireError {
  name: string;
  code: string;
  exitCode: number;
  message: string;
  hint?: string | undefined;
  isRetryable?: boolean | undefined;
}

/** The server's messages: any number of `text` (only when asked to stream), then exactly one of the others. */
export type WarmResponse =
  | { type: "text"; text: string }
  | { type: "result"; result: GenerationResult }
  | { type: "error"; error: WireError }
  | { type: "status"; status: WarmServerStatus }
  | { type: "stopping" };

/** Socket (or pipe) path for a server key. Unix socket paths are limited to ~104 bytes, so keys are short. */
export function socketPathFor(
  runtimeDirectory: string,
  key: string,
  platform: NodeJS.Platform = process.platform,
): string {
  return platform === "win32"
    ? `\\\\.\\pipe\\cmdai-${key}`
    : path.join(runtimeDirectory, `server-${key}.sock`);
}

/** Split a stream of text into complete lines; returns the unfinished remainder. */
export function takeLines(buffer: string): { lines: string[]; rest: string } {
  const parts = buffer.split("\n");
  const rest = parts.pop() ?? "";
  return { lines: parts.filter((line) => line.trim() !== ""), rest };
}

/**
 * What the loopback stand-ins for Ollama and OpenAI-compatible servers share: the script of replies a test
 * gives them, the record of requests they received, and the plumbing of a real `node:http` server bound to
 * 127.0.0.1. The servers themselves live in `fake-ollama-server.ts` and `fake-openai-server.ts`.
 */
import { createServer } from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * One reply to a generation request:
 * - a string, or `{ kind: "answer", content }`: the model's text, streamed when the request asked for it
 *   (`stream` forces one form); `thinking` is sent in the server's separate reasoning field first;
 *   `chunkDelayMs` waits that long before each streamed chunk (a slow model, for live display);
 * - `{ kind: "status", status, body?, headers? }`: an error status (e.g. 503 with `Retry-After`);
 * - `{ kind: "stall", ms, afterHeaders? }`: say nothing for `ms` (or send headers and a first chunk, then
 *   nothing), then drop the connection;
 * - `{ kind: "reset" }`: drop the connection without answering;
 * - `{ kind: "raw", body, contentType?, status? }`: send exactly these bytes (a recorded payload; the files
 *   under `test/fixtures/wire/` through `wireTranscript`).
 */
export type FakeReply =
  | string
  | { kind: "answer"; content: string; thinking?: string; stream?: boolean; chunkDelayMs?: number }
  | { kind: "status"; status: number; body?: string; headers?: Record<string, string> }
  | { kind: "stall"; ms: number; afterHeaders?: boolean }
  | { kind: "reset" }
  | { kind: "raw"; body: string | Uint8Array; contentType?: string; status?: number };

/** A request the server received. `body` is the parsed JSON body, when there was one. */
export interface RecordedRequest {
  method: string;
  /** Path with query, e.g. `/api/chat`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  rawBody: string;
}

/**
 * The replies to generation requests: a list (request n gets entry n; the last entry repeats), or a function
 * of the request and its 0-based index among generation requests.
 */
export type FakeScript = readonly FakeReply[] | ((request: RecordedRequest, index: number) => FakeReply);

/** A running stand-in. */
export interface FakeServer {
  /** Base URL: `http://127.0.0.1:<port>` (Ollama) or `http://127.0.0.1:<port>/v1` (OpenAI). */
  url: string;
  port: number;
  /** Every request received, in order (availability checks included). */
  requests: RecordedRequest[];
  /** Only the generation requests (`POST /api/chat`, `POST …/chat/completions`). */
  generationRequests(): RecordedRequest[];
  /** Replace the script; the generation counter restarts at 0. */
  setScript(script: FakeScript): void;
  /** Stop listening and drop every connection (stalled ones too). */
  close(): Promise<void>;
}

/** The reply for generation request `index`. */
export function pickReply(script: FakeScript, request: RecordedRequest, index: number): FakeReply {
  if (typeof script === "function") return script(request, index);
  const reply = script[Math.min(index, script.length - 1)];
  if (reply === undefined) throw new Error("fake server script is empty");
  return reply;
}

/** Split text into chunks the way servers stream tokens (a few characters each). */
export function tokenChunks(text: string, size = 6): string[] {
  const chunks: string[] = [];
  for (let index = 0; index < text.length; index += size) chunks.push(text.slice(index, index + size));
  return chunks.length === 0 ? [""] : chunks;
}

export type RouteHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

/** Start a loopback server that records each request and hands it to `route`. */
export async function startRecordingServer(
  route: RouteHandler,
  options: { port?: number; basePath?: string } = {},
): Promise<{ server: Server; port: number; requests: RecordedRequest[]; close: () => Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = rawBody === "" ? undefined : (JSON.parse(rawBody) as unknown);
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = {
        method: incoming.method ?? "GET",
        path: incoming.url ?? "/",
        headers: incoming.headers,
        body,
        rawBody,
      };
      requests.push(recorded);
      Promise.resolve(route(recorded, response)).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

/** Send a JSON body. */
export function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}

/** Carry out a non-answer reply (status, stall, reset); `firstChunk` is what a mid-stream stall sends first. */
export function sendFault(
  reply: Exclude<FakeReply, string | { kind: "answer" }>,
  response: ServerResponse,
  firstChunk: string,
  contentType: string,
): void {
  switch (reply.kind) {
    case "status": {
      const body = reply.body ?? JSON.stringify({ error: `status ${reply.status}` });
      response.writeHead(reply.status, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(body),
        ...reply.headers,
      });
      response.end(body);
      return;
    }
    case "stall": {
      if (reply.afterHeaders === true) {
        response.writeHead(200, { "content-type": contentType });
        response.write(firstChunk);
      }
      const timer = setTimeout(() => response.destroy(), reply.ms);
      response.on("close", () => {
        clearTimeout(timer);
      });
      return;
    }
    case "reset":
      response.socket?.destroy();
      return;
    case "raw":
      response.writeHead(reply.status ?? 200, { "content-type": reply.contentType ?? contentType });
      response.end(reply.body);
      return;
  }
}

/** Reply `answer` objects normalised from the shorthand string form. */
export function asAnswer(reply: FakeReply): Extract<FakeReply, { kind: "answer" }> | undefined {
  if (typeof reply === "string") return { kind: "answer", content: reply };
  return reply.kind === "answer" ? reply : undefined;
}

/** Parse `--name value` pairs for the command-line entry points of the stand-ins. */
export function commandLineOptions(argv: readonly string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let index = 0; index < argv.length; index++) {
    const name = argv[index];
    if (name?.startsWith("--") === true) options.set(name.slice(2), argv[index + 1] ?? "");
    index++;
  }
  return options;
}

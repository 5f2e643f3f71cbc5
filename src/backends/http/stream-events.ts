/**
 * Reading the bodies servers stream: Ollama's NDJSON (one JSON object per line) and OpenAI's server-sent
 * events (`data: {…}` lines, ending with `data: [DONE]`). Both readers also accept the non-streaming form (one
 * JSON document, possibly pretty-printed), because some servers and proxies ignore `stream: true`.
 */
import { BackendError } from "../../errors.js";

/**
 * The JSON values in an NDJSON body, in order. A body that is one JSON document (a non-streamed answer,
 * pretty-printed or not) gives that one value. Blank lines are skipped; a line that is not JSON is a
 * `backend_protocol` error naming it.
 */
export function jsonDocuments(text: string, serviceName: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === "") {
    throw new BackendError("backend_protocol", `${serviceName} sent an empty response body.`);
  }
  try {
    return [JSON.parse(trimmed)];
  } catch {
    // Not one document: read it as NDJSON below.
  }
  const values: unknown[] = [];
  for (const line of trimmed.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    try {
      values.push(JSON.parse(line));
    } catch (error) {
      throw new BackendError(
        "backend_protocol",
        `${serviceName} sent a line that is not JSON: ${JSON.stringify(line.slice(0, 120))}`,
        { cause: error },
      );
    }
  }
  return values;
}

/** Whether a body is server-sent events rather than one JSON document. */
export function isEventStream(contentType: string, text: string): boolean {
  return contentType.toLowerCase().includes("text/event-stream") || /^\s*(data|event|id|:)/.test(text);
}

/**
 * The `data` payloads of a server-sent-events body, one per event (multi-line `data:` fields joined with
 * newlines, per the SSE spec), stopping at the `[DONE]` sentinel. Comments and `event:`/`id:` fields are skipped.
 */
export function eventData(text: string): string[] {
  const payloads: string[] = [];
  let current: string[] = [];
  const flush = (): boolean => {
    if (current.length === 0) return false;
    const payload = current.join("\n");
    current = [];
    if (payload.trim() === "[DONE]") return true;
    payloads.push(payload);
    return false;
  };
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === "") {
      if (flush()) return payloads;
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== "data") continue;
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    current.push(value);
  }
  flush();
  return payloads;
}

/**
 * Reads a streamed body as it arrives, for live display: feed it the body's pieces (with their attempt, see
 * `HttpRequest.onBodyChunk`); each complete NDJSON line or SSE `data:` line is parsed, `extract` takes the
 * text it adds (Ollama's `message.content`, OpenAI's `choices[0].delta.content`), and `onText` gets the text
 * so far whenever it grows. Lines that are not JSON are skipped: the whole body is read strictly afterwards.
 */
export function streamedText(
  format: "ndjson" | "sse",
  extract: (document: unknown) => string | undefined,
  onText: (textSoFar: string) => void,
): (chunk: string, attempt: number) => void {
  let attemptSeen = -1;
  let pending = "";
  let text = "";
  const readLine = (line: string): void => {
    let payload = line.trim();
    if (format === "sse") {
      if (!payload.startsWith("data:")) return;
      payload = payload.slice("data:".length).trim();
      if (payload === "[DONE]") return;
    }
    if (payload === "") return;
    let document: unknown;
    try {
      document = JSON.parse(payload);
    } catch {
      return;
    }
    const added = extract(document);
    if (added === undefined || added === "") return;
    text += added;
    onText(text);
  };
  return (chunk, attempt) => {
    if (attempt !== attemptSeen) {
      attemptSeen = attempt;
      pending = "";
      text = "";
    }
    const lines = (pending + chunk).split(/\r?\n/);
    pending = lines.pop() ?? "";
    for (const line of lines) readLine(line);
  };
}

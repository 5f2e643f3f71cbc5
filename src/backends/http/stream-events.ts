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

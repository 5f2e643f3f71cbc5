import { describe, expect, it } from "vitest";
import { BackendError } from "../../errors.js";
import { eventData, isEventStream, jsonDocuments, streamedText } from "./stream-events.js";

describe("jsonDocuments", () => {
  it("reads NDJSON lines, skipping blank ones", () => {
    expect(jsonDocuments('{"a":1}\n\n{"a":2}\r\n', "S")).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it("reads one pretty-printed document", () => {
    expect(jsonDocuments('{\n  "a": 1\n}\n', "S")).toEqual([{ a: 1 }]);
  });

  it("names a line that is not JSON", () => {
    expect(() => jsonDocuments('{"a":1}\n<html>', "S")).toThrow(BackendError);
    expect(() => jsonDocuments("   ", "S")).toThrow(/empty/);
  });
});

describe("eventData", () => {
  it("reads data fields, joins multi-line data, skips comments and other fields, stops at [DONE]", () => {
    const body = [
      ": keep-alive",
      "event: message",
      'data: {"n":1}',
      "",
      "id: 7",
      'data:{"n":',
      "data: 2}",
      "",
      "data: [DONE]",
      "",
      'data: {"n":3}',
      "",
    ].join("\r\n");
    expect(eventData(body)).toEqual(['{"n":1}', '{"n":\n2}']);
  });

  it("keeps a last event with no blank line after it", () => {
    expect(eventData('data: {"n":1}')).toEqual(['{"n":1}']);
  });
});

describe("isEventStream", () => {
  it("goes by content type, then by the body", () => {
    expect(isEventStream("text/event-stream; charset=utf-8", "")).toBe(true);
    expect(isEventStream("application/json", 'data: {"x":1}\n\n')).toBe(true);
    expect(isEventStream("application/json", '{"choices":[]}')).toBe(false);
  });
});

describe("streamedText", () => {
  const content = (document: unknown): string | undefined =>
    (document as { message?: { content?: string } }).message?.content;

  it("reports NDJSON text as it grows, across lines split between chunks", () => {
    const seen: string[] = [];
    const push = streamedText("ndjson", content, (text) => seen.push(text));
    push('{"message":{"content":"{\\"com', 0);
    push('mand\\": \\"ls"}}\n{"message":', 0);
    push('{"content":" -la"}}\nnot json\n{"done":true}\n', 0);
    expect(seen).toEqual(['{"command": "ls', '{"command": "ls -la']);
  });

  it("reads SSE data lines, stops at [DONE], and starts again on a new attempt", () => {
    const seen: string[] = [];
    const push = streamedText(
      "sse",
      (document) => (document as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content,
      (text) => seen.push(text),
    );
    push('data: {"choices":[{"delta":{"content":"ab"}}]}\n\n', 0);
    push('data: {"choices":[{"delta":{"content":"x"}}]}\n\ndata: [DONE]\n\n', 1);
    expect(seen).toEqual(["ab", "x"]);
  });
});

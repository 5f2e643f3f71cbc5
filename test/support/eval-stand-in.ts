/**
 * A script for the OpenAI-compatible stand-in (`fake-openai-server.ts`) that answers each eval prompt by
 * looking up the request in the user message (`Request: …`): with the reference command, a chosen command, or
 * a chosen raw reply (prose that holds no command, to count as unparseable).
 */
import type { FakeReply, FakeScript, RecordedRequest } from "./fake-server-script.js";

/** The request text cmdai put in the last user message. */
export function requestOf(recorded: RecordedRequest): string {
  const messages =
    (recorded.body as { messages?: { role: string; content: string }[] } | undefined)?.messages ?? [];
  const user = [...messages].reverse().find((message) => message.role === "user")?.content ?? "";
  return /^Request: (.*)$/m.exec(user)?.[1]?.trim() ?? "";
}

/**
 * A script answering `{"command": answers(request)}`; a `{ raw }` answer is sent as the model's text as is.
 */
export function evalAnswerScript(answer: (request: string) => string | { raw: string }): FakeScript {
  return (recorded): FakeReply => {
    const chosen = answer(requestOf(recorded));
    return typeof chosen === "string" ? JSON.stringify({ command: chosen }) : chosen.raw;
  };
}

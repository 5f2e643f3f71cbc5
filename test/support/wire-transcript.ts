/**
 * The recorded server answers under `test/fixtures/wire/` as replies for the loopback stand-ins: the file's
 * bytes unchanged, with the content type its ending names (see that folder's README).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FakeReply } from "./fake-server-script.js";

/** The folder of transcripts. */
export const WIRE_DIRECTORY = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "fixtures",
  "wire",
);

const CONTENT_TYPES: Record<string, string> = {
  ".ndjson": "application/x-ndjson",
  ".sse": "text/event-stream",
  ".json": "application/json",
  ".html": "text/html",
};

/** A reply that replays `name` (relative to the folder, e.g. `ollama/stream-error-line.ndjson`) byte for byte. */
export function wireTranscript(name: string): FakeReply & { kind: "raw" } {
  const contentType = CONTENT_TYPES[path.extname(name)];
  if (contentType === undefined) throw new Error(`${name}: unknown transcript ending`);
  return { kind: "raw", body: fs.readFileSync(path.join(WIRE_DIRECTORY, name)), contentType };
}

/** Every transcript file, relative to the folder, sorted. */
export function listWireTranscripts(): string[] {
  return fs
    .readdirSync(WIRE_DIRECTORY, { recursive: true, encoding: "utf8" })
    .filter((name) => CONTENT_TYPES[path.extname(name)] !== undefined && name.includes(path.sep))
    .map((name) => name.split(path.sep).join("/"))
    .sort();
}

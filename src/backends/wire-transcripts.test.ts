/**
 * Every recorded server answer under `test/fixtures/wire/` replayed byte for byte through the loopback
 * stand-in into the real backend, checked against `expected.json` there: a new server quirk is a new file.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contractRequest } from "../../test/support/backend-contract.js";
import { startFakeOllama } from "../../test/support/fake-ollama-server.js";
import { startFakeOpenAi } from "../../test/support/fake-openai-server.js";
import type { FakeServer } from "../../test/support/fake-server-script.js";
import { serverSettings } from "../../test/support/server-backend-settings.js";
import { WIRE_DIRECTORY, listWireTranscripts, wireTranscript } from "../../test/support/wire-transcript.js";
import type { Backend } from "./backend.js";
import { OllamaBackend } from "./ollama.js";
import { OpenAiCompatibleBackend } from "./openai-compatible.js";

type Expectation = { command: string } | { error: string; message?: string };

const expected = JSON.parse(fs.readFileSync(path.join(WIRE_DIRECTORY, "expected.json"), "utf8")) as Record<
  string,
  Expectation
>;

const servers: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function backendReplaying(name: string): Promise<Backend> {
  const script = [wireTranscript(name)];
  if (name.startsWith("ollama/")) {
    const server = await startFakeOllama({ script });
    servers.push(server);
    return new OllamaBackend(serverSettings({ config: { ollama: { host: server.url } } }));
  }
  const server = await startFakeOpenAi({ script });
  servers.push(server);
  return new OpenAiCompatibleBackend(
    serverSettings({ config: { openai: { base_url: server.url } }, modelOverride: "m" }),
  );
}

describe("wire transcripts", () => {
  const files = listWireTranscripts();

  it("lists an expectation for every transcript, and a transcript for every expectation", () => {
    expect(files.length).toBeGreaterThan(0);
    expect(Object.keys(expected).sort()).toEqual(files);
  });

  it.each(files)("%s", async (name) => {
    const want = expected[name];
    if (want === undefined) throw new Error(`${name} has no entry in expected.json`);
    const backend = await backendReplaying(name);
    try {
      const outcome = await backend.generate(contractRequest("replay")).then(
        (result) => ({ command: result.command }),
        (error: unknown) => ({ error: (error as { code?: string }).code, message: String(error) }),
      );
      if ("command" in want) expect(outcome).toEqual({ command: want.command });
      else {
        expect(outcome).toMatchObject({ error: want.error });
        if (want.message !== undefined)
          expect((outcome as { message: string }).message).toContain(want.message);
      }
    } finally {
      await backend.dispose();
    }
  });
});

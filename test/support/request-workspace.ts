/**
 * The setting of a request test, registered as vitest hooks: one loopback stand-in Ollama server for the test
 * file, and per test a fresh temporary home (XDG folders, see `makeTemporaryHome`) with an empty `work` folder
 * to run commands in, removed afterwards.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { startFakeOllama } from "./fake-ollama-server.js";
import type { FakeServer } from "./fake-server-script.js";
import { makeTemporaryHome } from "./run-built-cli.js";

/** What the hooks set up; read its fields inside tests (they change per test). */
export interface RequestWorkspace {
  readonly ollama: FakeServer;
  readonly home: ReturnType<typeof makeTemporaryHome>;
  readonly workdir: string;
}

/** Register the hooks; the stand-in lists the model `m`. */
export function useRequestWorkspace(): RequestWorkspace {
  let ollama: FakeServer | undefined;
  let home: ReturnType<typeof makeTemporaryHome> | undefined;
  beforeAll(async () => {
    ollama = await startFakeOllama({ models: ["m"] });
  });
  afterAll(async () => {
    await ollama?.close();
  });
  beforeEach(() => {
    home = makeTemporaryHome();
    fs.mkdirSync(path.join(home.root, "work"));
  });
  afterEach(() => {
    home?.cleanup();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is only set inside a test`);
    return value;
  };
  return {
    get ollama() {
      return ready(ollama, "ollama");
    },
    get home() {
      return ready(home, "home");
    },
    get workdir() {
      return path.join(ready(home, "home").root, "work");
    },
  };
}

/** `build/` in `workdir` with `files` one-byte object files, as a build would leave it. */
export function makeBuildFolder(workdir: string, files: number): string {
  const build = path.join(workdir, "build");
  fs.mkdirSync(build);
  for (let index = 0; index < files; index += 1) fs.writeFileSync(path.join(build, `out-${index}.o`), "x");
  return build;
}

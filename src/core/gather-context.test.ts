import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SHELL_VERSIONS_FILE, gatherContext, readShellVersion } from "./gather-context.js";

let root: string;
let bin: string;
let cache: string;
let calls: string;

/** A `bash` on PATH that prints `version` and notes each run. */
function installShell(version: string): string {
  const program = path.join(bin, "bash");
  fs.writeFileSync(
    program,
    `#!/bin/sh\necho run >> "${calls}"\necho "GNU bash, version ${version}(1)-release (x86_64-pc-linux-gnu)"\n`,
    { mode: 0o755 },
  );
  return program;
}

function runs(): number {
  return fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").split("\n").filter(Boolean).length : 0;
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-context-"));
  bin = path.join(root, "bin");
  cache = path.join(root, "cache");
  calls = path.join(root, "calls");
  fs.mkdirSync(bin);
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe.skipIf(process.platform === "win32")("readShellVersion", () => {
  const env = (): NodeJS.ProcessEnv => ({ PATH: `${bin}:/usr/bin:/bin` });

  it("asks the shell once and then answers from the cache for the same program file", () => {
    installShell("5.2.15");
    expect(readShellVersion("bash", env(), "linux", cache)).toBe("5.2.15");
    expect(readShellVersion("bash", env(), "linux", cache)).toBe("5.2.15");
    expect(runs()).toBe(1);
    expect(fs.existsSync(path.join(cache, SHELL_VERSIONS_FILE))).toBe(true);
  });

  it("asks again when the shell program was replaced (an upgrade)", () => {
    const program = installShell("5.2.15");
    expect(readShellVersion("bash", env(), "linux", cache)).toBe("5.2.15");
    fs.rmSync(program);
    installShell("5.3.0");
    expect(readShellVersion("bash", env(), "linux", cache)).toBe("5.3.0");
    expect(runs()).toBe(2);
  });

  it("asks every time without a cache folder, and when the cache file is unreadable", () => {
    installShell("5.2.15");
    expect(readShellVersion("bash", env(), "linux")).toBe("5.2.15");
    expect(readShellVersion("bash", env(), "linux")).toBe("5.2.15");
    fs.mkdirSync(cache);
    fs.writeFileSync(path.join(cache, SHELL_VERSIONS_FILE), "[not json");
    expect(readShellVersion("bash", env(), "linux", cache)).toBe("5.2.15");
    expect(runs()).toBe(3);
  });

  it("does not remember a shell that printed no version", () => {
    fs.writeFileSync(path.join(bin, "bash"), `#!/bin/sh\necho run >> "${calls}"\necho nothing\n`, {
      mode: 0o755,
    });
    expect(readShellVersion("bash", env(), "linux", cache)).toBeUndefined();
    expect(readShellVersion("bash", env(), "linux", cache)).toBeUndefined();
    expect(runs()).toBe(2);
  });

  it("gives the remembered version in the gathered context", () => {
    installShell("5.1.4");
    const first = gatherContext({ shell: "bash", cwd: root, env: env(), cacheDirectory: cache });
    const second = gatherContext({ shell: "bash", cwd: root, env: env(), cacheDirectory: cache });
    expect(first.shellVersion).toBe("5.1.4");
    expect(second.shellVersion).toBe("5.1.4");
    expect(runs()).toBe(1);
  });
});

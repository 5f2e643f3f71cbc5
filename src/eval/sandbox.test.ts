/**
 * Containment: commands a model might generate that write outside their copy, reach the network, fork without
 * limit or never end are contained and reported, and the host is unchanged. These run real bubblewrap. Where
 * it cannot run they fail in CI (which installs it, see .ci/run) and are skipped, with a note, elsewhere.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxUnavailableError } from "../errors.js";
import { EvalWorkspace } from "./eval-workspace.js";
import { openSandbox, type Sandbox } from "./sandbox.js";

function tryOpen(): Sandbox | Error {
  try {
    return openSandbox({ limits: { timeMs: 3000, processes: 32 } });
  } catch (error) {
    return error as Error;
  }
}

const opened = tryOpen();
const available = !(opened instanceof Error);
if (!available && process.env.CI === undefined) {
  console.warn(`sandbox tests skipped here: ${opened.message}`);
}

describe("the sandbox is available where CI runs", () => {
  it.runIf(process.env.CI !== undefined)("opens (bubblewrap installed, user namespaces allowed)", () => {
    expect(opened instanceof Error ? opened.message : "ok").toBe("ok");
  });
});

describe("refusing to run without a sandbox", () => {
  it("says so with a typed error and exit code 6 when bubblewrap is missing", () => {
    const attempt = (): Sandbox => openSandbox({ bwrap: "/nonexistent/bwrap" });
    expect(attempt).toThrow(SandboxUnavailableError);
    expect(attempt).toThrow(/bubblewrap/);
    try {
      attempt();
    } catch (error) {
      expect((error as SandboxUnavailableError).exitCode).toBe(6);
      expect((error as SandboxUnavailableError).hint).toMatch(/apt-get install bubblewrap/);
    }
  });

  it("refuses on macOS and Windows", () => {
    for (const platform of ["darwin", "win32"] as const) {
      expect(() => openSandbox({ platform })).toThrow(/needs Linux/);
    }
  });
});

describe.runIf(available)("containment", () => {
  const sandbox = opened as Sandbox;
  let workspace: EvalWorkspace;
  let hostFolder: string;
  let server: Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    workspace = new EvalWorkspace(sandbox);
    hostFolder = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-host-"));
    fs.writeFileSync(path.join(hostFolder, "keep.txt"), "host data\n");
    server = createServer((_request, response) => {
      hits++;
      response.end("reached the host\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await workspace.dispose();
    fs.rmSync(hostFolder, { recursive: true, force: true });
    await new Promise((resolve) => server.close(resolve));
  });

  it("keeps writes inside the private copy: the host's folders are absent or read-only", async () => {
    const marker = `cmdai-eval-escape-${process.pid}`;
    const run = await workspace.execute(
      "alfa-fs-1",
      [
        `echo x > ${hostFolder}/escaped.txt`,
        `rm -f ${hostFolder}/keep.txt`,
        `echo x > /usr/${marker}`,
        `echo x > /etc/${marker}`,
        `echo x > /tmp/${marker}`,
        `ls ${hostFolder}`,
        "echo inside > /testbed/new.txt",
        "echo done",
      ].join("; "),
    );
    expect(run.result.stdout.trim()).toBe("done");
    expect(run.result.stderr).toMatch(/Read-only file system/);
    expect(run.tree.get("/testbed/new.txt")).toMatch(/^file 644 /);
    // The host: unchanged.
    expect(fs.readdirSync(hostFolder)).toEqual(["keep.txt"]);
    expect(fs.readFileSync(path.join(hostFolder, "keep.txt"), "utf8")).toBe("host data\n");
    for (const folder of ["/usr", "/etc", os.tmpdir()])
      expect(fs.existsSync(path.join(folder, marker))).toBe(false);
  });

  it("has no network: a server on the host's loopback cannot be reached", async () => {
    const run = await workspace.execute(
      "alfa-fs-4",
      `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3; echo "status $?"`,
    );
    expect(run.result.stdout).not.toMatch(/reached the host/);
    expect(run.result.stderr).toMatch(/Connection refused|Network is unreachable/);
    expect(hits).toBe(0);
    // The host can reach it, so the test could fail.
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toMatch(/reached the host/);
  });

  it("bounds a fork bomb by the process limit, and the clock ends it", async () => {
    const run = await workspace.execute(
      "alfa-fs-4",
      "bomb() { bomb | bomb & }; bomb; sleep 1; ls /proc | grep -c '^[0-9]'",
    );
    expect(run.result.stderr).toMatch(/Resource temporarily unavailable/);
    // Nothing of it survives on the host.
    const leftovers = spawnSync("pgrep", ["-f", "bomb"], { encoding: "utf8" }).stdout.trim();
    expect(leftovers).toBe("");
  });

  it("kills a command that runs forever at the time limit, and everything it started", async () => {
    const run = await workspace.execute("alfa-fs-4", "sleep 1000 & while true; do :; done");
    expect(run.result.timedOut).toBe(true);
    expect(run.result.exitCode).toBeUndefined();
    expect(spawnSync("pgrep", ["-f", "sleep 1000"], { encoding: "utf8" }).stdout.trim()).toBe("");
  });

  it("stops a command at the output limit", async () => {
    const small = openSandbox({ limits: { outputBytes: 1000 } });
    const smallWorkspace = new EvalWorkspace(small);
    try {
      const run = await smallWorkspace.execute("alfa-fs-4", "yes");
      expect(run.result.outputTruncated).toBe(true);
      expect(run.result.stdout.length).toBe(1000);
    } finally {
      await smallWorkspace.dispose();
    }
  });

  it("runs without capabilities, as root of its own namespace only, and cannot nest namespaces", async () => {
    const run = await workspace.execute(
      "alfa-fs-4",
      "grep CapEff /proc/self/status; id -u; unshare -U true && echo nested",
    );
    expect(run.result.stdout).toMatch(/CapEff:\s+0+\n/);
    expect(run.result.stdout).not.toMatch(/nested/);
  });

  it("gives every command a fresh copy of its setup", async () => {
    await workspace.execute("alfa-fs-1", "rm -r /testbed/dir1");
    const next = await workspace.execute("alfa-fs-1", "cat /testbed/dir1/textfile1.txt");
    expect(next.result.stdout).toBe("Hello, World!\n");
    expect(next.tree).toEqual((await workspace.template("alfa-fs-1")).initial);
  });
});

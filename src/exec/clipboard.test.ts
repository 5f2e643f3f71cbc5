import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clipboardCandidates, copyWithSystemTool, osc52Sequence } from "./clipboard.js";

describe("clipboardCandidates", () => {
  it.each([
    ["darwin", {}, ["pbcopy"]],
    ["win32", {}, ["clip.exe"]],
    ["linux", { WAYLAND_DISPLAY: "wayland-0" }, ["wl-copy"]],
    ["linux", { DISPLAY: ":0" }, ["xclip", "xsel"]],
    ["linux", { WAYLAND_DISPLAY: "wayland-0", DISPLAY: ":0" }, ["wl-copy", "xclip", "xsel"]],
    ["linux", { WSL_DISTRO_NAME: "Debian" }, ["clip.exe"]],
    ["linux", {}, []],
  ] as const)("%s %j", (platform, env, programs) => {
    expect(clipboardCandidates(platform, env).map((tool) => tool.program)).toEqual(programs);
  });
});

describe("copyWithSystemTool", () => {
  let bin: string;
  beforeEach(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-clipboard-"));
  });
  afterEach(() => {
    fs.rmSync(bin, { recursive: true, force: true });
  });

  /** A program named like a clipboard tool that stores its stdin (and arguments) in a file. */
  function installTool(name: string, exitCode = 0): string {
    const store = path.join(bin, `${name}.out`);
    fs.writeFileSync(
      path.join(bin, name),
      `#!/bin/sh\nprintf '%s\\n' "$*" > '${store}.args'\n/bin/cat > '${store}'\nexit ${exitCode}\n`,
      { mode: 0o755 },
    );
    return store;
  }

  it.skipIf(process.platform === "win32")(
    "pipes the text to xclip with the clipboard selection",
    async () => {
      const store = installTool("xclip");
      const method = await copyWithSystemTool("echo 'hi' ✓", {
        platform: "linux",
        env: { PATH: bin, DISPLAY: ":0" },
      });
      expect(method).toBe("xclip");
      expect(fs.readFileSync(store, "utf8")).toBe("echo 'hi' ✓");
      expect(fs.readFileSync(`${store}.args`, "utf8").trim()).toBe("-selection clipboard -in");
    },
  );

  it.skipIf(process.platform === "win32")("falls through a failing tool to the next", async () => {
    installTool("xclip", 1);
    const store = installTool("xsel");
    expect(await copyWithSystemTool("ls", { platform: "linux", env: { PATH: bin, DISPLAY: ":0" } })).toBe(
      "xsel",
    );
    expect(fs.readFileSync(store, "utf8")).toBe("ls");
  });

  it("reports no tool when none exists", async () => {
    expect(
      await copyWithSystemTool("ls", { platform: "linux", env: { PATH: bin, DISPLAY: ":0" } }),
    ).toBeUndefined();
  });
});

describe("osc52Sequence", () => {
  it("encodes the text in base64 inside OSC 52", () => {
    const sequence = osc52Sequence("ls ✓");
    expect(sequence.startsWith("\u001b]52;c;")).toBe(true);
    expect(sequence.endsWith("\u0007")).toBe(true);
    expect(Buffer.from(sequence.slice(7, -1), "base64").toString("utf8")).toBe("ls ✓");
  });
});

import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { virtualScreen } from "../../test/support/virtual-screen.js";
import { describeStep, LiveStatus, printable } from "./live-status.js";

function fakeStderr(): { stream: PassThrough & { isTTY: boolean; columns: number }; written: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; columns: number };
  stream.isTTY = true;
  stream.columns = 40;
  let written = "";
  stream.setEncoding("utf8").on("data", (chunk: string) => (written += chunk));
  return { stream, written: () => written };
}

const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("LiveStatus", () => {
  it("names the step after a moment, counts seconds, shows the command under it, and erases both", async () => {
    const terminal = fakeStderr();
    let now = 0;
    const live = new LiveStatus({
      stream: terminal.stream,
      color: false,
      showAfterMs: 5,
      tickMs: 5,
      now: () => now,
    });
    live.startStep("loading qwen2.5-coder-1.5b");
    expect(terminal.written()).toBe("");
    await later(30);
    expect(virtualScreen(terminal.written(), 40)).toEqual(["loading qwen2.5-coder-1.5b… 0s"]);
    now = 2_100;
    live.startStep("generating");
    now = 3_200;
    await later(30);
    live.showCommand('find . -name "*.log"');
    expect(virtualScreen(terminal.written(), 40)).toEqual(["generating… 1s", '$ find . -name "*.log"']);
    live.showCommand(`find . -name "*.log" -mtime +7 -size +1M -print`);
    // Cut to the width, keeping the newest part, so it never wraps.
    const row = virtualScreen(terminal.written(), 40)[1] ?? "";
    expect(row.startsWith("$ …")).toBe(true);
    expect(row.endsWith("-size +1M -print")).toBe(true);
    expect(Array.from(row).length).toBeLessThan(40);
    live.close();
    expect(virtualScreen(terminal.written(), 40).join("")).toBe("");
    live.showCommand("ignored after close");
    expect(virtualScreen(terminal.written(), 40).join("")).toBe("");
  });

  it("uses no colour when told so, and dims the status line otherwise", async () => {
    for (const color of [false, true]) {
      const terminal = fakeStderr();
      const live = new LiveStatus({ stream: terminal.stream, color, showAfterMs: 1 });
      live.startStep("generating");
      await later(20);
      live.clear();
      expect(terminal.written().includes("\u001b[2m")).toBe(color);
    }
  });

  it("never obeys control characters in model text", () => {
    expect(printable("echo a\nrm \u001b[2J\tx")).toBe("echo a⏎rm �[2J x");
  });

  it("words the steps of a request and leaves other events alone", () => {
    expect(describeStep({ kind: "load", label: "qwen2.5-coder-1.5b.gguf" })).toBe(
      "loading qwen2.5-coder-1.5b",
    );
    expect(describeStep({ kind: "serve", label: "m.gguf" })).toBe("starting the model server (m)");
    expect(describeStep({ kind: "generate", label: "m" })).toBe("generating");
    expect(describeStep({ kind: "download", label: "m.gguf" })).toBeUndefined();
  });
});

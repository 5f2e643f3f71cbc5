import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { measureLlamaFloor } from "./llama-floor.js";

// A stand-in for llama-bench: records its arguments and prints llama-bench's JSON shape, with the samples the
// test wants (prompt tests 30/31/50 ms, generation tests 2.0/2.1/3.0 s: medians 31 ms and 2.1 s, means not) or a failure.
const FAKE_BENCH = `#!/bin/sh
echo "$@" >> "$(dirname "$0")/calls"
[ -n "$FAIL" ] && { echo "ggml: out of memory" >&2; exit 3; }
case " $* " in
  *" -n 0 "*) echo '[{"n_prompt": 31, "n_gen": 0, "samples_ns": [31000000, 30000000, 50000000]}]' ;;
  *) echo '[{"n_prompt": 0, "n_gen": 27, "samples_ns": [3000000000, 2000000000, 2100000000]}]' ;;
esac
`;

let folder: string;
let binary: string;
beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-floor-"));
  binary = path.join(folder, "llama-bench");
  fs.writeFileSync(binary, FAKE_BENCH, { mode: 0o755 });
});
afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

const tokens = { cachedTokens: 314, evaluatedTokens: 31, answerTokens: 28 };

describe("measureLlamaFloor", () => {
  it("times the prompt batch at the cached depth and each later answer token at the answer's depth", () => {
    const floor = measureLlamaFloor(
      { binary, cwd: undefined },
      { modelPath: "/m.gguf", threads: 2, repetitions: 3, tokens },
    );
    expect(floor).toEqual({ promptMs: 31, answerMs: 2100, tests: "pp31 @ d314 + tg27 @ d345" });
    const calls = fs.readFileSync(path.join(folder, "calls"), "utf8").trim().split("\n");
    expect(calls).toEqual([
      "-m /m.gguf -t 2 -r 3 -p 31 -n 0 -d 314 -o json",
      "-m /m.gguf -t 2 -r 3 -p 0 -n 27 -d 345 -o json",
    ]);
  });

  it("needs no generation test for a one-token answer", () => {
    const floor = measureLlamaFloor(
      { binary, cwd: undefined },
      { modelPath: "/m.gguf", threads: 2, repetitions: 3, tokens: { ...tokens, answerTokens: 1 } },
    );
    expect(floor).toMatchObject({ answerMs: 0 });
    expect(fs.readFileSync(path.join(folder, "calls"), "utf8").trim().split("\n")).toHaveLength(1);
  });

  it("says why when llama-bench fails", () => {
    process.env.FAIL = "1";
    try {
      const floor = measureLlamaFloor(
        { binary, cwd: undefined },
        { modelPath: "/m.gguf", threads: 2, repetitions: 3, tokens },
      );
      expect(floor).toEqual({ error: "llama-bench failed (exit 3): ggml: out of memory" });
    } finally {
      delete process.env.FAIL;
    }
  });
});

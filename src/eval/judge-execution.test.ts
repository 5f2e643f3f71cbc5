import { describe, expect, it } from "vitest";
import { judgeExecution, normalizeOutput, type ExecutionOutcome } from "./judge-execution.js";
import type { TreeSnapshot } from "./tree-snapshot.js";

const initial: TreeSnapshot = new Map([
  ["/testbed", "dir 755"],
  ["/testbed/a.txt", "file 644 aa"],
]);
const changed: TreeSnapshot = new Map([...initial, ["/testbed/b.txt", "file 644 bb"]]);

function outcome(
  stdout: string,
  tree: TreeSnapshot,
  exitCode: number | undefined = 0,
  timedOut = false,
): ExecutionOutcome {
  return { result: { stdout, exitCode, timedOut, outputTruncated: false, stderr: "", durationMs: 1 }, tree };
}

describe("judging a generated command against the references", () => {
  it("is exact when output, status and tree match one reference", () => {
    expect(
      judgeExecution(outcome("3\n", initial), [outcome("2\n", initial), outcome("3", initial)], initial),
    ).toEqual({
      match: "exact",
      reference: 1,
    });
  });

  it("is equivalent when the reference changed the tree the same way but printed something else", () => {
    expect(judgeExecution(outcome("'a' -> 'b'\n", changed), [outcome("", changed)], initial)).toEqual({
      match: "equivalent",
      reference: 0,
    });
  });

  it("is not equivalent on tree alone when the reference changed nothing (the output was the task)", () => {
    expect(judgeExecution(outcome("4\n", initial), [outcome("3\n", initial)], initial)).toMatchObject({
      match: "none",
    });
  });

  it("fails on a different exit status, a different tree, or a timeout", () => {
    expect(judgeExecution(outcome("", changed, 1), [outcome("", changed)], initial)).toEqual({
      match: "none",
      reason: "exit status 1 instead of 0",
    });
    expect(judgeExecution(outcome("", initial), [outcome("", changed)], initial)).toEqual({
      match: "none",
      reason: "file tree differs at /testbed/b.txt (it changed nothing)",
    });
    expect(judgeExecution(outcome("", initial, undefined, true), [outcome("", initial)], initial)).toEqual({
      match: "none",
      reason: "timed out",
    });
  });

  it("ignores trailing blanks and newlines only", () => {
    expect(normalizeOutput("a  \nb\t\n\n")).toBe("a\nb");
    expect(normalizeOutput(" a")).toBe(" a");
  });
});

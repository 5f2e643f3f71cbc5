/**
 * Whether a generated command did what a reference did, from what both left behind in fresh copies of the same
 * setup. Two ways to match, reported apart:
 * - **exact**: the same standard output (trailing blanks ignored), the same exit status and the same tree;
 * - **equivalent**: the same exit status and the same tree, where the reference changed the tree — the task was
 *   the change, and what a command prints about it (`cp -v`) is incidental.
 */
import type { SandboxResult } from "./sandbox.js";
import { treeDifferences, type TreeSnapshot } from "./tree-snapshot.js";

/** One command's run: what the sandbox saw and the tree it left. */
export interface ExecutionOutcome {
  result: SandboxResult;
  tree: TreeSnapshot;
}

export type Match = "exact" | "equivalent";

/** How the generated command compares with the references; `reference` is the index of the one it matched. */
export type Judgement = { match: Match; reference: number } | { match: "none"; reason: string };

/** Output as compared: trailing blanks of each line and trailing newlines do not count. */
export function normalizeOutput(text: string): string {
  return text.replace(/[ \t\r]+$/gm, "").replace(/\n+$/, "");
}

/** Compare the generated command's run with each reference run; an exact match wins over an equivalent one. */
export function judgeExecution(
  generated: ExecutionOutcome,
  references: readonly ExecutionOutcome[],
  initial: TreeSnapshot,
): Judgement {
  const sameStatus = (reference: ExecutionOutcome): boolean =>
    generated.result.exitCode === reference.result.exitCode &&
    generated.result.timedOut === reference.result.timedOut;
  const sameTree = (reference: ExecutionOutcome): boolean =>
    treeDifferences(generated.tree, reference.tree).length === 0;
  const exact = references.findIndex(
    (reference) =>
      sameStatus(reference) &&
      sameTree(reference) &&
      normalizeOutput(generated.result.stdout) === normalizeOutput(reference.result.stdout),
  );
  if (exact >= 0) return { match: "exact", reference: exact };
  const equivalent = references.findIndex(
    (reference) =>
      sameStatus(reference) && sameTree(reference) && treeDifferences(reference.tree, initial).length > 0,
  );
  if (equivalent >= 0) return { match: "equivalent", reference: equivalent };
  return { match: "none", reason: whyNot(generated, references[0], initial) };
}

/** A short reason against the first reference, for the record. */
function whyNot(
  generated: ExecutionOutcome,
  reference: ExecutionOutcome | undefined,
  initial: TreeSnapshot,
): string {
  if (generated.result.timedOut) return "timed out";
  if (generated.result.outputTruncated) return "output over the limit";
  if (reference === undefined) return "no reference";
  if (generated.result.exitCode !== reference.result.exitCode) {
    return `exit status ${String(generated.result.exitCode)} instead of ${String(reference.result.exitCode)}`;
  }
  const differences = treeDifferences(generated.tree, reference.tree);
  if (differences.length > 0) {
    const changed = treeDifferences(generated.tree, initial).length > 0;
    return `file tree differs at ${differences.slice(0, 3).join(", ")}${changed ? "" : " (it changed nothing)"}`;
  }
  return "different output";
}

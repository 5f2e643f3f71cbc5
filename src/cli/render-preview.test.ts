import { describe, expect, it } from "vitest";
import { commandOutcome, menuConsent } from "../../test/support/command-outcome.js";
import type { EffectPreview } from "../preview/types.js";
import { renderOutcomeBlock } from "./menu/render-menu.js";
import { describeVerdict } from "./render-verdict.js";

const preview: EffectPreview = {
  summary: "deletes at least 1,284 files (2.3 GiB) in ./build and ./dist; 3 are tracked by git",
  targets: [],
  totals: { files: 1284, directories: 3, bytes: 2_469_606_195, tracked: 3 },
  truncated: true,
  unresolved: [],
  unmatched: [],
  unreadable: [],
  notes: ["rm without -r leaves the folder src alone (it refuses folders)."],
};

describe("the preview for a person", () => {
  it("stands under the verdict, with its notes, in the menu block and the plain output", () => {
    const outcome = {
      ...commandOutcome("rm -rf build dist src", { level: "high", decision: "confirm" }),
      preview,
    };
    for (const text of [
      renderOutcomeBlock(outcome, menuConsent(outcome), false),
      describeVerdict(outcome, menuConsent(outcome), false),
    ]) {
      const lines = text.split("\n");
      const badge = lines.findIndex((line) => line.startsWith("[HIGH]"));
      const summary = lines.findIndex((line) => line === `preview: ${preview.summary}`);
      expect(badge).toBeGreaterThanOrEqual(0);
      expect(summary).toBeGreaterThan(badge);
      expect(lines[summary + 1]).toBe("  rm without -r leaves the folder src alone (it refuses folders).");
    }
  });

  it("adds nothing when there is no preview", () => {
    const outcome = commandOutcome("ls");
    expect(describeVerdict(outcome, menuConsent(outcome), false)).not.toContain("preview:");
  });
});

describe("a preview that counted nothing", () => {
  it("says its note once (the summary is made of it)", () => {
    const note = "git could not list the uncommitted changes git reset would discard (not a git work tree?).";
    const outcome = {
      ...commandOutcome("git reset --hard", { level: "high", decision: "confirm" }),
      preview: { ...preview, summary: note.replace(/\.$/, ""), truncated: false, notes: [note] },
    };
    const text = describeVerdict(outcome, menuConsent(outcome), false);
    expect(text.split("git could not list").length - 1).toBe(1);
  });
});

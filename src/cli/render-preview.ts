/**
 * The effect preview for a person: one `preview:` line under the verdict, plus the notes that change what the
 * numbers mean.
 */
import type { EffectPreview } from "../preview/types.js";
import { painter } from "./colors.js";

/**
 * `preview: deletes 10 files (1.0 KB) in ./build` and one dimmed line per note; with `counting`, the summary
 * is marked as still being counted (the menu fills in the result).
 */
export function renderPreview(
  preview: EffectPreview,
  options: { color: boolean; counting?: boolean },
): string {
  const paint = painter(options.color);
  const counting = options.counting === true ? paint.dim(" (counting…)") : "";
  const lines = [`${paint.dim("preview:")} ${paint.bold(preview.summary)}${counting}`];
  // When nothing was counted the summary is made of the notes: each sentence is printed once.
  const inSummary = new Set(preview.summary.split("; "));
  for (const note of preview.notes) {
    if (!inSummary.has(note.replace(/\.$/, ""))) lines.push(`  ${paint.dim(note)}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The preview's one plain-language sentence: what each effect touches ("deletes 1,284 files (2.3 GiB) in ./build
 * and ./dist; 3 are tracked by git"), what matches nothing, what cannot be known, and "at least" when counting
 * stopped early.
 */
import { formatBytes } from "../format-bytes.js";
import type { Effect, PreviewTarget } from "./types.js";

/** A count with thousands separators and the noun in the right number: `1,284 files`, `1 file`. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? singular : plural}`;
}

const VERBS: Record<Effect, string> = {
  delete: "deletes",
  move: "moves",
  overwrite: "overwrites",
  truncate: "truncates",
  permissions: "changes the permissions of",
  owner: "changes the owner of",
  discard: "discards uncommitted changes to",
};

/** Names a list of paths: `./build`, `./build and ./dist`, `a, b, c and 4 more`. */
function namePaths(paths: readonly string[]): string {
  const shown = paths.slice(0, 3);
  const more = paths.length - shown.length;
  if (more > 0) return `${shown.join(", ")} and ${more.toLocaleString("en-US")} more`;
  if (shown.length <= 1) return shown.join("");
  return `${shown.slice(0, -1).join(", ")} and ${shown.at(-1) ?? ""}`;
}

/** What was found, as one sentence. */
export function summarisePreview(preview: {
  targets: readonly PreviewTarget[];
  truncated: boolean;
  unresolved: readonly string[];
  unmatched: readonly string[];
  missing: readonly string[];
  unreadable: readonly string[];
  notes: readonly string[];
}): string {
  const atLeast = preview.truncated ? "at least " : "";
  const clauses: string[] = [];
  const effects = [...new Set(preview.targets.map((target) => target.effect))];
  for (const effect of effects) {
    const targets = preview.targets.filter((target) => target.effect === effect);
    const files = targets.reduce((sum, target) => sum + target.files, 0);
    const directories = targets.reduce((sum, target) => sum + target.directories, 0);
    const bytes = targets.reduce((sum, target) => sum + target.bytes, 0);
    const inFolders = targets.every((target) => target.kind === "directory");
    const what =
      files === 0 && directories > 0
        ? countOf(directories, "folder")
        : `${countOf(files, "file")}${effect === "discard" ? "" : ` (${effect === "truncate" ? `losing ${atLeast}` : ""}${formatBytes(bytes)})`}` +
          (directories > 0 && !inFolders ? ` and ${countOf(directories, "folder")}` : "");
    const where = namePaths(targets.map((target) => target.path));
    if (files === 0 && directories === 0) {
      clauses.push(`${effect === "delete" ? "nothing to delete" : `${VERBS[effect]} nothing`} in ${where}`);
      continue;
    }
    // "deletes 10 files in ./build" (what is inside), but "moves 10 files: ./build" (the folder itself goes).
    const inside = inFolders && effect !== "move" && files > 0;
    clauses.push(`${VERBS[effect]} ${atLeast}${what}${inside ? " in " : ": "}${where}`);
  }
  const tracked = preview.targets
    .filter((target) => target.effect !== "discard")
    .reduce((sum, target) => sum + (target.tracked ?? 0), 0);
  if (tracked > 0)
    clauses.push(`${tracked.toLocaleString("en-US")} ${tracked === 1 ? "is" : "are"} tracked by git`);
  if (preview.unmatched.length > 0) {
    const patterns = namePaths(preview.unmatched);
    clauses.push(
      clauses.length === 0 ? `matches nothing (no file matches ${patterns})` : `${patterns} matches nothing`,
    );
  }
  if (preview.missing.length > 0) {
    const names = namePaths(preview.missing);
    const verb = preview.missing.length === 1 ? "does" : "do";
    clauses.push(
      clauses.length === 0 ? `nothing to touch: ${names} ${verb} not exist` : `${names} ${verb} not exist`,
    );
  }
  if (preview.unresolved.length > 0) {
    clauses.push(
      `cannot tell what ${namePaths(preview.unresolved)} will be (no value here), so that is not counted`,
    );
  }
  if (preview.unreadable.length > 0) {
    clauses.push(`could not read ${namePaths(preview.unreadable)} (permission denied)`);
  }
  if (clauses.length === 0 && preview.truncated) return "could not count in time what it would change";
  if (clauses.length === 0) {
    // Nothing counted: the notes say why (nothing to clean, a folder rm refuses, targets from xargs input).
    if (preview.notes.length === 0) return "changes nothing that exists";
    return preview.notes.map((note) => note.replace(/\.$/, "")).join("; ");
  }
  return clauses.join("; ");
}

/**
 * Expands a glob the way bash does by default in a folder: `*`, `?` and `[…]` match within one path segment,
 * names starting with `.` match only a pattern segment that starts with a literal `.`, `**` is `*` (no globstar),
 * results are sorted, and a pattern that matches nothing yields nothing (bash then passes the literal pattern,
 * which names no file). Only `readdir` is used.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { PreviewBudget } from "./preview-budget.js";

/** The matches of `pattern` (escaped literals with `\`), as paths written the way the pattern writes them. */
export async function expandGlob(
  pattern: string,
  options: { cwd: string; budget: PreviewBudget },
): Promise<{ matches: string[]; truncated: boolean; unreadable: string[] }> {
  const absolute = pattern.startsWith("/");
  const segments = pattern.split("/");
  // Each candidate: the path as written so far, and its absolute form for the file system.
  let candidates: { written: string; absolute: string }[] = [
    { written: absolute ? "/" : "", absolute: absolute ? "/" : options.cwd },
  ];
  let truncated = false;
  const unreadable: string[] = [];
  const startIndex = absolute ? 1 : 0;
  for (let index = startIndex; index < segments.length; index++) {
    const segment = segments[index] ?? "";
    const last = index === segments.length - 1;
    if (segment === "") {
      // `a//b` or a trailing slash: keep the slash; a trailing slash means directories only.
      if (last) candidates = await onlyDirectories(candidates);
      candidates = candidates.map((candidate) => ({ ...candidate, written: `${candidate.written}/` }));
      continue;
    }
    const next: typeof candidates = [];
    if (!hasGlob(segment)) {
      const literal = unescapeGlob(segment);
      for (const candidate of candidates)
        next.push({
          written: join(candidate.written, literal),
          absolute: path.join(candidate.absolute, literal),
        });
    } else {
      const matcher = globSegmentRegExp(segment);
      const dotAllowed = segment.startsWith(".") || segment.startsWith("\\.");
      for (const candidate of candidates) {
        if (options.budget.exhausted) {
          truncated = true;
          break;
        }
        let names: string[];
        try {
          names = await fs.readdir(candidate.absolute);
        } catch (error) {
          // A folder that is there but cannot be read hides what the pattern would match.
          if ((error as NodeJS.ErrnoException).code === "EACCES") {
            unreadable.push(candidate.written === "" ? "." : candidate.written);
            truncated = true;
          }
          continue;
        }
        if (!options.budget.spend(names.length)) truncated = true;
        for (const name of names.sort()) {
          if (name.startsWith(".") && !dotAllowed) continue;
          if (!matcher.test(name)) continue;
          next.push({
            written: join(candidate.written, name),
            absolute: path.join(candidate.absolute, name),
          });
        }
      }
    }
    candidates = next;
  }
  const existing: string[] = [];
  for (const candidate of candidates) {
    try {
      await fs.lstat(candidate.absolute);
      existing.push(candidate.written);
    } catch {
      // a literal segment after a glob names nothing here
    }
  }
  return { matches: existing, truncated, unreadable };
}

async function onlyDirectories(
  candidates: { written: string; absolute: string }[],
): Promise<{ written: string; absolute: string }[]> {
  const kept: { written: string; absolute: string }[] = [];
  for (const candidate of candidates) {
    try {
      if ((await fs.stat(candidate.absolute)).isDirectory()) kept.push(candidate);
    } catch {
      // not there
    }
  }
  return kept;
}

function join(written: string, name: string): string {
  if (written === "") return name;
  return written.endsWith("/") ? written + name : `${written}/${name}`;
}

/** Whether a pattern segment holds an unescaped glob character. */
export function hasGlob(segment: string): boolean {
  for (let index = 0; index < segment.length; index++) {
    const character = segment.charAt(index);
    if (character === "\\") index++;
    else if (character === "*" || character === "?" || character === "[") return true;
  }
  return false;
}

/** Removes the escaping of a literal pattern segment. */
export function unescapeGlob(segment: string): string {
  return segment.replace(/\\(.)/g, "$1");
}

/** A regular expression matching one file name against one pattern segment. */
export function globSegmentRegExp(segment: string): RegExp {
  let source = "";
  for (let index = 0; index < segment.length; index++) {
    const character = segment.charAt(index);
    if (character === "\\") {
      index++;
      source += escapeRegExp(segment.charAt(index));
    } else if (character === "*") {
      source += ".*";
    } else if (character === "?") {
      source += ".";
    } else if (character === "[") {
      const close = bracketEnd(segment, index);
      if (close === -1) {
        source += "\\[";
        continue;
      }
      let body = segment.slice(index + 1, close);
      let negated = false;
      if (body.startsWith("!") || body.startsWith("^")) {
        negated = true;
        body = body.slice(1);
      }
      const escaped = body.replace(/\\(.)/g, "$1").replace(/[\\\]^]/g, "\\$&");
      source += `[${negated ? "^" : ""}${escaped}]`;
      index = close;
    } else {
      source += escapeRegExp(character);
    }
  }
  return new RegExp(`^${source}$`, "s");
}

/** Index of the `]` closing a bracket expression opened at `open`, or -1. */
function bracketEnd(segment: string, open: number): number {
  let index = open + 1;
  if (segment.charAt(index) === "!" || segment.charAt(index) === "^") index++;
  if (segment.charAt(index) === "]") index++;
  for (; index < segment.length; index++) {
    const character = segment.charAt(index);
    if (character === "\\") index++;
    else if (character === "]") return index;
  }
  return -1;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

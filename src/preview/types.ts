/**
 * Types of the effect preview: what a command would delete, move, overwrite or change, counted on disk without
 * running it. `EffectPreview` is part of the JSON output contract (`preview` in `cmdai --output json`).
 */
import type { ShellName } from "../shells.js";

/** What a command does to a target. */
export const EFFECTS = [
  "delete",
  "move",
  "overwrite",
  "truncate",
  "permissions",
  "owner",
  "discard",
] as const;
export type Effect = (typeof EFFECTS)[number];

/** What a target is on disk, seen without following symlinks; `missing` when it does not exist. */
export const ENTRY_KINDS = ["file", "directory", "symlink", "other", "missing"] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** One path the command would touch, with what lies under it. */
export interface PreviewTarget {
  /** The path as the shell would pass it (after globbing, `~` and variables), relative paths kept relative. */
  path: string;
  effect: Effect;
  kind: EntryKind;
  /** Files (everything that is not a directory: regular files, symlinks, sockets …) affected at or under `path`. */
  files: number;
  /** Directories affected at or under `path`, itself included. */
  directories: number;
  /** Bytes of the regular files affected (their apparent size; for `truncate`, the bytes cut off). */
  bytes: number;
  /** How many of the affected files git tracks, when `path` is in a git work tree. */
  tracked?: number;
}

/** The preview of one command line. */
export interface EffectPreview {
  /** One plain-language sentence, e.g. "deletes 1,284 files (2.3 GiB) in ./build and ./dist; 3 are tracked by git". */
  summary: string;
  /** The targets, at most {@link MAXIMUM_LISTED_TARGETS}; `totals` counts all of them. */
  targets: PreviewTarget[];
  /** Sums over every target. */
  totals: { files: number; directories: number; bytes: number; tracked: number };
  /** The time or entry budget ran out (or a folder could not be read): the counts are lower bounds. */
  truncated: boolean;
  /** Words whose value cannot be known without running the command (`$TARGET`, `$(…)`), never guessed. */
  unresolved: string[];
  /** Patterns or paths that match nothing, as written. */
  unmatched: string[];
  /** Folders that could not be read (permission denied), so what is under them is not counted. */
  unreadable: string[];
  /** Other things worth knowing, one sentence each (e.g. a `find` test the preview cannot evaluate). */
  notes: string[];
}

/** Targets listed in a preview; the rest are summed in `totals` only. */
export const MAXIMUM_LISTED_TARGETS = 100;

/** Options of {@link previewEffects}. */
export interface PreviewOptions {
  /** The shell the command is for; PowerShell and cmd are not previewed. */
  shell: ShellName;
  /** The folder the command would run in. */
  cwd: string;
  /** The environment it would run with (for `$HOME`, `~`, `$VAR`); default none. */
  env?: NodeJS.ProcessEnv;
  /** Limits; defaults: 200,000 entries and 2,000 ms. */
  budget?: { entries?: number; timeMs?: number };
  /** Aborts the preview early (the result is then marked truncated). */
  signal?: AbortSignal;
}

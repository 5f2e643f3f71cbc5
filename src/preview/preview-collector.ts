/**
 * Gathers what the commands of one line would touch: measured targets, patterns that match nothing, paths that
 * do not exist, unreadable folders, notes. Each command's handler adds to it; `previewEffects` turns it into the
 * {@link EffectPreview}.
 */
import type { Stats } from "node:fs";
import path from "node:path";
import { lstatOrUndefined, measureTree } from "./measure-tree.js";
import type { PreviewBudget } from "./preview-budget.js";
import type { Effect, PreviewTarget } from "./types.js";

/** One argument after expansion, as the command would receive it. */
export interface Argument {
  /** The word the command gets. */
  text: string;
  /** A glob that matched nothing (the shell passes the pattern itself, which names no file). */
  noMatch: boolean;
  /** Holds a variable or substitution with no known value: its path cannot be known. */
  unresolved: boolean;
}

/** A target with its absolute path, for git questions and de-duplication. */
export interface CollectedTarget extends PreviewTarget {
  absolute: string;
}

/** Where a command runs and what it may spend. */
export interface CommandContext {
  cwd: string;
  budget: PreviewBudget;
  env: NodeJS.ProcessEnv;
}

export class PreviewCollector {
  readonly targets: CollectedTarget[] = [];
  readonly unmatched: string[] = [];
  readonly missing: string[] = [];
  readonly unreadable: string[] = [];
  readonly unresolved: string[] = [];
  readonly notes: string[] = [];
  /** Some command of the line changes files (even when it finds nothing to change). */
  changesFiles = false;
  truncated = false;
  /** `effect\0absolute` of every target, so `rm a a` or `rm * *.log` counts each file once. */
  private readonly seen = new Set<string>();

  /** Records a target counted by a handler itself. */
  addTarget(target: CollectedTarget): void {
    this.changesFiles = true;
    const key = `${target.effect}\u0000${target.absolute}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.targets.push(target);
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  /** Records a glob that matched nothing (once). */
  recordUnmatched(text: string): void {
    if (!this.unmatched.includes(text)) this.unmatched.push(text);
  }

  /** Records a path that does not exist (once). */
  recordMissing(text: string): void {
    if (!this.missing.includes(text)) this.missing.push(text);
  }

  /**
   * The absolute path and `lstat` of an argument that names an existing entry. An unresolved argument is
   * skipped; a glob that matched nothing or a missing path is recorded as such; both give undefined.
   */
  async locate(
    argument: Argument,
    context: CommandContext,
  ): Promise<{ absolute: string; stats: Stats } | undefined> {
    if (argument.unresolved) return undefined;
    if (argument.noMatch) {
      this.recordUnmatched(argument.text);
      return undefined;
    }
    const absolute = path.resolve(context.cwd, argument.text);
    const stats = await lstatOrUndefined(absolute);
    if (stats === undefined) {
      this.recordMissing(argument.text);
      return undefined;
    }
    return { absolute, stats };
  }

  /**
   * Measures one path argument for `effect`: a glob that matched nothing or a path that does not exist is
   * recorded as such; `recursive` counts a folder with everything under it; `refuseDirectories` (rm without -r)
   * leaves folders alone with a note.
   */
  async addPath(
    effect: Effect,
    argument: Argument,
    context: CommandContext,
    options: { recursive: boolean; refuseDirectories?: boolean; program?: string },
  ): Promise<void> {
    this.changesFiles = true;
    if (argument.unresolved) return;
    if (argument.noMatch) {
      this.recordUnmatched(argument.text);
      return;
    }
    const absolute = path.resolve(context.cwd, argument.text);
    const measure = await measureTree(absolute, {
      recursive: options.recursive,
      budget: context.budget,
      displayPath: argument.text,
    });
    this.absorb(measure);
    if (measure.inaccessible === true) return;
    if (measure.kind === "missing") {
      this.recordMissing(argument.text);
      return;
    }
    if (measure.kind === "directory" && options.refuseDirectories === true) {
      this.note(
        `${options.program ?? "the command"} without -r leaves the folder ${argument.text} alone (it refuses folders).`,
      );
      return;
    }
    this.addTarget({
      path: argument.text,
      absolute,
      effect,
      kind: measure.kind,
      files: measure.files,
      directories: measure.directories,
      bytes: measure.bytes,
    });
  }

  /** Takes over the unreadable folders and truncation of a measurement. */
  absorb(measure: { unreadable: readonly string[]; truncated: boolean }): void {
    for (const folder of measure.unreadable)
      if (!this.unreadable.includes(folder)) this.unreadable.push(folder);
    if (measure.truncated) this.truncated = true;
  }
}

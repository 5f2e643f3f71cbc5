/**
 * `find` deletes with `-delete` and runs other commands with `-exec`/`-execdir`/`-ok`/`-okdir`. Without a filter
 * (`-name`, `-mtime`, …) those touch everything under the starting folders, so `{}` stands for the folder itself.
 */
import { classifyPath, describeTarget } from "./path-classes.js";
import type { RiskLevel } from "./types.js";

const NOT_FILTERS = new Set([
  "-type",
  "-xtype",
  "-maxdepth",
  "-mindepth",
  "-depth",
  "-d",
  "-xdev",
  "-mount",
  "-follow",
  "-L",
  "-H",
  "-P",
  "-print",
  "-print0",
  "-o",
  "-or",
  "-a",
  "-and",
  "-not",
  "!",
  "(",
  ")",
  "-noleaf",
  "-ignore_readdir_race",
  "-daystart",
  "-delete",
  "-prune",
  "-true",
]);
const EXECUTORS = new Set(["-exec", "-execdir", "-ok", "-okdir"]);

/** What a find command would do. */
export interface FindAnalysis {
  roots: string[];
  filtered: boolean;
  deletes: boolean;
  /** Commands run per file, with `{}` replaced by the root when unfiltered. */
  executions: string[][];
  writesFiles: boolean;
  /**
   * Selects files by what they are (a name, a path, an inode, emptiness) rather than only by age, size, owner or
   * what they are not: `-name '*.o'` picks a kind of file, `-mtime +30` or `! -name keep` picks nearly everything.
   */
  selective: boolean;
}

/** Tests that pick out a particular set of files when not negated. */
const SELECTIVE_TESTS = /^-(i?name|i?path|i?wholename|i?regex|inum|samefile|empty|links|lname|ilname)$/;

/** Splits a find command's arguments into roots, filters and actions. */
export function analyseFind(args: readonly string[]): FindAnalysis {
  let index = 0;
  while (index < args.length && /^-[HLPO]/.test(args[index] ?? "") && (args[index] ?? "").length <= 3)
    index++;
  const roots: string[] = [];
  while (index < args.length && !/^[-(!]/.test(args[index] ?? "")) roots.push(args[index++] ?? "");
  let filtered = false;
  let deletes = false;
  let writesFiles = false;
  let selective = false;
  const rawExecutions: string[][] = [];
  while (index < args.length) {
    const word = args[index] ?? "";
    const previous = args[index - 1] ?? "";
    const negated = previous === "!" || previous === "-not";
    if (SELECTIVE_TESTS.test(word) && !negated && !/^\*+$/.test(args[index + 1] ?? "")) selective = true;
    // `-size 0` is an empty file, as `-empty` is.
    if (word === "-size" && !negated && /^0[ckMGb]?$/.test(args[index + 1] ?? "")) selective = true;
    if (EXECUTORS.has(word)) {
      const command: string[] = [];
      index++;
      while (index < args.length && args[index] !== ";" && args[index] !== "+" && args[index] !== "\\;")
        command.push(args[index++] ?? "");
      rawExecutions.push(command);
      // `-ok` asks before each file, so only -exec/-execdir count as deleting unattended.
      if (word.startsWith("-exec") && /^(rm|unlink|shred|srm)$/.test((command[0] ?? "").replace(/^.*\//, "")))
        deletes = true;
    } else if (word === "-delete") {
      deletes = true;
    } else if (/^-f(print|print0|printf|ls)$/.test(word)) {
      writesFiles = true;
    } else if (/^-i?(name|path|wholename)$/.test(word) && /^\*+$/.test(args[index + 1] ?? "")) {
      index++; // `-name '*'` matches everything: not a filter.
    } else if (word.startsWith("-") && !NOT_FILTERS.has(word)) {
      filtered = true;
    }
    index++;
  }
  const effectiveRoots = roots.length > 0 ? roots : ["."];
  const replacement = !filtered && effectiveRoots.length === 1 ? (effectiveRoots[0] ?? "{}") : "{}";
  const executions = rawExecutions.map((command) => command.map((word) => word.replace("{}", replacement)));
  return { roots: effectiveRoots, filtered, deletes, executions, writesFiles, selective };
}

/** The level of `find … -delete`, from where it starts and whether it is filtered. */
export function judgeFindDelete(analysis: FindAnalysis): { level: RiskLevel; message: string } {
  const classes = analysis.roots.map((root) => classifyPath(root));
  const worst = classes.includes("root")
    ? "root"
    : classes.includes("broad") || classes.includes("unsetVariable")
      ? "broad"
      : "other";
  const where = describeTarget(
    analysis.roots.find((root) => classifyPath(root) === worst) ?? analysis.roots[0] ?? ".",
  );
  const wholeSystem = analysis.roots.some((root) => /^(\/|\/\*|~|\$HOME|\$\{HOME\})\/?(\.)?$/.test(root));
  if (worst === "root" && (wholeSystem || !analysis.filtered)) {
    return analysis.filtered
      ? { level: "high", message: `Deletes every matching file anywhere under ${where}.` }
      : { level: "critical", message: `Deletes everything under ${where}.` };
  }
  if (worst === "broad" && !analysis.filtered)
    return { level: "high", message: `Deletes everything under ${where}.` };
  const unresolved =
    classes.includes("unresolved") ||
    classes.includes("unsetVariable") ||
    analysis.roots.some((root) => /[$`]/.test(root));
  if (unresolved && !analysis.selective)
    return {
      level: "high",
      message: `Deletes files under ${analysis.roots.join(" ")}, a folder computed at run time: cmdai cannot tell which.`,
    };
  // `find . -mtime +30 -delete`, `find . ! -name keep -delete`: nearly every file, chosen by age or by exclusion.
  if (worst === "broad" && !analysis.selective)
    return {
      level: "high",
      message: `Deletes every file under ${where} that is old, large or not excluded: not a named set of files.`,
    };
  return { level: "moderate", message: `Deletes the files under ${where} that match the search.` };
}

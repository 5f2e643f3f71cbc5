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
}

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
  const rawExecutions: string[][] = [];
  while (index < args.length) {
    const word = args[index] ?? "";
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
  return { roots: effectiveRoots, filtered, deletes, executions, writesFiles };
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
  return { level: "moderate", message: `Deletes the files under ${where} that match the search.` };
}

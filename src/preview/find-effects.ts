/**
 * Previews `find … -delete` and `find … -exec rm …`: walks the start paths the way `find -P` does (never into
 * symlinks), evaluates the tests it understands (`-name`, `-iname`, `-path`, `-ipath`, `-type`, `-empty`,
 * `-maxdepth`, `-mindepth`, `!`/`-not`, `-a`, `-o`, parentheses) and counts what the action would delete. A test it
 * does not understand stops the preview of that `find` with a note instead of a guess.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { unwrapCommand } from "../safety/unwrap.js";
import { globSegmentRegExp } from "./expand-glob.js";
import { entryKind, lstatOrUndefined, measureTree, walkTree } from "./measure-tree.js";
import type { Argument, CommandContext, PreviewCollector } from "./preview-collector.js";

type Expression =
  | { type: "test"; matches: (entry: FoundEntry) => boolean | Promise<boolean> }
  | { type: "action" }
  | { type: "not"; operand: Expression }
  | { type: "and" | "or"; left: Expression; right: Expression }
  | { type: "true" };

interface FoundEntry {
  /** The path as find prints it (start path joined with the relative path). */
  shown: string;
  absolute: string;
  name: string;
  kind: "file" | "directory" | "symlink" | "other";
  depth: number;
}

/** What the `find` would do to each matched entry. */
interface FindAction {
  kind: "delete" | "permissions" | "owner";
  recursive: boolean;
  /** Position of the action in the expression: only entries that reach it are counted. */
  index: number;
}

/** Options that take no argument and change nothing (or only how find walks). */
const NEUTRAL = new Set([
  "-print",
  "-print0",
  "-ls",
  "-depth",
  "-d",
  "-xdev",
  "-mount",
  "-noleaf",
  "-ignore_readdir_race",
  "-P",
  "-true",
  "-prune",
]);
const UNARY_TESTS = new Set([
  "-name",
  "-iname",
  "-path",
  "-ipath",
  "-wholename",
  "-iwholename",
  "-type",
  "-maxdepth",
  "-mindepth",
]);

class UnsupportedTest extends Error {}

/** Whether a find command line deletes or changes anything this module previews. */
export function findHasAction(args: readonly string[]): boolean {
  return args.some(
    (word) =>
      word === "-delete" || word === "-exec" || word === "-execdir" || word === "-ok" || word === "-okdir",
  );
}

/** Previews one `find` command (its arguments after `find`). */
export async function previewFind(
  args: readonly Argument[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  const words = args.map((argument) => argument.text);
  let index = 0;
  while (index < words.length && /^-[HLP]$|^-O\d$/.test(words[index] ?? "")) index++;
  if (words.slice(0, index).includes("-L") || words.slice(0, index).includes("-H")) {
    collector.changesFiles = true;
    collector.note("find -L follows symlinks; the preview does not, so it does not count through them.");
  }
  const starts: Argument[] = [];
  while (index < words.length && !/^[-!(]/.test(words[index] ?? "")) {
    const start = args[index];
    if (start !== undefined) starts.push(start);
    index++;
  }
  if (starts.length === 0) starts.push({ text: ".", noMatch: false, unresolved: false });
  const rest = words.slice(index);
  const action = findAction(rest);
  if (action === undefined) return;
  collector.changesFiles = true;
  let parsed: ReturnType<typeof parseExpression>;
  try {
    parsed = parseExpression(rest, action.index);
  } catch (error) {
    if (!(error instanceof UnsupportedTest)) throw error;
    collector.note(
      `find ${error.message} is not evaluated by the preview, so what this find would touch is not counted.`,
    );
    return;
  }
  const effect = action.kind;
  for (const start of starts) {
    const located = await collector.locate(start, context);
    if (located === undefined) continue;
    const { absolute: root, stats: rootStats } = located;
    const totals = { files: 0, directories: 0, bytes: 0 };
    const count = async (entry: FoundEntry): Promise<boolean> => {
      if (entry.depth < parsed.minDepth) return false;
      const run = { reached: false };
      await evaluate(parsed.expression, entry, run);
      if (!run.reached) return false;
      const measure = await measureTree(entry.absolute, {
        recursive: action.recursive,
        budget: context.budget,
        displayPath: entry.shown,
      });
      collector.absorb(measure);
      totals.files += measure.files;
      totals.directories += measure.directories;
      totals.bytes += measure.bytes;
      return true;
    };
    const rootKind = entryKind(rootStats);
    const counted = await count({
      shown: start.text,
      absolute: root,
      name: path.basename(root),
      kind: rootKind === "missing" ? "other" : rootKind,
      depth: 0,
    });
    if (rootKind === "directory" && !(counted && action.recursive) && parsed.maxDepth > 0) {
      const walk = await walkTree(root, context.budget, async (relative, dirent) => {
        const depth = relative.split(path.sep).length;
        const entry: FoundEntry = {
          shown: path.join(start.text, relative),
          absolute: path.join(root, relative),
          name: dirent.name,
          kind: dirent.isDirectory()
            ? "directory"
            : dirent.isSymbolicLink()
              ? "symlink"
              : dirent.isFile()
                ? "file"
                : "other",
          depth,
        };
        const matched = await count(entry);
        // A folder deleted with everything under it, or past -maxdepth, is not walked further.
        return (matched && action.recursive) || depth >= parsed.maxDepth ? "skip" : undefined;
      });
      collector.absorb({
        unreadable: walk.unreadable.map((folder) => path.join(start.text, folder)),
        truncated: walk.truncated,
      });
    }
    collector.addTarget({ path: start.text, absolute: root, effect, kind: rootKind, ...totals });
  }
}

/** The action of a find expression, when it deletes or changes permissions; undefined for anything else. */
function findAction(words: readonly string[]): FindAction | undefined {
  for (const [index, word] of words.entries()) {
    if (word === "-delete") return { kind: "delete", recursive: false, index };
    if (!/^-(exec|execdir|ok|okdir)$/.test(word)) continue;
    const end = words.findIndex((next, position) => position > index && (next === ";" || next === "+"));
    const inner = unwrapCommand(words.slice(index + 1, end === -1 ? undefined : end)).argv;
    const name = inner[0];
    const flags = inner.slice(1).filter((flag) => flag.startsWith("-"));
    const recursive = flags.some((flag) => /^-[a-zA-Z]*[rR]/.test(flag) || flag === "--recursive");
    if (name === "rm" || name === "unlink" || name === "rmdir")
      return { kind: "delete", recursive: name === "rm" && recursive, index };
    if (name === "chmod") return { kind: "permissions", recursive, index };
    if (name === "chown" || name === "chgrp") return { kind: "owner", recursive, index };
  }
  return undefined;
}

/**
 * Parses the expression (tests, operators, actions). The action at `actionIndex` records that an entry reached
 * it (`find . -name a -o -name b -delete` deletes only what matches b); every other action is true.
 */
function parseExpression(
  words: readonly string[],
  actionIndex: number,
): { expression: Expression; maxDepth: number; minDepth: number } {
  let position = 0;
  let maxDepth = Number.POSITIVE_INFINITY;
  let minDepth = 0;
  const peek = (): string | undefined => words[position];
  const primary = (): Expression => {
    const word = words[position++];
    if (word === undefined) return { type: "true" };
    if (word === "!" || word === "-not") return { type: "not", operand: primary() };
    if (word === "(") {
      const inner = orExpression();
      if (peek() === ")") position++;
      return inner;
    }
    const isAction = position - 1 === actionIndex;
    if (/^-(exec|execdir|ok|okdir)$/.test(word)) {
      while (position < words.length && words[position] !== ";" && words[position] !== "+") position++;
      position++;
      return isAction ? { type: "action" } : { type: "true" };
    }
    if (word === "-delete") return isAction ? { type: "action" } : { type: "true" };
    if (NEUTRAL.has(word)) return { type: "true" };
    if (word === "-false") return { type: "test", matches: () => false };
    if (word === "-empty") return { type: "test", matches: isEmpty };
    if (!UNARY_TESTS.has(word)) throw new UnsupportedTest(word);
    const value = words[position++] ?? "";
    switch (word) {
      case "-maxdepth":
        maxDepth = Number(value);
        return { type: "true" };
      case "-mindepth":
        minDepth = Number(value);
        return { type: "true" };
      case "-name":
      case "-iname": {
        const pattern = globSegmentRegExp(value);
        const insensitive = new RegExp(pattern.source, "is");
        return {
          type: "test",
          matches: (entry) => (word === "-iname" ? insensitive : pattern).test(entry.name),
        };
      }
      case "-type": {
        const kinds = value.split(",");
        return {
          type: "test",
          matches: (entry) =>
            kinds.some(
              (kind) =>
                (kind === "f" && entry.kind === "file") ||
                (kind === "d" && entry.kind === "directory") ||
                (kind === "l" && entry.kind === "symlink"),
            ),
        };
      }
      default: {
        // -path, -ipath, -wholename: the pattern's `*` matches `/` too.
        const source = globSegmentRegExp(value).source.replace(/\\\//g, "/");
        const pattern = new RegExp(source, word.startsWith("-i") ? "is" : "s");
        return { type: "test", matches: (entry) => pattern.test(entry.shown) };
      }
    }
  };
  const andExpression = (): Expression => {
    let left = primary();
    while (
      position < words.length &&
      peek() !== "-o" &&
      peek() !== "-or" &&
      peek() !== ")" &&
      peek() !== ","
    ) {
      if (peek() === "-a" || peek() === "-and") position++;
      left = { type: "and", left, right: primary() };
    }
    return left;
  };
  const orExpression = (): Expression => {
    let left = andExpression();
    while (peek() === "-o" || peek() === "-or") {
      position++;
      left = { type: "or", left, right: andExpression() };
    }
    if (peek() === ",") throw new UnsupportedTest(",");
    return left;
  };
  const expression = orExpression();
  return { expression, maxDepth, minDepth };
}

/** Evaluates the expression for one entry; `run.reached` tells whether the counted action was reached. */
async function evaluate(
  expression: Expression,
  entry: FoundEntry,
  run: { reached: boolean },
): Promise<boolean> {
  switch (expression.type) {
    case "true":
      return true;
    case "action":
      run.reached = true;
      return true;
    case "test":
      return expression.matches(entry);
    case "not":
      return !(await evaluate(expression.operand, entry, run));
    case "and":
      return (await evaluate(expression.left, entry, run)) && evaluate(expression.right, entry, run);
    case "or":
      return (await evaluate(expression.left, entry, run)) || evaluate(expression.right, entry, run);
  }
}

async function isEmpty(entry: FoundEntry): Promise<boolean> {
  if (entry.kind === "directory") {
    try {
      return (await fs.readdir(entry.absolute)).length === 0;
    } catch {
      return false;
    }
  }
  if (entry.kind !== "file") return false;
  return (await lstatOrUndefined(entry.absolute))?.size === 0;
}

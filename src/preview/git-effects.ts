/**
 * Previews of git commands that lose work, by asking git itself with read-only commands: `git clean` is run again
 * with `--dry-run` (same flags otherwise), `git reset --hard`, `git checkout -- <paths>` / `git checkout .` and
 * `git restore <paths>` read `git status --porcelain`; and `countTracked` asks `git ls-files` which affected files
 * git tracks. Every call has a timeout, runs with `GIT_OPTIONAL_LOCKS=0` (so `status` does not even refresh the
 * index) and never prompts.
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { lstatOrUndefined, measureTree } from "./measure-tree.js";
import type { Argument, CollectedTarget, CommandContext, PreviewCollector } from "./preview-collector.js";

/** Targets named to `git ls-files` one by one; above this, the whole repository is listed and matched here. */
const MAXIMUM_PATHSPECS = 200;
/** Longest a single git call may take, in milliseconds (less when the preview's budget has less left). */
const GIT_TIMEOUT_MS = 1_500;

/** Runs a read-only git command; resolves with its stdout, or undefined when it fails (not a repository …). */
export function runGit(
  args: readonly string[],
  cwd: string,
  context: CommandContext,
): Promise<string | undefined> {
  const timeout = Math.max(1, Math.min(GIT_TIMEOUT_MS, Math.round(context.budget.remainingMs)));
  return new Promise((resolve) => {
    execFile(
      "git",
      ["-c", "core.quotePath=false", "--no-pager", ...args],
      {
        cwd,
        timeout,
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
        env: { ...context.env, GIT_OPTIONAL_LOCKS: "0", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
      },
      (error, stdout) => {
        resolve(error === null ? stdout : undefined);
      },
    );
  });
}

/** The git subcommand and its arguments, skipping global options (`-C dir`, `-c key=value`, `--git-dir=…`). */
export function gitSubcommand(
  args: readonly Argument[],
  cwd: string,
): { name: string; args: Argument[]; cwd: string } | undefined {
  let index = 0;
  let directory = cwd;
  while (index < args.length) {
    const text = args[index]?.text ?? "";
    if (text === "-C") {
      directory = path.resolve(directory, args[index + 1]?.text ?? ".");
      index += 2;
    } else if (text === "-c" || text === "--git-dir" || text === "--work-tree" || text === "--namespace") {
      index += 2;
    } else if (text.startsWith("-")) {
      index++;
    } else {
      return { name: text, args: args.slice(index + 1), cwd: directory };
    }
  }
  return undefined;
}

/** Whether a git command line is one this module previews. */
export function gitLosesWork(name: string, args: readonly string[]): boolean {
  if (name === "clean") return true;
  if (name === "reset") return args.includes("--hard") || args.includes("--merge") || args.includes("--keep");
  if (name === "checkout")
    return args.includes("--") || args.includes(".") || args.includes("-f") || args.includes("--force");
  if (name === "restore")
    return !args.includes("--staged") || args.includes("--worktree") || args.includes("-W");
  return false;
}

/** Previews one git command (its arguments after `git`). */
export async function previewGit(
  args: readonly Argument[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  const command = gitSubcommand(args, context.cwd);
  if (command === undefined) return;
  const words = command.args.map((argument) => argument.text);
  if (!gitLosesWork(command.name, words)) return;
  collector.changesFiles = true;
  if (command.args.some((argument) => argument.unresolved)) return;
  const inner: CommandContext = { ...context, cwd: command.cwd };
  if (command.name === "clean") await previewClean(words, inner, collector);
  else await previewDiscard(command.name, words, inner, collector);
}

async function previewClean(
  words: readonly string[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  // Same flags, without the interactive mode, plus --dry-run: git lists what it would remove and removes nothing.
  const flags = words
    .filter((word) => word !== "-i" && word !== "--interactive")
    .map((word) => (/^-[a-zA-Z]+$/.test(word) ? word.replace(/i/g, "") : word))
    .filter((word) => word !== "-");
  const output = await runGit(["clean", "--dry-run", ...flags], context.cwd, context);
  if (output === undefined) {
    collector.note("git could not say what git clean would remove (not a git work tree?).");
    return;
  }
  const removed = output
    .split("\n")
    .filter((line) => line.startsWith("Would remove "))
    .map((line) => unquote(line.slice("Would remove ".length)));
  if (removed.length === 0) {
    collector.note("git clean finds nothing to remove.");
    return;
  }
  for (const entry of removed) {
    const absolute = path.resolve(context.cwd, entry);
    const measure = await measureTree(absolute, {
      recursive: true,
      budget: context.budget,
      displayPath: entry,
    });
    collector.absorb(measure);
    if (measure.kind === "missing") continue;
    collector.addTarget({
      path: entry,
      absolute,
      effect: "delete",
      kind: measure.kind,
      files: measure.files,
      directories: measure.directories,
      bytes: measure.bytes,
      tracked: 0,
    });
  }
}

/** `git reset --hard`, `git checkout -- paths`, `git restore paths`: the uncommitted changes that would be lost. */
async function previewDiscard(
  name: string,
  words: readonly string[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  const separator = words.indexOf("--");
  const pathspecs =
    name === "reset"
      ? []
      : separator !== -1
        ? words.slice(separator + 1)
        : words.filter(
            (word) => !word.startsWith("-") && (name === "restore" || word === "." || word.includes("/")),
          );
  const output = await runGit(
    ["status", "--porcelain=v1", "-z", "--untracked-files=no", "--", ...pathspecs],
    context.cwd,
    context,
  );
  if (output === undefined) {
    collector.note(
      `git could not list the uncommitted changes git ${name} would discard (not a git work tree?).`,
    );
    return;
  }
  const top = (await runGit(["rev-parse", "--show-toplevel"], context.cwd, context))?.trim() ?? context.cwd;
  const fields = output.split("\0");
  let lostFiles = 0;
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index] ?? "";
    if (field.length < 4) continue;
    const index_ = field.charAt(0);
    const worktree = field.charAt(1);
    const file = field.slice(3);
    if (index_ === "R" || index_ === "C") index++;
    // checkout/restore put the index back into the work tree: only unstaged changes are lost.
    const lost = name === "reset" ? index_ !== " " || worktree !== " " : worktree !== " ";
    if (!lost) continue;
    lostFiles++;
    const absolute = path.join(top, file);
    const stats = await lstatOrUndefined(absolute);
    collector.addTarget({
      path: path.relative(context.cwd, absolute) || ".",
      absolute,
      effect: "discard",
      kind:
        stats === undefined
          ? "missing"
          : stats.isFile()
            ? "file"
            : stats.isSymbolicLink()
              ? "symlink"
              : "other",
      files: 1,
      directories: 0,
      bytes: stats?.isFile() === true ? stats.size : 0,
      tracked: 1,
    });
    if (!context.budget.spend()) {
      collector.truncated = true;
      break;
    }
  }
  if (lostFiles === 0) collector.note("there are no uncommitted changes to lose.");
  if (name === "reset") {
    const reference = words.find((word) => !word.startsWith("-"));
    if (reference !== undefined && reference !== "HEAD")
      collector.note(
        `git reset --hard ${reference} also rewrites every file that differs between HEAD and ${reference}.`,
      );
  }
}

/** Undoes git's C-style quoting of a path (`"a\tb"`). */
function unquote(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"')) return text;
  return text.slice(1, -1).replace(/\\(["\\abtnvfr]|[0-7]{3})/g, (_match, code: string) => {
    const escapes: Record<string, string> = {
      a: "\x07",
      b: "\b",
      t: "\t",
      n: "\n",
      v: "\v",
      f: "\f",
      r: "\r",
    };
    if (/^[0-7]{3}$/.test(code)) return String.fromCharCode(parseInt(code, 8));
    return escapes[code] ?? code;
  });
}

/**
 * Sets `tracked` on each target git tracks files under (deleted, moved, overwritten or truncated ones), asking
 * `git ls-files` once per repository. Targets outside any repository are left without a count.
 */
export async function countTracked(targets: CollectedTarget[], context: CommandContext): Promise<void> {
  const byRepository = new Map<string, CollectedTarget[]>();
  const topOf = new Map<string, string | undefined>();
  for (const target of targets) {
    if (target.tracked !== undefined || target.kind === "missing") continue;
    if (!["delete", "move", "overwrite", "truncate"].includes(target.effect)) continue;
    const folder = target.kind === "directory" ? target.absolute : path.dirname(target.absolute);
    if (!topOf.has(folder))
      topOf.set(folder, (await runGit(["rev-parse", "--show-toplevel"], folder, context))?.trim());
    const top = topOf.get(folder);
    if (top === undefined || top === "") continue;
    const list = byRepository.get(top) ?? [];
    list.push(target);
    byRepository.set(top, list);
  }
  for (const [top, members] of byRepository) {
    // git prints its top level with symlinks resolved (/tmp → /private/tmp on macOS): compare real paths.
    const relative = await Promise.all(
      members.map(async (target) => {
        const parent = await fs
          .realpath(path.dirname(target.absolute))
          .catch(() => path.dirname(target.absolute));
        return path.relative(top, path.join(parent, path.basename(target.absolute))) || ".";
      }),
    );
    // Many targets (`rm *` in a big folder) would overflow the argument list: then list the whole repository.
    const pathspecs = relative.length <= MAXIMUM_PATHSPECS ? ["--", ...relative] : [];
    const output = await runGit(["--literal-pathspecs", "ls-files", "-z", ...pathspecs], top, context);
    if (output === undefined) continue;
    const counts = new Map<string, number>(relative.map((prefix) => [prefix, 0]));
    for (const file of output.split("\0")) {
      if (file !== "") credit(file, counts);
    }
    for (const [position, target] of members.entries())
      target.tracked = counts.get(relative[position] ?? "") ?? 0;
  }
}

/** Counts a tracked file for the target it is, or the nearest target folder it lies in (`.` holds everything). */
function credit(file: string, counts: Map<string, number>): void {
  for (let end = file.length; end > 0; end = file.lastIndexOf("/", end - 1)) {
    const prefix = file.slice(0, end);
    const count = counts.get(prefix);
    if (count !== undefined) {
      counts.set(prefix, count + 1);
      return;
    }
  }
  const everything = counts.get(".");
  if (everything !== undefined) counts.set(".", everything + 1);
}

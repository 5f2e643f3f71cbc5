/**
 * The effect preview: what a command line would delete, move, overwrite, truncate or re-permission, counted on
 * disk without running it. The line is parsed with the safety engine's bash grammar and extractor (every simple
 * command of pipelines, lists, subshells, `bash -c` …, wrappers like `sudo` peeled off by `unwrap.ts`), each
 * argument is expanded the way the target shell would expand it in `cwd` (globs skip dotfiles, `~`, known
 * variables; quoted words are not globbed; unknown variables are reported, never guessed), and each command's
 * operands are measured read-only within a time and entry budget.
 */
import path from "node:path";
import type { Node } from "web-tree-sitter";
import { extractCommands, type SimpleCommand } from "../safety/command-extractor.js";
import { loadBashParser } from "../safety/shell-parser.js";
import { unwrapCommand } from "../safety/unwrap.js";
import { isPosixFamily } from "../shells.js";
import { expandGlob } from "./expand-glob.js";
import {
  previewMoveOrCopy,
  previewOverwrite,
  previewPermissions,
  previewRemoveEntry,
  previewRm,
  previewShred,
  previewTee,
  previewTruncate,
} from "./file-commands.js";
import { findHasAction, previewFind } from "./find-effects.js";
import { countTracked, previewGit } from "./git-effects.js";
import { lstatOrUndefined } from "./measure-tree.js";
import { PreviewBudget } from "./preview-budget.js";
import { PreviewCollector, type Argument, type CommandContext } from "./preview-collector.js";
import { previewRsync } from "./rsync-effects.js";
import { readShellWords, type ShellWord } from "./shell-word.js";
import { summarisePreview } from "./summarise-preview.js";
import {
  MAXIMUM_LISTED_TARGETS,
  type EffectPreview,
  type PreviewOptions,
  type PreviewTarget,
} from "./types.js";

/** How deep `bash -c '…'` inside `sudo sh -c "…"` is followed. */
const MAXIMUM_SCRIPT_DEPTH = 4;

/** One simple command with its words read from the syntax tree. */
interface ParsedCommand {
  words: ShellWord[];
  redirects: { operator: string; target: ShellWord | undefined }[];
}

/** Redirection operators that empty their target first (`>>` and `&>>` append, `<` reads). */
const OVERWRITING_REDIRECTS = new Set([">", ">|", "&>", ">&"]);

/**
 * Previews `command` for `options.shell` in `options.cwd`. Resolves with undefined when nothing in the line
 * deletes, moves, overwrites or changes files (or the shell is PowerShell or cmd, which are not previewed).
 * Never throws for a command it cannot read: the preview then says what it could not tell.
 */
export async function previewEffects(
  command: string,
  options: PreviewOptions,
): Promise<EffectPreview | undefined> {
  if (!isPosixFamily(options.shell)) return undefined;
  const env = options.env ?? {};
  const budget = new PreviewBudget({
    entries: options.budget?.entries,
    timeMs: options.budget?.timeMs,
    signal: options.signal,
  });
  const collector = new PreviewCollector();
  const context: CommandContext = { cwd: options.cwd, budget, env };
  await previewScript(command, context, collector, 0);
  if (!collector.changesFiles) return undefined;
  if (!budget.exhausted) await countTracked(collector.targets, context);
  if (budget.exhausted) collector.truncated = true;
  const targets = collector.targets.map((target) => {
    const shown: PreviewTarget = {
      path: target.path,
      effect: target.effect,
      kind: target.kind,
      files: target.files,
      directories: target.directories,
      bytes: target.bytes,
    };
    if (target.tracked !== undefined) shown.tracked = target.tracked;
    return shown;
  });
  const preview: EffectPreview = {
    summary: summarisePreview({
      targets,
      truncated: collector.truncated,
      unresolved: collector.unresolved,
      unmatched: collector.unmatched,
      missing: collector.missing,
      unreadable: collector.unreadable,
      notes: collector.notes,
    }),
    targets: targets.slice(0, MAXIMUM_LISTED_TARGETS),
    totals: {
      files: targets.reduce((sum, target) => sum + target.files, 0),
      directories: targets.reduce((sum, target) => sum + target.directories, 0),
      bytes: targets.reduce((sum, target) => sum + target.bytes, 0),
      tracked: targets.reduce((sum, target) => sum + (target.tracked ?? 0), 0),
    },
    truncated: collector.truncated,
    unresolved: collector.unresolved,
    unmatched: [...collector.unmatched, ...collector.missing],
    unreadable: collector.unreadable,
    notes: collector.notes,
  };
  return preview;
}

/** Parses one script and previews each of its simple commands in order, following `cd`. */
async function previewScript(
  script: string,
  context: CommandContext,
  collector: PreviewCollector,
  depth: number,
): Promise<void> {
  const commands = await parseScript(script, context.env);
  let cwd = context.cwd;
  let cwdKnown = true;
  for (const parsed of commands) {
    const values = parsed.words.map((word) => word.value);
    const unwrapped = unwrapCommand(values);
    for (const inner of unwrapped.scripts)
      if (depth < MAXIMUM_SCRIPT_DEPTH) await previewScript(inner, { ...context, cwd }, collector, depth + 1);
    if (unwrapped.remote) continue;
    // The wrapped command is the tail of the words (sudo, env, nice …); anything else (xargs) is not previewed.
    const offset = parsed.words.length - unwrapped.argv.length;
    const tail = parsed.words.slice(offset);
    const aligned =
      unwrapped.argv.length > 0 &&
      tail.every((word, index) => index === 0 || word.value === unwrapped.argv[index]);
    const name = unwrapped.argv[0];
    if (name === "cd") {
      const target = tail[1];
      // Bare `cd` goes to the previewed shell's $HOME; with HOME unset bash refuses it and stays put.
      if (target === undefined) cwd = context.env.HOME ?? cwd;
      else if (target.unresolved.length > 0 || target.glob !== undefined) cwdKnown = false;
      else cwd = path.resolve(cwd, target.value);
      continue;
    }
    if (!cwdKnown) {
      collector.note(
        "an earlier cd goes to a folder the preview cannot know, so later commands are not counted.",
      );
      return;
    }
    const commandContext: CommandContext = { ...context, cwd };
    for (const redirect of parsed.redirects) {
      if (!OVERWRITING_REDIRECTS.has(redirect.operator) || redirect.target === undefined) continue;
      if (redirect.operator === ">&" && /^\d+$|^-$/.test(redirect.target.value)) continue;
      const [target] = await expandWord(redirect.target, commandContext, collector, { glob: false });
      if (target !== undefined) await previewOverwrite(target, commandContext, collector);
    }
    if (name === undefined) continue;
    if (!aligned) {
      if (unwrapped.wrappers.includes("xargs") && changesFiles(name, unwrapped.argv.slice(1))) {
        collector.changesFiles = true;
        collector.note(`${name} gets its targets from xargs input, which the preview cannot know.`);
      }
      continue;
    }
    if (!changesFiles(name, unwrapped.argv.slice(1))) continue;
    // rsync and git decide for themselves (`git status`, `rsync` without --delete change nothing).
    if (name !== "rsync" && name !== "git") collector.changesFiles = true;
    const args: Argument[] = [];
    for (const word of tail.slice(1))
      args.push(...(await expandWord(word, commandContext, collector, { glob: true })));
    await previewCommand(name, args, commandContext, collector);
  }
}

/** Whether a command (name and normalised arguments) is one the preview counts. */
function changesFiles(name: string, args: readonly string[]): boolean {
  switch (name) {
    case "rm":
    case "rmdir":
    case "unlink":
    case "mv":
    case "cp":
    case "chmod":
    case "chown":
    case "chgrp":
    case "truncate":
    case "shred":
    case "rsync":
    case "git":
      return true;
    case "tee":
      return args.some((word) => !word.startsWith("-"));
    case "find":
      return findHasAction(args);
    default:
      return false;
  }
}

async function previewCommand(
  name: string,
  args: Argument[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  switch (name) {
    case "rm":
      return previewRm(args, context, collector);
    case "rmdir":
    case "unlink":
      return previewRemoveEntry(args, context, collector);
    case "mv":
    case "cp":
      return previewMoveOrCopy(name, args, context, collector);
    case "chmod":
    case "chown":
    case "chgrp":
      return previewPermissions(name, args, context, collector);
    case "truncate":
      return previewTruncate(args, context, collector);
    case "shred":
      return previewShred(args, context, collector);
    case "tee":
      return previewTee(args, context, collector);
    case "find":
      return previewFind(args, context, collector);
    case "rsync":
      return previewRsync(args, context, collector);
    case "git":
      return previewGit(args, context, collector);
    default:
      return undefined;
  }
}

/**
 * The arguments one word becomes: its glob matches (sorted), or the word itself (a glob matching nothing is
 * passed literally, flagged `noMatch`); a word with an unknown variable is flagged `unresolved` and recorded.
 */
async function expandWord(
  word: ShellWord,
  context: CommandContext,
  collector: PreviewCollector,
  options: { glob: boolean },
): Promise<Argument[]> {
  if (word.unresolved.length > 0) {
    for (const name of word.unresolved)
      if (!collector.unresolved.includes(name)) collector.unresolved.push(name);
    return [{ text: word.value, noMatch: false, unresolved: true }];
  }
  // An empty word names no file (and resolving it would name the current folder): `rm $EMPTY`, `rm ""`.
  if (word.value === "") return [];
  if (!options.glob || word.glob === undefined)
    return [{ text: word.value, noMatch: false, unresolved: false }];
  const expansion = await expandGlob(word.glob, { cwd: context.cwd, budget: context.budget });
  if (expansion.truncated) collector.truncated = true;
  for (const folder of expansion.unreadable)
    if (!collector.unreadable.includes(folder)) collector.unreadable.push(folder);
  // Out of budget before any match was found: unknown, not "matches nothing".
  if (expansion.truncated && expansion.matches.length === 0) return [];
  if (expansion.matches.length === 0) {
    // bash passes the pattern on; when a file has that very name, it is what the command gets.
    const literal =
      (await lstatOrUndefined(path.resolve(context.cwd, word.value)).catch(() => undefined)) !== undefined;
    return [{ text: word.value, noMatch: !literal, unresolved: false }];
  }
  return expansion.matches.map((match) => ({ text: match, noMatch: false, unresolved: false }));
}

/** The simple commands of a script, each word read with the variables known where it stands. */
async function parseScript(script: string, env: NodeJS.ProcessEnv): Promise<ParsedCommand[]> {
  const parser = await loadBashParser();
  const tree = parser.parse(script);
  if (tree === null) return [];
  const environment = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) if (value !== undefined) environment.set(name, value);
  const home = env.HOME;
  const commands: ParsedCommand[] = [];
  // `for f in *.txt`: the extractor knows f only as the pattern, not the files bash would loop over.
  const loopVariables = globbingLoopVariables(tree.rootNode, environment, home);
  // A redirection target is one word (bash refuses a brace or glob that makes several: "ambiguous redirect").
  const read = (node: Node | undefined, known: ReadonlyMap<string, string>): ShellWord | undefined =>
    node === undefined ? undefined : readShellWords(node, known, home)[0];
  try {
    extractCommands(tree.rootNode, {
      environment,
      onCommand: (command: SimpleCommand, nodes, seen) => {
        let known = seen;
        if (loopVariables.size > 0) {
          const visible = new Map(seen);
          for (const name of loopVariables) visible.delete(name);
          known = visible;
        }
        commands.push({
          words: nodes.argv.flatMap((node) => readShellWords(node, known, home)),
          redirects: command.redirects.map((redirect, index) => ({
            operator: redirect.operator,
            target: read(nodes.redirects[index], known),
          })),
        });
      },
    });
  } finally {
    tree.delete();
  }
  return commands;
}

/** Variables of `for NAME in WORDS` loops whose words are globs: their values are unknown before running. */
function globbingLoopVariables(
  root: Node,
  environment: ReadonlyMap<string, string>,
  home: string | undefined,
): Set<string> {
  const names = new Set<string>();
  if (!/\bfor\b/.test(root.text)) return names;
  for (const loop of root.descendantsOfType("for_statement")) {
    const variable = loop.childForFieldName("variable")?.text;
    if (variable === undefined) continue;
    const values = loop.childrenForFieldName("value");
    if (
      values.some((value) => readShellWords(value, environment, home).some((word) => word.glob !== undefined))
    )
      names.add(variable);
  }
  return names;
}

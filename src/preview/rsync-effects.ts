/**
 * Previews `rsync --delete`: what in the destination is not in the source, read from the arguments the way
 * rsync would transfer them (`src/` sends the contents of src into dest, `src` sends src itself into dest/src;
 * deletion happens only inside the folders sent, and only with `-r`/`-a`). `--exclude=PATTERN` with a plain name
 * pattern protects matching names (unless `--delete-excluded`); other filter rules are noted, not guessed.
 */
import path from "node:path";
import { globSegmentRegExp } from "./expand-glob.js";
import { lstatOrUndefined, measureTree, walkTree } from "./measure-tree.js";
import type { Argument, CommandContext, PreviewCollector } from "./preview-collector.js";

const VALUED = new Set([
  "-e",
  "--rsh",
  "-f",
  "--filter",
  "--exclude",
  "--include",
  "--exclude-from",
  "--include-from",
  "-T",
  "--temp-dir",
  "--partial-dir",
  "--backup-dir",
  "--files-from",
  "--chmod",
  "--log-file",
  "--compare-dest",
  "--link-dest",
  "--copy-dest",
  "-B",
  "--block-size",
  "--port",
  "--password-file",
]);

/** Whether an rsync command line deletes anything in its destination. */
export function rsyncDeletes(words: readonly string[]): boolean {
  return words.some((word) => /^--(delete|del)(-|$)|^--remove-source-files$/.test(word));
}

export async function previewRsync(
  args: readonly Argument[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  const options: string[] = [];
  const excludes: string[] = [];
  const operands: Argument[] = [];
  for (let index = 0; index < args.length; index++) {
    const argument = args[index];
    if (argument === undefined) break;
    const text = argument.text;
    if (!text.startsWith("-") || argument.noMatch || argument.unresolved) {
      operands.push(argument);
      continue;
    }
    const [name = text, inlineValue] =
      text.startsWith("--") && text.includes("=")
        ? [text.slice(0, text.indexOf("=")), text.slice(text.indexOf("=") + 1)]
        : [text, undefined];
    options.push(name);
    let value = inlineValue;
    if (value === undefined && VALUED.has(name)) value = args[++index]?.text;
    if (name === "--exclude" && value !== undefined) excludes.push(value);
    else if (/^(--filter|-f|--include|--exclude-from|--include-from|--files-from)$/.test(name)) {
      collector.note(
        `rsync ${name} rules are not evaluated by the preview; they may protect some of what is counted.`,
      );
    }
  }
  const words = options.join(" ");
  if (!rsyncDeletes(options)) return;
  collector.changesFiles = true;
  if (/(^| )(-[a-zA-Z]*n[a-zA-Z]*|--dry-run)( |$)/.test(words)) {
    collector.note("rsync runs with --dry-run, so it changes nothing.");
    return;
  }
  const recursive =
    options.some((option) => /^-[a-zA-Z]*[ar]/.test(option) && !option.startsWith("--")) ||
    options.includes("--recursive") ||
    options.includes("--archive");
  const deleteExcluded = options.includes("--delete-excluded");
  const destination = operands.at(-1);
  const sources = operands.slice(0, -1);
  if (destination === undefined || sources.length === 0) return;
  if (options.includes("--remove-source-files")) {
    for (const source of sources) await collector.addPath("delete", source, context, { recursive: true });
  }
  if (!rsyncDeletesInDestination(options)) return;
  if (!recursive) {
    collector.note(
      "rsync --delete without -r or -a deletes nothing (it only deletes inside folders it sends).",
    );
    return;
  }
  if (isRemote(destination.text) || sources.some((source) => isRemote(source.text))) {
    collector.note(
      "rsync with a remote side: the preview only looks at this machine, so it cannot count deletions.",
    );
    return;
  }
  if (destination.unresolved) return;
  const excluded = excludes.map((pattern) => globSegmentRegExp(pattern.replace(/\/$/, "")));
  const isExcluded = (name: string): boolean =>
    !deleteExcluded && excluded.some((pattern) => pattern.test(name));
  if (excludes.some((pattern) => pattern.replace(/\/$/, "").includes("/")))
    collector.note("rsync --exclude patterns with a slash are not evaluated by the preview.");
  for (const source of sources) {
    const located = await collector.locate(source, context);
    if (located === undefined) continue;
    const { absolute: sourceRoot, stats: sourceStats } = located;
    if (
      !sourceStats.isDirectory() &&
      !(source.text.endsWith("/") && (await lstatOrUndefined(`${sourceRoot}/`))?.isDirectory())
    )
      continue;
    const contentsOnly = source.text.endsWith("/") || source.text.endsWith("/.");
    const shownRoot = contentsOnly
      ? destination.text
      : path.join(destination.text, path.basename(sourceRoot));
    const destinationRoot = path.resolve(context.cwd, shownRoot);
    if ((await lstatOrUndefined(destinationRoot))?.isDirectory() !== true) continue;
    const totals = { files: 0, directories: 0, bytes: 0 };
    const walk = await walkTree(destinationRoot, context.budget, async (relative, entry) => {
      if (isExcluded(entry.name)) return "skip";
      const counterpart = await lstatOrUndefined(path.join(sourceRoot, relative));
      const bothFolders = counterpart?.isDirectory() === true && entry.isDirectory();
      if (counterpart !== undefined && (bothFolders || !entry.isDirectory())) return undefined;
      const measure = await measureTree(path.join(destinationRoot, relative), {
        recursive: true,
        budget: context.budget,
        displayPath: path.join(shownRoot, relative),
      });
      collector.absorb(measure);
      totals.files += measure.files;
      totals.directories += measure.directories;
      totals.bytes += measure.bytes;
      return "skip";
    });
    collector.absorb({
      unreadable: walk.unreadable.map((folder) => path.join(shownRoot, folder)),
      truncated: walk.truncated,
    });
    collector.addTarget({
      path: shownRoot,
      absolute: destinationRoot,
      effect: "delete",
      kind: "directory",
      ...totals,
    });
  }
}

function rsyncDeletesInDestination(options: readonly string[]): boolean {
  return options.some((option) => /^--(delete|del)(-|$)/.test(option));
}

/** `host:path`, `user@host:path` or `rsync://…`, but not a local path with a colon after a slash. */
function isRemote(text: string): boolean {
  if (text.startsWith("rsync://")) return true;
  const colon = text.indexOf(":");
  if (colon <= 0) return false;
  const slash = text.indexOf("/");
  return slash === -1 || colon < slash;
}

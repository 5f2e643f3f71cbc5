/**
 * Previews of the plain file commands: `rm`, `rmdir`, `unlink`, `mv`, `cp`, `chmod`/`chown`/`chgrp`,
 * `truncate`, `tee`, and redirections that overwrite a file. Each reads its options the way GNU coreutils does
 * and measures its operands through the {@link PreviewCollector}.
 */
import path from "node:path";
import { lstatOrUndefined, measureTree, walkTree } from "./measure-tree.js";
import type { Argument, CommandContext, PreviewCollector } from "./preview-collector.js";

/** Splits arguments into option words and operands (`--` ends options; `-` alone is an operand). */
function splitOptions(
  args: readonly Argument[],
  valued: readonly string[],
  isOperandLike: (text: string) => boolean = () => false,
): { options: string[]; values: Map<string, string>; operands: Argument[] } {
  const options: string[] = [];
  const values = new Map<string, string>();
  const operands: Argument[] = [];
  let ended = false;
  for (let index = 0; index < args.length; index++) {
    const argument = args[index];
    if (argument === undefined) break;
    const text = argument.text;
    if (ended || argument.noMatch || argument.unresolved || !text.startsWith("-") || text === "-") {
      operands.push(argument);
      continue;
    }
    if (text === "--") {
      ended = true;
      continue;
    }
    if (isOperandLike(text)) {
      operands.push(argument);
      continue;
    }
    if (text.startsWith("--")) {
      const equals = text.indexOf("=");
      const name = equals === -1 ? text : text.slice(0, equals);
      if (equals !== -1) values.set(name, text.slice(equals + 1));
      else if (valued.includes(name)) {
        values.set(name, args[index + 1]?.text ?? "");
        index++;
      }
      options.push(name);
      continue;
    }
    // Short options, possibly combined (`-rf`); a valued one takes the rest of the word or the next word.
    for (let position = 1; position < text.length; position++) {
      const flag = `-${text.charAt(position)}`;
      options.push(flag);
      if (valued.includes(flag)) {
        const rest = text.slice(position + 1);
        if (rest !== "") values.set(flag, rest);
        else {
          values.set(flag, args[index + 1]?.text ?? "");
          index++;
        }
        break;
      }
    }
  }
  return { options, values, operands };
}

/** `rm`: deletes its operands; folders only with `-r` (or empty ones with `-d`). */
export async function previewRm(
  args: readonly Argument[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  const { options, operands } = splitOptions(args, []);
  const recursive = options.some((flag) => flag === "-r" || flag === "-R" || flag === "--recursive");
  for (const operand of operands)
    await collector.addPath("delete", operand, context, {
      recursive,
      refuseDirectories: !recursive && !options.includes("-d") && !options.includes("--dir"),
      program: "rm",
    });
}

/** `shred FILE…` destroys each file's contents, and deletes it with `-u`/`--remove`. */
export async function previewShred(
  args: readonly Argument[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  const { options, operands } = splitOptions(args, ["-n", "--iterations", "-s", "--size", "--random-source"]);
  const removes = options.some((flag) => flag === "-u" || flag.startsWith("--remove"));
  for (const operand of operands)
    await collector.addPath(removes ? "delete" : "overwrite", operand, context, { recursive: false });
}

/** `rmdir` and `unlink`: one entry each (rmdir only removes empty folders, unlink only files). */
export async function previewRemoveEntry(
  args: readonly Argument[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  const { operands } = splitOptions(args, []);
  for (const operand of operands) await collector.addPath("delete", operand, context, { recursive: false });
}

/** `mv` moves its sources (with everything under them) and overwrites what is at the destination. */
export async function previewMoveOrCopy(
  program: "mv" | "cp",
  args: readonly Argument[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  const { options, values, operands } = splitOptions(args, ["-t", "--target-directory", "-S", "--suffix"]);
  collector.changesFiles = true;
  const targetDirectory = values.get("-t") ?? values.get("--target-directory");
  const sources = targetDirectory === undefined ? operands.slice(0, -1) : operands;
  const destinationArgument = targetDirectory ?? operands.at(-1)?.text;
  if (destinationArgument === undefined || sources.length === 0) return;
  const noClobber = options.some((flag) => flag === "-n" || flag === "--no-clobber" || flag === "--update");
  const recursive =
    program === "mv" || options.some((flag) => /^(-r|-R|-a|--recursive|--archive)$/.test(flag));
  const destination = path.resolve(context.cwd, destinationArgument);
  const destinationStats = await lstatOrUndefined(destination);
  const intoFolder =
    targetDirectory !== undefined ||
    (!options.includes("-T") &&
      !options.includes("--no-target-directory") &&
      destinationStats?.isDirectory() === true);
  for (const source of sources) {
    if (program === "mv") await collector.addPath("move", source, context, { recursive: true });
    else if (source.noMatch) collector.recordUnmatched(source.text);
    if (source.unresolved || source.noMatch) continue;
    if (noClobber) continue;
    const landing = intoFolder ? path.join(destination, path.basename(source.text)) : destination;
    const shown = intoFolder
      ? path.join(destinationArgument, path.basename(source.text))
      : destinationArgument;
    const sourceStats = await lstatOrUndefined(path.resolve(context.cwd, source.text));
    if (sourceStats === undefined) continue;
    if (sourceStats.isDirectory() && program === "cp" && recursive) {
      await overwritesOfTree(path.resolve(context.cwd, source.text), landing, shown, context, collector);
      continue;
    }
    const landingStats = await lstatOrUndefined(landing);
    if (landingStats === undefined || landingStats.isDirectory()) continue;
    collector.addTarget({
      path: shown,
      absolute: landing,
      effect: "overwrite",
      kind: landingStats.isSymbolicLink() ? "symlink" : landingStats.isFile() ? "file" : "other",
      files: 1,
      directories: 0,
      bytes: landingStats.isFile() ? landingStats.size : 0,
    });
  }
}

/** The files of `destination` that copying the tree `source` onto it would replace. */
async function overwritesOfTree(
  source: string,
  destination: string,
  shown: string,
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  let files = 0;
  let bytes = 0;
  const walk = await walkTree(source, context.budget, async (relative, entry) => {
    if (entry.isDirectory()) return undefined;
    const existing = await lstatOrUndefined(path.join(destination, relative));
    if (existing === undefined || existing.isDirectory()) return undefined;
    files++;
    if (existing.isFile()) bytes += existing.size;
    return undefined;
  });
  collector.absorb({
    unreadable: walk.unreadable.map((folder) => path.join(shown, folder)),
    truncated: walk.truncated,
  });
  if (files === 0) return;
  collector.addTarget({
    path: shown,
    absolute: destination,
    effect: "overwrite",
    kind: "directory",
    files,
    directories: 0,
    bytes,
  });
}

/** `chmod`/`chown`/`chgrp`: the entries whose mode or owner changes (everything under them with `-R`). */
export async function previewPermissions(
  program: "chmod" | "chown" | "chgrp",
  args: readonly Argument[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  // `chmod -w file`: a mode may start with a dash.
  const modeLike = (text: string): boolean => program === "chmod" && /^-[rwxXst]+$/.test(text);
  const { options, values, operands } = splitOptions(args, [], modeLike);
  const recursive = options.some((flag) => flag === "-R" || flag === "--recursive");
  const files = values.has("--reference") ? operands : operands.slice(1);
  for (const operand of files)
    await collector.addPath(program === "chmod" ? "permissions" : "owner", operand, context, { recursive });
}

/** Bytes a `truncate -s SIZE` would cut off a file of `current` bytes; undefined when the size is unreadable. */
export function bytesCutOff(size: string, current: number): number | undefined {
  const match = /^([-+<>/%]?)(\d+)([KMGTPEZY]?)(B|iB)?$/i.exec(size.trim());
  if (!match) return undefined;
  const [, prefix = "", digits = "0", unit = "", suffix = ""] = match;
  const power = "KMGTPEZY".indexOf(unit.toUpperCase()) + 1;
  const base = suffix.toUpperCase() === "B" ? 1000 : 1024;
  const amount = Number(digits) * base ** power;
  let next: number;
  switch (prefix) {
    case "+":
    case ">":
    case "%":
      return 0;
    case "-":
      next = current - amount;
      break;
    case "<":
      next = Math.min(current, amount);
      break;
    case "/":
      next = amount === 0 ? current : Math.floor(current / amount) * amount;
      break;
    default:
      next = amount;
  }
  return Math.max(0, current - Math.max(0, next));
}

/** `truncate -s SIZE FILE…`: the bytes each existing file loses. */
export async function previewTruncate(
  args: readonly Argument[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  const { values, operands } = splitOptions(args, ["-s", "--size", "-r", "--reference"]);
  collector.changesFiles = true;
  const size = values.get("-s") ?? values.get("--size");
  if (size === undefined) {
    collector.note("truncate takes its new size from a reference file, which the preview does not evaluate.");
  }
  for (const operand of operands) {
    const located = await collector.locate(operand, context);
    if (located === undefined) continue;
    const { absolute, stats } = located;
    if (!stats.isFile()) continue;
    const lost = size === undefined ? undefined : bytesCutOff(size, stats.size);
    if (size !== undefined && lost === undefined)
      collector.note(`truncate's size ${size} is not one the preview understands.`);
    if (lost === 0) continue;
    collector.addTarget({
      path: operand.text,
      absolute,
      effect: "truncate",
      kind: "file",
      files: 1,
      directories: 0,
      bytes: lost ?? stats.size,
    });
  }
}

/** A file that an overwriting redirection or `tee` would empty, when it exists as a regular file. */
export async function previewOverwrite(
  target: Argument,
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  // A new file, /dev/null or a terminal lose nothing, so they do not make a preview by themselves.
  if (target.unresolved) collector.changesFiles = true;
  if (target.unresolved || target.noMatch) return;
  const absolute = path.resolve(context.cwd, target.text);
  const measure = await measureTree(absolute, { recursive: false, budget: context.budget });
  if (measure.kind !== "file") return;
  collector.addTarget({
    path: target.text,
    absolute,
    effect: "overwrite",
    kind: "file",
    files: 1,
    directories: 0,
    bytes: measure.bytes,
  });
}

/** `tee FILE…` without `-a` empties each existing file first. */
export async function previewTee(
  args: readonly Argument[],
  context: CommandContext,
  collector: PreviewCollector,
): Promise<void> {
  const { options, operands } = splitOptions(args, []);
  if (options.includes("-a") || options.includes("--append")) return;
  for (const operand of operands) await previewOverwrite(operand, context, collector);
}

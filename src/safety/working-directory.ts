/**
 * `cd /` or `cd ~` earlier in a script changes what `*` and `.` mean for the commands after it: `cd / && rm -rf *`
 * deletes everything under `/`. The judge rewrites those words so the rules see the folder.
 */
import type { SimpleCommand } from "./command-extractor.js";
import { classifyPath } from "./path-classes.js";

/** The folder a `cd` moves to when it is the root, a home or a system folder; otherwise undefined. */
export function rootDirectoryOf(target: string | undefined): string | undefined {
  if (target === undefined || target === "~" || target === "$HOME") return "~";
  return classifyPath(target) === "root" ? target.replace(/\/+$/, "") || "/" : undefined;
}

/** `command` with `.`, `./`, `*`, `./*` and `.*` arguments read inside `directory`. */
export function inDirectory(command: SimpleCommand, directory: string): SimpleCommand {
  const prefix = directory === "/" ? "" : directory;
  const argv = command.argv.map((word, index) =>
    index > 0 && /^(\.\/?|\*|\.\/\*|\.\*)$/.test(word)
      ? word.includes("*")
        ? `${prefix}/*`
        : directory
      : word,
  );
  return { ...command, argv };
}

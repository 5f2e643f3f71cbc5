/**
 * What cmdai cannot resolve, rated by the worst it could be: a command whose name is computed at run time
 * (`$x -rf /`, `$(cat cmd.txt)`, `"${a[@]}"`), and a path with a part that is unknown (`rm -rf "$X"`,
 * `rm -rf "$DIR"/*`, `rm -rf ~/$name`). Unresolved parts keep their text in the words (`$X`, `$(…)`, `${…}`),
 * which is how they are found here.
 */
import { analyseFind } from "./find-command.js";
import { classifyPath, describeTarget, CRITICAL_SYSTEM_FILE, type PathClass } from "./path-classes.js";
import type { RiskLevel } from "./types.js";

/** The text of an unresolved expansion inside a word. */
const UNRESOLVED =
  /\$\{[^}]*\}|\$\((?:[^()]|\([^()]*\))*\)|\$[A-Za-z_][A-Za-z0-9_]*|\$[@*#?$!0-9]|`[^`]*`|\$\[[^\]]*\]/g;

/** Programs a few well-known variables name; `$EDITOR file` is the user's editor, not a mystery. */
const CONVENTIONAL: Record<string, string> = {
  $SHELL: "sh",
  $EDITOR: "vi",
  $VISUAL: "vi",
  $PAGER: "less",
  $BROWSER: "xdg-open",
  $0: "sh",
};

/** The program a conventional variable stands for, or undefined. */
export function conventionalProgram(word: string): string | undefined {
  return Object.hasOwn(CONVENTIONAL, word) ? CONVENTIONAL[word] : undefined;
}

/** A finding for a command whose name cannot be known before it runs. */
export function judgeDynamicCommand(
  argv: readonly string[],
  dynamic: readonly boolean[],
): { rule: string; level: RiskLevel; message: string; saferAlternative: string } {
  const visible = argv.slice(1).filter((_, index) => dynamic[index + 1] !== true);
  const reach = visible.find(
    (word) =>
      !word.startsWith("-") &&
      (classifyPath(word) === "root" ||
        CRITICAL_SYSTEM_FILE.test(word) ||
        /^\/dev\/(sd|nvme|hd|vd|xvd|mmcblk)/.test(word)),
  );
  const name = argv[0] ?? "";
  return {
    rule: "dynamic-command",
    level: reach === undefined ? "high" : "critical",
    message:
      reach === undefined
        ? `Runs a command whose name is computed at run time (${name}), so cmdai cannot tell what it does.`
        : `Runs a command whose name is computed at run time (${name}) on ${describeTarget(reach)}: whatever it turns out to be, it reaches the whole system.`,
    saferAlternative: "write the command name out literally",
  };
}

/** The class of a path with unresolved parts, as bad as any value could make it. */
export function worstCaseClass(written: string): PathClass {
  const direct = classifyPath(written);
  if (direct === "root" || direct === "broad") return direct;
  // `$HOME` is a home folder, whatever its value: read it as `~`.
  const word = written.replace(/^(\$HOME|\$\{HOME\}|\$\{HOME:\?\})(?=\/|$)/, "~");
  const parts = [...word.matchAll(UNRESOLVED)];
  if (parts.length === 0) return classifyPath(word);
  const first = parts[0];
  const last = parts.at(-1);
  if (first === undefined || last === undefined) return classifyPath(word);
  const listed = findListing(word);
  if (listed !== undefined) return listed;
  // Anything a substitution lists from a system folder (`$(ls /)`, `$(find / …)`) is that folder's content.
  if (
    parts.some((part) => part[0].startsWith("$(") || part[0].startsWith("`")) &&
    reachesRoot(parts.map((part) => part[0]))
  )
    return "root";
  const prefix = word.slice(0, first.index);
  const suffix = word.slice(last.index + last[0].length);
  const tail = suffix.replace(/^\/+/, "").replace(/\/\*?$|\/\.$/, "");
  if (tail !== "" && tail !== "*" && tail !== ".*") {
    // `$X/build`, `"$DIR"/node_modules`: whatever X is, only a folder of that name goes.
    const name = tail.split("/").at(-1) ?? tail;
    if (name === ".." || name === ".") return "broad";
    const named = classifyPath(name);
    return named === "scratch" ? "scratch" : named === "broad" ? "broad" : "ordinary";
  }
  // `"$DIR"/*`, `$X/`: when the variable is empty (a classic bug) this is `/` itself.
  if (prefix === "") return suffix.startsWith("/") ? "root" : "unresolved";
  // `/$X`, `~/$X`, `./$X`, `/var/$X/*`: at worst everything in the folder before the unknown part.
  const folder = prefix.replace(/\/+$/, "") || "/";
  const folderClass = classifyPath(`${folder}/*`);
  return folderClass === "ordinary" ? "unresolved" : folderClass;
}

/** `$(find . -name '*.o')` as a target: what find lists, classed like `find … -delete` would be. */
function findListing(word: string): PathClass | undefined {
  const match = /^(?:\$\(|`)\s*find\s+([^)`]*)(?:\)|`)$/.exec(word);
  if (!match) return undefined;
  const words = (match[1] ?? "").split(/\s+/).map((part) => part.replace(/^['"]|['"]$/g, ""));
  const analysis = analyseFind(words.filter(Boolean));
  const classes = analysis.roots.map((root) => classifyPath(root));
  if (classes.includes("root")) return analysis.filtered ? "broad" : "root";
  if (classes.includes("broad") || classes.includes("unsetVariable"))
    return analysis.filtered ? "ordinary" : "broad";
  return "ordinary";
}

function reachesRoot(substitutions: readonly string[]): boolean {
  return substitutions.some((text) =>
    text
      .replace(/^\$\(|\)$|^`|`$/g, "")
      .split(/\s+/)
      .some((word) => !word.startsWith("-") && classifyPath(word) === "root"),
  );
}

/** Version control: git commands that lose work or rewrite history, and any other that changes the repository. */
import { hasLongOption, hasShortFlag, hasWord, operands, subcommand } from "../command-words.js";
import type { CommandContext, SafetyRule } from "./rule.js";

const GIT_VALUED = ["-C", "-c", "--git-dir", "--work-tree", "--namespace"];

function gitSubcommand(context: CommandContext): string {
  return subcommand(context.args, GIT_VALUED) ?? "";
}

function gitArgs(context: CommandContext): string[] {
  const words = [...context.args];
  const index = words.indexOf(gitSubcommand(context));
  return words.slice(index + 1);
}

function git(
  sub: string | string[],
  predicate: (args: string[]) => boolean = () => true,
): (context: CommandContext) => boolean {
  const subs = Array.isArray(sub) ? sub : [sub];
  return (context) => subs.includes(gitSubcommand(context)) && predicate(gitArgs(context));
}

export const versionControlRules: SafetyRule[] = [
  {
    id: "git-reset-hard",
    commands: ["git"],
    level: "high",
    matches: git(
      "reset",
      (args) => hasLongOption(args, "--hard", "--merge", "--keep") && !hasLongOption(args, "--keep"),
    ),
    message: "Throws away every uncommitted change in the working tree and index.",
    saferAlternative: "run `git stash` first, or `git reset --keep`",
    example: "git reset --hard HEAD~3",
  },
  {
    id: "git-push-force",
    commands: ["git"],
    level: "high",
    matches: git(
      "push",
      (args) =>
        // A plain `--force`, `-f` or `+ref` overrides any `--force-with-lease` next to it.
        hasShortFlag(args, "f") ||
        args.includes("--force") ||
        args.some((word) => /^\+[^+]/.test(word)) ||
        (hasLongOption(args, "--force", "--mirror", "--prune") &&
          !hasLongOption(args, "--force-with-lease", "--force-if-includes")),
    ),
    message: "Force-pushes, overwriting the remote branch and other people's commits on it.",
    saferAlternative: "use `git push --force-with-lease`",
    example: "git push --force origin main",
  },
  {
    id: "git-push-delete",
    commands: ["git"],
    level: "high",
    matches: git(
      "push",
      (args) =>
        hasShortFlag(args, "d") ||
        hasLongOption(args, "--delete") ||
        operands(args)
          .slice(1)
          .some((word) => word.startsWith(":")),
    ),
    message: "Deletes a branch or tag on the remote.",
    example: "git push origin --delete main",
  },
  {
    id: "git-clean-force",
    commands: ["git"],
    level: "high",
    matches: git(
      "clean",
      (args) =>
        (hasShortFlag(args, "f") || hasLongOption(args, "--force")) &&
        !hasShortFlag(args, "n") &&
        !hasLongOption(args, "--dry-run"),
    ),
    message: "Deletes untracked files (and with -x ignored files) that git cannot bring back.",
    saferAlternative: "preview with `git clean -n` first",
    example: "git clean -fdx",
  },
  {
    id: "git-discard-changes",
    commands: ["git"],
    level: "high",
    matches: (context) =>
      git(["checkout", "restore"], (args) => {
        const words = operands(args);
        return (
          (words.includes(".") || words.includes("*") || words.includes(":/")) &&
          (!hasLongOption(args, "--staged") || hasLongOption(args, "--worktree") || hasShortFlag(args, "W"))
        );
      })(context) ||
      git("stash", (args) => ["drop", "clear"].includes(args[0] ?? ""))(context) ||
      git(
        "branch",
        (args) =>
          hasWord(args, "-D") ||
          (hasLongOption(args, "--delete") && hasLongOption(args, "--force")) ||
          /^-[a-zA-Z]*D/.test(args[0] ?? ""),
      )(context) ||
      git(["filter-branch", "filter-repo"])(context) ||
      git("reflog", (args) => args[0] === "expire" || args[0] === "delete")(context) ||
      git("gc", (args) => args.some((word) => /--prune=(now|all)/.test(word)))(context) ||
      git("update-ref", (args) => hasShortFlag(args, "d"))(context) ||
      git(
        "worktree",
        (args) => args[0] === "remove" && (hasShortFlag(args, "f") || hasLongOption(args, "--force")),
      )(context) ||
      git(
        "rm",
        (args) => hasShortFlag(args, "r") && hasShortFlag(args, "f") && !hasLongOption(args, "--cached"),
      )(context) ||
      git("checkout", (args) => hasShortFlag(args, "f") || hasLongOption(args, "--force"))(context),
    message: "Discards work git cannot recover: uncommitted changes, stashes, unmerged branches or history.",
    saferAlternative: "commit or `git stash` first; delete branches with `git branch -d`",
    example: "git branch -D feature",
  },
  {
    id: "git-change",
    commands: ["git"],
    level: "moderate",
    matches: (context) => !GIT_READ_ONLY.has(gitSubcommand(context)) && !isGitReadOnlyUse(context),
    message: (context) => `Changes the repository (git ${gitSubcommand(context)}).`,
    example: "git commit -am wip",
  },
];

const GIT_READ_ONLY = new Set([
  "status",
  "log",
  "diff",
  "show",
  "blame",
  "grep",
  "ls-files",
  "ls-tree",
  "ls-remote",
  "rev-parse",
  "rev-list",
  "describe",
  "shortlog",
  "whatchanged",
  "reflog",
  "cat-file",
  "show-ref",
  "for-each-ref",
  "name-rev",
  "help",
  "version",
  "--version",
  "count-objects",
  "fsck",
  "check-ignore",
  "check-attr",
  "var",
  "annotate",
  "cherry",
  "merge-base",
  "show-branch",
  "verify-commit",
  "verify-tag",
  "range-diff",
  "difftool",
  "bisect",
  "fetch",
  "",
  "archive",
  "bundle",
  "instaweb",
  "request-pull",
  "format-patch",
  "get-tar-commit-id",
  "hash-object",
  "notes",
]);

function isGitReadOnlyUse(context: CommandContext): boolean {
  const sub = gitSubcommand(context);
  const args = gitArgs(context);
  const words = operands(args);
  switch (sub) {
    case "branch":
      return (
        words.length === 0 ||
        hasShortFlag(args, "alvr") ||
        hasLongOption(
          args,
          "--list",
          "--all",
          "--contains",
          "--merged",
          "--no-merged",
          "--show-current",
          "--remotes",
        )
      );
    case "tag":
      return words.length === 0 || hasShortFlag(args, "l") || hasLongOption(args, "--list", "--contains");
    case "remote":
      return (
        words.length === 0 || ["show", "get-url", "-v"].includes(words[0] ?? "") || hasShortFlag(args, "v")
      );
    case "config":
      return (
        hasLongOption(args, "--get", "--list", "--get-all", "--get-regexp", "-l") ||
        hasShortFlag(args, "l") ||
        words.length === 1
      );
    case "stash":
      return ["list", "show"].includes(args[0] ?? "");
    case "clean":
      return hasShortFlag(args, "n") || hasLongOption(args, "--dry-run");
    case "worktree":
      return args[0] === "list";
    case "submodule":
      return words.length === 0 || args[0] === "status";
    default:
      return false;
  }
}

/** Deleting, moving, overwriting and re-permissioning files and folders. */
import { hasLongOption, hasShortFlag, operands } from "../command-words.js";
import {
  describeTarget,
  looksLikeFile,
  CREDENTIAL_FILE,
  CRITICAL_SYSTEM_FILE,
  type PathClass,
} from "../path-classes.js";
import type { CommandContext, SafetyRule } from "./rule.js";

const RM_NAMES = ["rm", "unlink", "rmdir", "trash", "trash-put", "gio"];

function rmTargets(context: CommandContext): string[] {
  return operands(context.args).filter((word) => word !== "trash" || context.name !== "gio");
}

function isRecursive(context: CommandContext): boolean {
  return hasShortFlag(context.args, "rR") || hasLongOption(context.args, "--recursive");
}

function isForced(context: CommandContext): boolean {
  return hasShortFlag(context.args, "f") || hasLongOption(context.args, "--force");
}

function targetsOf(context: CommandContext, wanted: PathClass[]): string[] {
  return rmTargets(context).filter((word) => wanted.includes(context.classify(word)));
}

function firstTarget(context: CommandContext, wanted: PathClass[]): string {
  return describeTarget(targetsOf(context, wanted)[0] ?? "");
}

/** `rm -i` asks before each deletion, unless `yes` answers for it. */
function asksEachTime(context: CommandContext): boolean {
  const interactive = hasShortFlag(context.args, "iI") || hasLongOption(context.args, "--interactive");
  return interactive && !context.stdinFrom.some((argv) => argv[0] === "yes");
}

const TRASH =
  "move it to the trash instead (`trash-put` / `gio trash`), or list first and delete with `rm -ri`";

/** Whether a path is a whole-system target even without recursion (`rm /*`, `rm -f /etc/passwd`). */
function isSystemFile(word: string): boolean {
  return CRITICAL_SYSTEM_FILE.test(word) || /^\/\*$|^\/\.\*$/.test(word);
}

export const filesystemRules: SafetyRule[] = [
  {
    id: "sudoers-grant",
    commands: ["tee", "visudo", "cp", "sh", "bash"],
    level: "critical",
    matches: (context) => /NOPASSWD|ALL\s*=\s*\(ALL/.test(context.stdinText ?? ""),
    message: "Writes a sudoers rule that gives root rights without a password.",
    example: "echo \"$USER ALL=(ALL:ALL) NOPASSWD:ALL\" | sudo EDITOR='tee -a' visudo",
  },
  {
    id: "credential-exposed",
    commands: ["cp", "mv", "ln", "rsync", "install"],
    level: "critical",
    matches: (context) => {
      const words = operands(context.args);
      return (
        words.length >= 2 &&
        words.slice(0, -1).some((word) => CREDENTIAL_FILE.test(word)) &&
        /^(\/var\/www|\/srv\/|.*public_html|.*htdocs|.*\/public(\/|$))/.test(words.at(-1) ?? "")
      );
    },
    message: "Copies a private key or credential file where other people or a web server can read it.",
    example: "cp ~/.ssh/id_rsa /var/www/html/key.txt",
  },
  {
    id: "rm-no-preserve-root",
    commands: ["rm"],
    level: "critical",
    matches: (context) => hasLongOption(context.args, "--no-preserve-root"),
    message: "Turns off rm's protection of / and deletes the whole file system.",
    saferAlternative: TRASH,
    example: "sudo rm -rf --no-preserve-root /",
  },
  {
    id: "rm-recursive-root",
    commands: RM_NAMES,
    level: "critical",
    matches: (context) =>
      (isRecursive(context) || context.name === "trash" || context.name === "gio") &&
      targetsOf(context, ["root"]).length > 0,
    message: (context) =>
      `Recursively deletes ${firstTarget(context, ["root"])}${isForced(context) ? " without asking" : ""}: the system or a whole home directory would be lost.`,
    saferAlternative:
      "delete only the specific folder you mean, e.g. `rm -rf ~/project/build`, never a home or system folder as a whole",
    example: "rm -rf ~",
  },
  {
    id: "rm-system-file",
    commands: RM_NAMES,
    level: "critical",
    matches: (context) => rmTargets(context).some(isSystemFile),
    message: (context) =>
      `Deletes ${rmTargets(context).find(isSystemFile) ?? "a system file"}, which the system needs to boot or to log anyone in.`,
    example: "rm -f /etc/passwd",
  },
  {
    id: "rm-recursive-broad",
    commands: RM_NAMES,
    level: "high",
    matches: (context) =>
      isRecursive(context) &&
      !asksEachTime(context) &&
      targetsOf(context, ["broad", "unsetVariable", "unresolved"]).length > 0,
    message: (context) => {
      const unresolved = targetsOf(context, ["unresolved"])[0];
      if (unresolved)
        return `Recursively deletes ${unresolved}, a path computed at run time: cmdai cannot tell what it will be.`;
      const variable = targetsOf(context, ["unsetVariable"])[0];
      if (variable)
        return `Recursively deletes ${variable}; if the variable is empty this becomes the root folder.`;
      return `Recursively deletes ${firstTarget(context, ["broad"])}${isForced(context) ? " without asking" : ""}.`;
    },
    saferAlternative: TRASH,
    example: "rm -rf .",
  },
  {
    id: "rm-recursive-force-folder",
    commands: ["rm"],
    level: "high",
    matches: (context) =>
      isRecursive(context) &&
      isForced(context) &&
      rmTargets(context).some(
        (word) => context.classify(word) === "ordinary" && !looksLikeFile(word) && !/[$`*?[{]/.test(word),
      ),
    message: (context) =>
      `Recursively deletes the folder ${rmTargets(context).find((word) => context.classify(word) === "ordinary") ?? ""} and everything in it without asking.`,
    saferAlternative: TRASH,
    example: "rm -rf my-project",
  },
  {
    id: "rm-everything-here",
    commands: RM_NAMES,
    level: "high",
    matches: (context) =>
      !asksEachTime(context) &&
      rmTargets(context).some((word) => word === "*" || word === "./*" || word === ".*" || word === "*.*"),
    message: "Deletes every file in the folder at once.",
    saferAlternative: "delete a narrower pattern, or use `rm -i` to confirm each file",
    example: "rm -f *",
  },
  {
    id: "rm-system-path",
    commands: RM_NAMES,
    level: "high",
    matches: (context) =>
      rmTargets(context).some(
        (word) =>
          /^\/(etc|usr\/(?!local\/)[^/]+|bin|sbin|lib|lib64|boot|System)\//.test(word) ||
          context.classify(word) === "root",
      ),
    message: (context) =>
      `Deletes ${rmTargets(context).find((word) => word.startsWith("/")) ?? "a system file"}, which belongs to the operating system.`,
    saferAlternative:
      "remove the package that owns it with the package manager (`dpkg -S`, `rpm -qf` name it)",
    example: "rm /usr/bin/python3",
  },
  {
    id: "rm-files",
    commands: RM_NAMES,
    level: "moderate",
    message: (context) =>
      `Deletes ${rmTargets(context).join(" ") || "files"}${isRecursive(context) ? " and everything in it" : ""}.`,
    saferAlternative: "use `rm -i` or move the files to the trash so they can be recovered",
    example: "rm -rf ./build",
  },
  {
    id: "mv-root",
    commands: ["mv"],
    level: "critical",
    matches: (context) => {
      const words = operands(context.args);
      return (
        words.slice(0, -1).some((word) => context.classify(word) === "root") ||
        isSystemFile(words.at(-1) ?? "")
      );
    },
    message: (context) =>
      `Moves ${describeTarget(operands(context.args).find((word) => context.classify(word) === "root") ?? operands(context.args).at(-1) ?? "")} away, which breaks the system.`,
    saferAlternative: "move only the specific files you mean, e.g. `mv ~/Downloads/report.pdf ~/Documents/`",
    example: "mv /* /dev/null",
  },
  {
    id: "mv-to-null",
    commands: ["mv", "cp"],
    level: "high",
    matches: (context) => context.name === "mv" && operands(context.args).at(-1) === "/dev/null",
    message: "Moves files onto /dev/null or moves whole folders away: the files are destroyed or misplaced.",
    saferAlternative: "move them to a backup folder or the trash",
    example: "mv ~/Documents /dev/null",
  },
  {
    id: "file-change",
    commands: [
      "mv",
      "cp",
      "mkdir",
      "touch",
      "ln",
      "install",
      "rsync",
      "truncate",
      "tee",
      "sed",
      "patch",
      "chattr",
      "setfacl",
      "rename",
      "mktemp",
      "split",
      "csplit",
      "unzip",
      "tar",
      "zip",
      "gzip",
      "gunzip",
      "bzip2",
      "xz",
      "unxz",
      "7z",
      "rar",
      "unrar",
      "ar",
      "cpio",
    ],
    level: "moderate",
    matches: (context) => !isReadOnlyUse(context),
    message: (context) => `Changes files (${context.name}).`,
    example: "cp a.txt b.txt",
  },
  {
    id: "rsync-delete-root",
    commands: ["rsync"],
    level: "critical",
    matches: (context) =>
      hasLongOption(
        context.args,
        "--delete",
        "--delete-before",
        "--delete-after",
        "--delete-during",
        "--delete-excluded",
      ) && context.classify(operands(context.args).at(-1) ?? "") === "root",
    message: "Mirrors into a system or home folder with --delete, removing everything the source lacks.",
    saferAlternative: "run with --dry-run first",
    example: "rsync -a --delete empty/ /",
  },
  {
    id: "rsync-delete",
    commands: ["rsync"],
    level: "high",
    // `--dry-run` (`-n`) only lists what would go.
    matches: (context) =>
      !hasLongOption(context.args, "--dry-run") &&
      !hasShortFlag(context.args, "n") &&
      hasLongOption(
        context.args,
        "--delete",
        "--delete-before",
        "--delete-after",
        "--delete-during",
        "--delete-excluded",
        "--remove-source-files",
        "--del",
      ),
    message: "Deletes files at the destination that the source does not have.",
    saferAlternative: "run with --dry-run first",
    example: "rsync -a --delete src/ backup/",
  },
  {
    id: "truncate-system",
    commands: ["truncate", "tee", "cp", "ln", "install", "dd", "sed"],
    level: "critical",
    matches: (context) => writtenFiles(context).some((word) => CRITICAL_SYSTEM_FILE.test(word)),
    message: (context) =>
      `Overwrites ${writtenFiles(context).find((word) => CRITICAL_SYSTEM_FILE.test(word)) ?? "a system file"}, which controls logins, root rights or booting.`,
    example: "echo 'me ALL=(ALL) NOPASSWD:ALL' | sudo tee -a /etc/sudoers",
  },
  {
    id: "write-system-config",
    commands: ["truncate", "tee", "cp", "ln", "install", "sed", "mv"],
    level: "high",
    matches: (context) => writtenFiles(context).some((word) => /^\/(etc|boot|proc\/sys|sys)\//.test(word)),
    message: (context) =>
      `Changes the system file ${writtenFiles(context).find((word) => word.startsWith("/")) ?? ""}.`,
    saferAlternative: "back the file up first and edit a copy",
    example: "sudo sed -i 's/^PermitRootLogin.*/PermitRootLogin yes/' /etc/ssh/sshd_config",
  },
];

/** Uses of file tools that only read (`tar -t`, `unzip -l`, `sed` without -i). */
function isReadOnlyUse(context: CommandContext): boolean {
  const args = context.args;
  switch (context.name) {
    case "sed":
      return (
        !hasShortFlag(args, "i") &&
        !hasLongOption(args, "--in-place") &&
        !args.some((word) => /^-i/.test(word))
      );
    case "tar":
      return /^-?[a-z]*t/.test(args[0] ?? "") || hasLongOption(args, "--list");
    case "unzip":
      return hasShortFlag(args, "lvZ") || hasWord(args, "-l");
    case "gzip":
    case "bzip2":
    case "xz":
      return hasShortFlag(args, "cltd") && hasShortFlag(args, "cl");
    case "tee":
      return operands(args).length === 0;
    case "7z":
      return args[0] === "l" || args[0] === "t";
    default:
      return false;
  }
}

function hasWord(args: readonly string[], word: string): boolean {
  return args.includes(word);
}

/** Files a command writes to: the last operand of cp/ln/install, tee's and truncate's operands, sed -i files. */
export function writtenFiles(context: CommandContext): string[] {
  const words = operands(context.args, ["-s", "--size", "-e", "-t", "-m", "-o", "-g"]);
  switch (context.name) {
    case "cp":
    case "ln":
    case "install":
    case "mv":
      return words.length >= 2 ? [words.at(-1) ?? ""] : [];
    case "tee":
    case "truncate":
      return words;
    case "sed":
      return isReadOnlyUse(context) ? [] : words.slice(1);
    case "dd":
      return context.args.filter((word) => word.startsWith("of=")).map((word) => word.slice(3));
    default:
      return [];
  }
}

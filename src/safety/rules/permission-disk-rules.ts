/** Permissions, ownership, raw disks and file systems. */
import { hasLongOption, hasShortFlag, operands, subcommand } from "../command-words.js";
import { describeTarget, DISK_DEVICE, CRITICAL_SYSTEM_FILE } from "../path-classes.js";
import type { CommandContext, SafetyRule } from "./rule.js";

function isRecursive(context: CommandContext): boolean {
  return hasShortFlag(context.args, "R") || hasLongOption(context.args, "--recursive");
}

/** chmod/chown operands after the mode or owner. */
function pathOperands(context: CommandContext): string[] {
  if (context.name === "setfacl")
    return operands(context.args, ["-m", "-x", "-M", "-X", "--modify", "--remove", "--set"]);
  return operands(context.args, ["--reference"]).slice(1);
}

function modeOf(context: CommandContext): string {
  return operands(context.args)[0] ?? "";
}

const WORLD_WRITABLE = /^(0?[0-7]?[0-7][0-7][2367]|[ugoa]*[ao][ugoa]*[+=][rwxXst]*w|\+?w)$/;
const SETUID = /^(0?[4-7][0-7]{3}|[ugoa]*[ua][ugoa]*\+[rwxX]*s[rwxX]*|\+[rwxX]*s[rwxX]*)$/;
const SETGID = /^(0?[2367][0-7]{3}|[ugoa]*g[ugoa]*\+[rwxX]*s[rwxX]*)$/;
const SHELL_LIKE = /(sh|python[0-9.]*|perl|ruby|node|php|lua|find|vim?|nano|less|more|env|awk|cp|mv|tee|dd)$/;
const WEAK_MODE = /^(0?[0-7]?7[0-7]7|0?777|a\+rwx|ugo\+rwx|o\+w|a\+w|\+w|0?666|0?[0-7]?[0-7][0-7][67])$/;

function describeFirst(words: readonly string[], predicate: (word: string) => boolean): string {
  return describeTarget(words.find(predicate) ?? "");
}

const DISK_TOOLS = [
  "mkfs",
  "mke2fs",
  "mkswap",
  "wipefs",
  "blkdiscard",
  "sgdisk",
  "sfdisk",
  "cryptsetup",
  "mkntfs",
  "mkdosfs",
  "newfs",
  "zpool",
  "badblocks",
];

function mentionsDisk(context: CommandContext): boolean {
  return context.args.some((word) => DISK_DEVICE.test(word.replace(/^(of|if|--device)=/, "")));
}

export const permissionAndDiskRules: SafetyRule[] = [
  {
    id: "chmod-recursive-root",
    commands: ["chmod", "chown", "chgrp", "setfacl"],
    level: "critical",
    matches: (context) =>
      isRecursive(context) &&
      pathOperands(context).some(
        (word) =>
          context.classify(word) === "root" &&
          (context.name === "chmod" || !/^(~|\$HOME|\$\{HOME\}|\/home\/|\/Users\/|\/usr\/local)/.test(word)),
      ),
    message: (context) =>
      `Recursively changes ${context.name === "chmod" ? "permissions" : "ownership"} of ${describeFirst(pathOperands(context), (word) => context.classify(word) === "root")}, which breaks sudo, ssh and the system's security.`,
    saferAlternative: "change only the files that need it, without -R on a system or home folder",
    example: "chmod -R 777 /",
  },
  {
    id: "chmod-critical-file",
    commands: ["chmod", "chown", "chgrp"],
    level: "critical",
    matches: (context) => {
      const paths = pathOperands(context);
      if (
        paths.some((word) => /^\/etc\/(shadow|gshadow|sudoers)/.test(word)) &&
        (context.name !== "chmod" || !/^0?[0-6]?[04]0$/.test(modeOf(context)))
      )
        return true;
      if (context.name !== "chmod") return false;
      const mode = modeOf(context);
      if (SETUID.test(mode) && paths.some((word) => SHELL_LIKE.test(word))) return true;
      if (SETGID.test(mode) && paths.some((word) => /\/s?bin\//.test(word) && SHELL_LIKE.test(word)))
        return true;
      return (
        WORLD_WRITABLE.test(mode) &&
        paths.some((word) => CRITICAL_SYSTEM_FILE.test(word) || context.classify(word) === "root")
      );
    },
    message: (context) =>
      `Makes ${pathOperands(context)[0] ?? "a system file"} ${SETUID.test(modeOf(context)) ? "a setuid program anyone can use to become root" : "writable or readable by everyone, so any user can take over the system"}.`,
    example: "chmod u+s /bin/bash",
  },
  {
    id: "install-setuid-shell",
    commands: ["install"],
    level: "critical",
    matches: (context) => {
      const index = context.args.findIndex(
        (word) => word === "-m" || word === "--mode" || /^(-m|--mode=)./.test(word),
      );
      if (index === -1) return false;
      const word = context.args[index] ?? "";
      const mode =
        word === "-m" || word === "--mode"
          ? (context.args[index + 1] ?? "")
          : word.replace(/^(-m|--mode=)/, "");
      return (
        SETUID.test(mode) &&
        context.args.some((argument) => /^\/(usr\/)?(s?bin)\//.test(argument) && SHELL_LIKE.test(argument))
      );
    },
    message:
      "Installs a copy of a shell or interpreter with the setuid bit: anyone who runs it becomes root.",
    example: "sudo install -m 4755 /bin/bash /tmp/rootbash",
  },
  {
    id: "chmod-setuid",
    commands: ["chmod"],
    level: "high",
    matches: (context) => SETUID.test(modeOf(context)),
    message: "Sets the setuid/setgid bit, so the program runs with its owner's rights for every user.",
    example: "chmod 4755 ./helper",
  },
  {
    id: "chmod-recursive-weak",
    commands: ["chmod", "chown", "chgrp"],
    level: "high",
    matches: (context) =>
      isRecursive(context) &&
      ((context.name === "chmod" && (WEAK_MODE.test(modeOf(context)) || /^0?00+$/.test(modeOf(context)))) ||
        pathOperands(context).some(
          (word) =>
            context.classify(word) === "root" ||
            context.classify(word) === "unsetVariable" ||
            context.classify(word) === "unresolved",
        )),
    message: (context) =>
      `Recursively changes ${context.name === "chmod" ? `permissions to ${modeOf(context)}` : "ownership"} of ${pathOperands(context).join(" ")}, weakening or breaking access to everything inside.`,
    saferAlternative: "give only the needed rights (e.g. `chmod -R u+rwX,go+rX`) to only the needed files",
    example: "chmod -R 777 .",
  },
  {
    id: "chmod-system-path",
    commands: ["chmod", "chown", "chgrp"],
    level: "high",
    matches: (context) =>
      pathOperands(context).some((word) =>
        /^\/(etc|bin|sbin|usr\/bin|usr\/sbin|usr\/lib|lib|lib64|boot)(\/|$)/.test(word),
      ) &&
      (context.name !== "chmod" || WEAK_MODE.test(modeOf(context)) || /^0?00+$/.test(modeOf(context))),
    message: (context) =>
      `Changes ${context.name === "chmod" ? "permissions" : "ownership"} of the system path ${pathOperands(context).find((word) => word.startsWith("/")) ?? ""}.`,
    saferAlternative:
      "leave system files to the package manager; change only the one file that needs it, e.g. `sudo chmod 644 <file>`",
    example: "chmod 777 /etc/ssh/sshd_config",
  },
  {
    id: "permission-change",
    commands: ["chmod", "chown", "chgrp", "setfacl", "chattr", "umask"],
    level: "moderate",
    matches: (context) => context.args.length > 0,
    message: (context) =>
      `Changes ${context.name === "chmod" || context.name === "umask" ? "permissions" : "ownership"} of ${pathOperands(context).join(" ") || "files"}.`,
    example: "chmod +x script.sh",
  },
  {
    id: "disk-raw-write",
    commands: [
      "dd",
      "pv",
      "cp",
      "cat",
      "tee",
      "ddrescue",
      "dcfldd",
      "shred",
      "wipe",
      "scrub",
      "badblocks",
      "blkdiscard",
      "hdparm",
      "nvme",
      "sg_format",
      "flashrom",
    ],
    level: "critical",
    matches: (context) => {
      if (context.name === "dd" || context.name === "dcfldd")
        return context.args.some((word) => /^of=/.test(word) && DISK_DEVICE.test(word.slice(3)));
      if (context.name === "cat") return false;
      if (context.name === "hdparm")
        return (
          hasLongOption(
            context.args,
            "--security-erase",
            "--security-erase-enhanced",
            "--trim-sector-ranges",
          ) || context.args.includes("--yes-i-know-what-i-am-doing")
        );
      if (context.name === "nvme") return ["format", "sanitize"].includes(context.args[0] ?? "");
      if (context.name === "badblocks") return hasShortFlag(context.args, "w");
      if (
        context.name === "cp" ||
        context.name === "tee" ||
        context.name === "pv" ||
        context.name === "ddrescue"
      ) {
        return DISK_DEVICE.test(operands(context.args).at(-1) ?? "");
      }
      return mentionsDisk(context);
    },
    message: (context) =>
      `Writes raw data over the disk ${context.args.map((word) => word.replace(/^of=/, "")).find((word) => DISK_DEVICE.test(word)) ?? ""}: every file on it is destroyed.`,
    saferAlternative: "check the device with `lsblk` first; write to an image file instead",
    example: "dd if=/dev/zero of=/dev/sda bs=1M",
  },
  {
    id: "disk-format",
    commands: DISK_TOOLS,
    level: "critical",
    matches: (context) => {
      if (context.name === "zpool") return ["destroy", "labelclear"].includes(subcommand(context.args) ?? "");
      if (context.name === "cryptsetup")
        return (
          ["luksFormat", "erase", "luksErase", "open"].includes(subcommand(context.args) ?? "") &&
          subcommand(context.args) !== "open"
        );
      if (context.name === "badblocks") return hasShortFlag(context.args, "w");
      // Without -a or -o, wipefs only lists the signatures it would erase.
      if (
        context.name === "wipefs" &&
        !hasShortFlag(context.args, "ao") &&
        !hasLongOption(context.args, "--all", "--offset")
      )
        return false;
      return mentionsDisk(context) || operands(context.args).some((word) => word.startsWith("/dev/"));
    },
    message: (context) =>
      `Formats or wipes ${context.args.find((word) => word.startsWith("/dev/")) ?? "a disk"}: everything on it is lost.`,
    saferAlternative: "check the device with `lsblk` first",
    example: "mkfs.ext4 /dev/sdb1",
  },
  {
    id: "partition-table-write",
    commands: ["fdisk", "gdisk", "sfdisk", "cfdisk", "parted", "sgdisk", "diskutil"],
    level: "critical",
    matches: (context) =>
      (context.name === "diskutil"
        ? /^(erase\w*|zeroDisk|randomDisk|secureErase|partitionDisk|reformat)$/i.test(context.args[0] ?? "")
        : mentionsDisk(context)) &&
      (context.name === "diskutil" ||
        (context.stdinText !== undefined && /(^|\n)\s*w\s*($|\n)|label|,/.test(context.stdinText)) ||
        context.stdinFrom.length > 0 ||
        context.args.some((word) => /^(mklabel|mktable|rm|--zap-all|-Z|-o|--clear|--delete)$/.test(word))),
    message: "Rewrites the partition table of a disk: every partition on it is lost.",
    saferAlternative: "back up the table first (`sfdisk -d /dev/sdX > table.bak`)",
    example: "sudo fdisk /dev/sda <<< $'o\nw'",
  },
  {
    id: "partition-table",
    commands: [
      "fdisk",
      "parted",
      "gdisk",
      "cfdisk",
      "sfdisk",
      "sgdisk",
      "diskutil",
      "lvremove",
      "vgremove",
      "pvremove",
      "mdadm",
      "zfs",
      "lvreduce",
      "resize2fs",
      "tune2fs",
      "e2fsck",
      "fsck",
      "dmsetup",
    ],
    level: "high",
    matches: (context) => {
      const args = context.args;
      if (
        hasShortFlag(args, "l") &&
        (context.name === "fdisk" || context.name === "sfdisk" || context.name === "parted")
      )
        return false;
      if (context.name === "diskutil")
        return (
          /erase|partition|zero|secureErase|unmountDisk|apfs/i.test(args.join(" ")) &&
          !/^(list|info)$/.test(args[0] ?? "")
        );
      if (context.name === "zfs") return ["destroy", "rollback"].includes(subcommand(args) ?? "");
      if (context.name === "mdadm")
        return hasLongOption(args, "--zero-superblock", "--create", "--remove", "--fail");
      if (context.name === "parted")
        return !args.includes("print") || args.some((word) => /^(rm|mklabel|mkpart|resizepart)$/.test(word));
      if (context.name === "dmsetup")
        return ["remove", "remove_all", "wipe_table"].includes(subcommand(args) ?? "");
      return args.some((word) => word.startsWith("/dev/")) || context.name.endsWith("remove");
    },
    message: "Changes partitions, volumes or file-system structures; a mistake loses whole disks of data.",
    saferAlternative: "back up first and print the current layout (`lsblk`, `fdisk -l`)",
    example: "sudo fdisk /dev/sdb",
  },
  {
    id: "disk-image-mkfs",
    commands: DISK_TOOLS,
    level: "high",
    matches: (context) =>
      context.args.length > 0 && context.name !== "zpool" && context.name !== "cryptsetup",
    message: "Creates or wipes a file system.",
    example: "wipefs -a disk.img",
  },
  {
    id: "shred-files",
    commands: ["shred", "srm", "wipe", "scrub"],
    level: "high",
    message: (context) =>
      `Overwrites and destroys ${operands(context.args).join(" ") || "files"} beyond recovery.`,
    saferAlternative: "delete normally (or to the trash) unless the data must be unrecoverable",
    example: "shred -u -n 3 notes.txt",
  },
  {
    id: "dd-write",
    commands: ["dd"],
    level: "moderate",
    matches: (context) => context.args.some((word) => word.startsWith("of=")),
    message: "Writes raw data into a file.",
    example: "dd if=/dev/zero of=disk.img bs=1M count=10",
  },
];

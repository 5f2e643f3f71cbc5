/**
 * The kernel and the machine's own defences: loading kernel modules, containers with the host's root, bind
 * mounts over system folders, immutable flags and ACLs on system files, security daemons turned off, and
 * commands that fill the disk or memory until the machine stops.
 */
import { hasLongOption, hasShortFlag, operands, subcommand } from "../command-words.js";
import { CRITICAL_SYSTEM_FILE } from "../path-classes.js";
import type { CommandContext, SafetyRule } from "./rule.js";

const SECURITY_SERVICES =
  /^(auditd|apparmor|selinux|falcon-sensor|falcond|osqueryd|wazuh-agent|ossec|clamav-daemon|clamd|crowdstrike|sentinelone|fail2ban|aide|tripwire|firewalld|ufw|nftables|iptables|mdatp|sysdig|falco)(\.service)?$/;
const CONTAINER_CLIENTS = ["docker", "podman", "nerdctl", "ctr", "crictl"];
const HOST_ACCESS =
  /(^|\s)(--privileged|--pid[= ]host|--ipc[= ]host|--uts[= ]host|--userns[= ]host|--cgroupns[= ]host|--cap-add[= ](ALL|SYS_ADMIN|SYS_PTRACE|SYS_MODULE|DAC_READ_SEARCH|NET_ADMIN)|--security-opt[= ]\S*(unconfined|disable|label[=:]disable)|--device[= ]\/dev\/(sd|nvme|hd|vd|xvd|mem|kmem)|(-v|--volume|--mount)[= ]?\S*(^|[\s=,:])(source=)?\/(etc|root|boot|dev|proc|sys|var\/run\/docker\.sock|run\/docker\.sock|var\/lib\/docker)?(:|,|\s|$))/;
const SIZE = /^(\d+(?:\.\d+)?)([KMGTP]?)(i?B?)?$/i;

/** Bytes in a size like `10G`, `500M`, `1T`; undefined when unreadable. */
function bytesOf(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (!match) return undefined;
  const units = { "": 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 } as const;
  const unit = (match[2] ?? "").toUpperCase() as keyof typeof units;
  return Number(match[1]) * units[unit];
}

const HUGE = 100 * 2 ** 30;

function isSystemPath(word: string, context: CommandContext): boolean {
  return (
    context.classify(word) === "root" ||
    CRITICAL_SYSTEM_FILE.test(word) ||
    /^\/(etc|usr|bin|sbin|lib|boot)\//.test(word)
  );
}

function fillsDisk(context: CommandContext): boolean {
  if (context.name === "fallocate") {
    const length =
      context.args[context.args.indexOf("-l") + 1] ??
      context.args.find((word) => word.startsWith("--length="))?.slice(9);
    return (bytesOf(length ?? "") ?? 0) >= HUGE;
  }
  if (context.name === "truncate") {
    const size = context.args[context.args.indexOf("-s") + 1] ?? "";
    return (bytesOf(size.replace(/^\+/, "")) ?? 0) >= HUGE;
  }
  const writesFile = context.redirects.some(
    (redirect) =>
      redirect.operator.includes(">") &&
      !/^\/dev\/(null|stdout|stderr)$/.test(redirect.target) &&
      !/&/.test(redirect.operator),
  );
  if (context.name === "yes") return writesFile;
  if (context.name === "head") {
    const size = context.args[context.args.indexOf("-c") + 1] ?? "";
    return (
      writesFile &&
      context.args.some((word) => /^\/dev\/(zero|urandom|random)$/.test(word)) &&
      (bytesOf(size) ?? 0) >= HUGE
    );
  }
  if (context.name === "cat")
    return writesFile && context.args.some((word) => /^\/dev\/(zero|urandom|random)$/.test(word));
  if (context.name === "dd") {
    const input = context.args.find((word) => word.startsWith("if="))?.slice(3) ?? "";
    const output = context.args.find((word) => word.startsWith("of="))?.slice(3) ?? "";
    if (!/^\/dev\/(zero|urandom|random)$/.test(input) || output === "" || output.startsWith("/dev/"))
      return false;
    const count = context.args.find((word) => word.startsWith("count="));
    if (count === undefined) return true;
    const block = bytesOf(context.args.find((word) => word.startsWith("bs="))?.slice(3) ?? "512") ?? 512;
    return block * Number(count.slice(6)) >= HUGE;
  }
  return false;
}

/** The folders whose loss or replacement breaks the machine: `/`, `/etc`, `/usr`, `/boot`, `/bin`, `/lib`… */
const CORE_SYSTEM_FOLDER = /^\/(|etc|usr|boot|bin|sbin|lib|lib64|var|root|home|proc|sys|dev)\/?$/;
/** Files whose permissions decide who is root: an ACL on them hands out root. */
const AUTHORITY_FILE =
  /^\/etc\/(shadow|gshadow|sudoers(\.d(\/.*)?)?|passwd|group|pam\.d(\/.*)?|security(\/.*)?)$/;

function mountPoint(context: CommandContext): string {
  return operands(context.args, ["-o", "-t", "-O", "-L", "-U", "--options", "--types"]).at(-1) ?? "";
}

export const hostSecurityRules: SafetyRule[] = [
  {
    id: "system-lockdown",
    commands: ["chattr", "setfacl"],
    level: "critical",
    matches: (context) => {
      const targets = operands(context.args, [
        "-m",
        "-M",
        "-x",
        "-X",
        "--modify",
        "--remove",
        "--set",
        "--set-file",
      ]);
      if (context.name === "chattr")
        return (
          hasShortFlag(context.args, "R") &&
          context.args.some((word) => /^[+=][a-zA-Z]*i/.test(word)) &&
          targets.some((word) => CORE_SYSTEM_FOLDER.test(word))
        );
      return targets.some(
        (word) => AUTHORITY_FILE.test(word) || CORE_SYSTEM_FOLDER.test(word.replace(/\/$/, "")),
      );
    },
    message: (context) =>
      context.name === "chattr"
        ? "Makes every file of a core system folder immutable, so the system can no longer update, log or even boot normally."
        : "Gives access to the files that decide who is root (passwords, sudoers, PAM) through an ACL: anyone named can take over the machine.",
    example: "sudo setfacl -m u:bob:rw /etc/shadow",
  },
  {
    id: "mount-over-system",
    commands: ["mount", "umount"],
    level: "critical",
    matches: (context) => {
      if (context.name === "umount") return false;
      const target = mountPoint(context);
      return (
        /^\/(etc|usr|boot|bin|sbin|lib|lib64)?\/?$/.test(target) &&
        (context.args.includes("tmpfs") ||
          /^(none|tmpfs)$/.test(operands(context.args, ["-o", "-t"])[0] ?? "")) &&
        !context.args.some((word) => /(^|,)remount(,|$)/.test(word))
      );
    },
    message: (context) =>
      `Mounts an empty file system over ${mountPoint(context)}, hiding every system file there until reboot.`,
    example: "sudo mount -t tmpfs none /etc",
  },
  {
    id: "mount-system-change",
    commands: ["mount", "umount"],
    level: "high",
    matches: (context) => {
      const target = mountPoint(context);
      if (context.name === "umount")
        return (
          CORE_SYSTEM_FOLDER.test(target) || (hasShortFlag(context.args, "lfR") && target.startsWith("/"))
        );
      const options = context.args.join(" ");
      return (
        (CORE_SYSTEM_FOLDER.test(target) &&
          !/remount/.test(options) &&
          operands(context.args, ["-o", "-t"]).length >= 2) ||
        (/remount/.test(options) &&
          /(^|[\s,])(exec|suid|dev|rw)(,|\s|$)/.test(options) &&
          /^\/(tmp|dev\/shm|var\/tmp|boot|)$/.test(target.replace(/\/$/, "") || "/"))
      );
    },
    message: (context) =>
      context.name === "umount"
        ? `Unmounts ${mountPoint(context)} by force, cutting programs off from the files they use.`
        : `Changes what is mounted at ${mountPoint(context)}, a system folder, or lifts a protection on it.`,
    example: "sudo umount -l /",
  },
  {
    id: "security-framework-off",
    commands: ["aa-teardown", "aa-disable", "kldload", "kextload", "kextunload", "sysctl"],
    level: "high",
    matches: (context) => {
      if (context.name === "sysctl")
        return /(kernel\.(modules_disabled|kptr_restrict|dmesg_restrict|yama\.ptrace_scope|randomize_va_space)|fs\.protected_\w+)=0\b/.test(
          context.args.join(" "),
        );
      if (context.name === "aa-teardown") return true;
      return operands(context.args).length > 0;
    },
    message: (context) =>
      context.name === "sysctl"
        ? "Turns off a kernel protection (module loading lock, address randomisation, ptrace limits)."
        : context.name.startsWith("aa-")
          ? "Unloads AppArmor profiles, removing the confinement of the programs they protect."
          : "Loads or unloads code in the running kernel, with full control of the machine.",
    example: "sudo aa-teardown",
  },
  {
    id: "resource-stress",
    commands: ["stress", "stress-ng"],
    level: "high",
    matches: (context) =>
      context.args.some((word) => /^--(vm|fork|cpu|io|hdd|malloc|bigheap|memfd|clone)$/.test(word)) &&
      !context.args.some((word) => /^--(timeout|-t)$/.test(word)),
    message: "Loads the machine with processes or memory without a time limit, until it stops responding.",
    saferAlternative: "add `--timeout 10s` and small worker counts",
    example: "stress-ng --fork 0",
  },
  {
    id: "kernel-module",
    commands: ["insmod", "rmmod", "modprobe", "kmod", "kexec"],
    level: "high",
    matches: (context) => {
      if (context.name === "modprobe")
        return (
          !hasShortFlag(context.args, "ncDR") &&
          !hasLongOption(
            context.args,
            "--dry-run",
            "--show-config",
            "--showconfig",
            "--show-depends",
            "--resolve-alias",
            "--show-modversions",
          ) &&
          operands(context.args).length > 0
        );
      if (context.name === "kmod")
        return /^(load|unload|insert|remove)$/.test(subcommand(context.args) ?? "");
      if (context.name === "kexec")
        return hasShortFlag(context.args, "lep") || hasLongOption(context.args, "--load", "--exec");
      return operands(context.args).length > 0;
    },
    message: (context) =>
      context.name === "kexec"
        ? "Loads or boots another kernel, replacing the running system."
        : `${context.name === "rmmod" || context.args.includes("-r") || context.args.includes("--remove") ? "Removes code from" : "Loads code into"} the running kernel, with full control of the machine.`,
    saferAlternative: "check the module with `modinfo` first",
    example: "sudo insmod rootkit.ko",
  },
  {
    id: "container-host-access",
    commands: CONTAINER_CLIENTS,
    level: "high",
    matches: (context) =>
      /^(run|create|exec|container)$/.test(
        subcommand(context.args, ["-H", "--host", "--context", "-c"]) ?? "",
      ) && HOST_ACCESS.test(` ${context.args.join(" ")}`),
    message:
      "Runs a container with the host's root: a privileged container, the host's file system or the Docker socket mounted inside it.",
    saferAlternative: 'mount only the project folder (`-v "$PWD":/app`) and drop --privileged',
    example: "docker run -v /:/host -it ubuntu chroot /host",
  },
  {
    id: "bind-mount-system",
    commands: ["mount"],
    level: "high",
    matches: (context) =>
      (hasLongOption(context.args, "--bind", "--rbind") ||
        hasShortFlag(context.args, "BR") ||
        /(^|,)(r?bind)(,|$)/.test(context.args[context.args.indexOf("-o") + 1] ?? "")) &&
      isSystemPath(operands(context.args, ["-o", "-t"]).at(-1) ?? "", context),
    message: (context) =>
      `Mounts another folder over the system folder ${operands(context.args, ["-o", "-t"]).at(-1) ?? ""}, hiding or replacing what is there.`,
    example: "sudo mount --bind /tmp/fake /etc",
  },
  {
    id: "system-attributes",
    commands: ["chattr", "setfacl"],
    level: "high",
    matches: (context) =>
      operands(context.args, ["-m", "-M", "-x", "-X", "--modify", "--remove", "--set", "--set-file"]).some(
        (word) => isSystemPath(word, context),
      ) && !(context.name === "setfacl" && operands(context.args).length === 0),
    message: (context) =>
      context.name === "chattr"
        ? "Changes the immutable or append-only flags of a system file, which protect it from being changed or hide changes."
        : "Gives access to a system file through an ACL, bypassing its normal permissions.",
    example: "sudo chattr -i /etc/passwd",
  },
  {
    id: "security-service-stop",
    commands: [
      "systemctl",
      "service",
      "rc-service",
      "launchctl",
      "aa-complain",
      "apparmor_parser",
      "auditctl",
      "killall",
      "pkill",
    ],
    level: "high",
    matches: (context) => {
      const words = operands(context.args);
      if (context.name === "systemctl")
        return (
          /^(stop|disable|mask|kill)$/.test(words[0] ?? "") &&
          words.slice(1).some((word) => SECURITY_SERVICES.test(word))
        );
      if (context.name === "service" || context.name === "rc-service")
        return SECURITY_SERVICES.test(words[0] ?? "") && /^(stop|disable)$/.test(words[1] ?? "");
      if (context.name === "aa-complain") return words.length > 0;
      if (context.name === "apparmor_parser")
        return hasShortFlag(context.args, "R") || hasLongOption(context.args, "--remove");
      if (context.name === "auditctl")
        return hasShortFlag(context.args, "D") || /-e\s*0\b/.test(context.args.join(" "));
      return words.some((word) => SECURITY_SERVICES.test(word));
    },
    message:
      "Stops or weakens a security or audit service, so attacks and changes are no longer recorded or blocked.",
    example: "sudo systemctl stop auditd",
  },
  {
    id: "resource-exhaustion",
    commands: ["fallocate", "truncate", "yes", "cat", "dd", "head"],
    level: "high",
    matches: fillsDisk,
    message:
      "Fills the disk (or writes without end), which stops programs that need space and can crash the system.",
    saferAlternative: "give a small, fixed size",
    example: "yes > /tmp/fill",
  },
];

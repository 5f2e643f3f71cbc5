/** Power, processes, services, firewalls, security switches, accounts, scheduled jobs, history and logs. */
import { hasLongOption, hasShortFlag, hasWord, operands, subcommand } from "../command-words.js";
import type { CommandContext, SafetyRule } from "./rule.js";

const CRITICAL_SERVICES =
  /^(ssh|sshd|openssh-server|network|networking|NetworkManager|systemd-networkd|systemd-resolved|dbus|systemd-logind|firewalld|ufw|iptables|nftables|apparmor|auditd|selinux|fail2ban|docker|containerd|kubelet|cron|crond|rsyslog|systemd-journald|getty@.*|polkit)(\.service)?$/;

function signalOf(args: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    if (word === "-s" || word === "--signal") return args[index + 1];
    if (/^-(\d+|[A-Z]+[A-Z0-9]*)$/.test(word)) return word.slice(1);
    if (word.startsWith("--signal=")) return word.slice(9);
  }
  return undefined;
}

function isKillSignal(signal: string | undefined): boolean {
  return signal === "9" || signal === "KILL" || signal === "SIGKILL";
}

function systemctlVerb(context: CommandContext): string {
  return (
    subcommand(context.args, [
      "-H",
      "--host",
      "-M",
      "--machine",
      "-p",
      "--property",
      "-t",
      "--type",
      "--state",
      "-n",
      "--lines",
      "-o",
      "--output",
    ]) ?? ""
  );
}

const HISTORY_FILE =
  /(^|\/)\.(bash_|zsh_|python_|psql_|mysql_|node_|sh_|lesshst|local\/share\/fish\/fish_)?history$|^\/var\/log(\/|$)|\/wtmp$|\/btmp$|\/lastlog$|\/auth\.log|\/syslog$|\/messages$|\/secure$/;

export const systemRules: SafetyRule[] = [
  {
    id: "key-delete",
    commands: ["gpg", "gpg2"],
    level: "high",
    matches: (context) =>
      context.args.some((word) =>
        /^--(delete-secret-keys|delete-secret-and-public-keys?|delete-keys?)$/.test(word),
      ),
    message: "Deletes keys from your GnuPG keyring; a deleted secret key cannot be recovered.",
    saferAlternative: "export a backup first (`gpg --export-secret-keys --armor KEY > backup.asc`)",
    example: "gpg --delete-secret-keys ABCDEF12",
  },
  {
    id: "kill-init",
    commands: ["kill", "pkill", "killall", "killall5"],
    level: "critical",
    matches: (context) =>
      (context.name === "killall5" && /^-(9|KILL|SIGKILL|s\s*(9|KILL))$/.test(context.args.join(" "))) ||
      (context.name === "kill" &&
        signalOf(context.args) !== "0" &&
        operands(context.args, ["-s", "-n", "--signal"]).some((word) => word === "1" || word === "-1")) ||
      (context.name === "kill" &&
        hasWord(context.args, "-1") &&
        context.args.length >= 2 &&
        context.args.at(-1) === "-1") ||
      // `kill -9 $(pidof init)`, `kill -9 $(pgrep -x systemd | head -1)`: PID 1 by name.
      (context.name === "kill" &&
        signalOf(context.args) !== "0" &&
        context.args.some((word) =>
          /^(\$\(|`)\s*(pidof|pgrep)\b[^|)]*\s\^?(init|systemd|launchd)\$?(\s|\)|\||`)/.test(word),
        )) ||
      ((context.name === "pkill" || context.name === "killall") &&
        (hasWord(context.args, "init", "systemd", "launchd") ||
          /(^|\s)(-u|-U|--user|--uid)\s*(root|0)(\s|$)/.test(context.args.join(" ")))),
    message: "Kills process 1 or every process you can signal: the system or your whole session goes down.",
    saferAlternative: "kill the one process you mean, by its PID",
    example: "kill -9 -1",
  },
  {
    id: "kill-all-force",
    commands: ["killall", "pkill", "kill", "killall5", "skill", "slay"],
    level: "high",
    matches: (context) =>
      context.name === "killall5" ||
      // `kill -9 $(pgrep -f postgres)` is `pkill -9 -f postgres`.
      (context.name === "kill" &&
        isKillSignal(signalOf(context.args)) &&
        context.args.some((word) =>
          /^\$\(\s*(pgrep|pidof)\b|^`\s*(pgrep|pidof)\b|^\$\(the input of xargs\)$/.test(word),
        )) ||
      ((context.name === "killall" || context.name === "pkill") &&
        (isKillSignal(signalOf(context.args)) ||
          ((hasShortFlag(context.args, "u") || hasWord(context.args, "-U", "--user")) &&
            operands(context.args, ["-u", "-U", "--user"]).length === 0))),
    message: "Force-kills every matching process without letting it save its work.",
    saferAlternative: "send SIGTERM (the default) to the specific PID first",
    example: "killall -9 node",
  },
  {
    id: "kill-process",
    commands: ["kill", "pkill", "killall", "skill", "xkill", "fuser"],
    level: "moderate",
    matches: (context) =>
      context.name !== "kill" || !hasShortFlag(context.args, "l") || context.args.length > 1,
    message: "Stops running processes.",
    example: "kill 12345",
  },
  {
    id: "power-off",
    commands: [
      "shutdown",
      "reboot",
      "poweroff",
      "halt",
      "init",
      "telinit",
      "systemctl",
      "loginctl",
      "pm-suspend",
      "pm-hibernate",
      "rtcwake",
      "kexec",
      "openrc-shutdown",
    ],
    level: "high",
    matches: (context) => {
      if (context.name === "init" || context.name === "telinit")
        return ["0", "6", "1", "s", "S"].includes(context.args[0] ?? "");
      if (context.name === "systemctl")
        return /^(poweroff|reboot|halt|kexec|emergency|rescue|isolate|suspend|hibernate|soft-reboot|default)$/.test(
          systemctlVerb(context),
        );
      if (context.name === "loginctl")
        return /^(poweroff|reboot|terminate-session|terminate-user|kill-session|kill-user)$/.test(
          context.args[0] ?? "",
        );
      if (context.name === "shutdown")
        return !hasShortFlag(context.args, "c") && !hasLongOption(context.args, "--cancel");
      return true;
    },
    message: "Shuts down, reboots or suspends the machine, ending every running program and session.",
    saferAlternative: "schedule it (`shutdown -r +10`) and warn users first",
    example: "sudo reboot",
  },
  {
    id: "service-stop-critical",
    commands: ["systemctl", "service", "rc-service", "launchctl", "sv"],
    level: "high",
    matches: (context) => {
      const verb =
        context.name === "service" || context.name === "rc-service"
          ? (context.args[1] ?? "")
          : systemctlVerb(context);
      const units =
        context.name === "service" || context.name === "rc-service"
          ? [context.args[0] ?? ""]
          : operands(context.args).slice(1);
      return /^(stop|disable|mask|kill)$/.test(verb) && units.some((unit) => CRITICAL_SERVICES.test(unit));
    },
    message: "Stops or disables a service the machine needs for remote access, networking or security.",
    example: "sudo systemctl disable --now sshd",
  },
  {
    id: "service-change",
    commands: [
      "systemctl",
      "service",
      "rc-service",
      "launchctl",
      "sv",
      "supervisorctl",
      "pm2",
      "update-rc.d",
      "chkconfig",
      "rc-update",
    ],
    level: "moderate",
    matches: (context) => {
      const verb = context.name === "service" ? (context.args[1] ?? "") : systemctlVerb(context);
      return (
        !/^(status|show|list-units|list-unit-files|list-timers|list-sockets|list-dependencies|list|is-active|is-enabled|is-failed|cat|help|--version|get-default|logs|describe|monit|jlist|info|print)$/.test(
          verb,
        ) && !(context.name === "service" && hasLongOption(context.args, "--status-all"))
      );
    },
    message: "Starts, stops, restarts or reconfigures a system service.",
    example: "sudo systemctl restart nginx",
  },
  {
    id: "firewall-disable",
    commands: [
      "iptables",
      "ip6tables",
      "nft",
      "ufw",
      "firewall-cmd",
      "setenforce",
      "netsh",
      "pfctl",
      "sysctl",
      "aa-teardown",
      "aa-disable",
      "csrutil",
      "spctl",
      "defaults",
      "Set-MpPreference",
      "systemsetup",
      "auditctl",
    ],
    level: "high",
    matches: (context) => {
      const text = context.args.join(" ");
      switch (context.name) {
        case "iptables":
        case "ip6tables":
          return (
            hasShortFlag(context.args, "FX") ||
            hasLongOption(context.args, "--flush", "--delete-chain") ||
            /-P\s+\w+\s+ACCEPT|--policy\s+\w+\s+ACCEPT/.test(text)
          );
        case "nft":
          return /\bflush\s+ruleset\b|\bdelete\s+table\b/.test(text);
        case "ufw":
          return /^(disable|reset)$/.test(subcommand(context.args) ?? "") || /default\s+allow/.test(text);
        case "firewall-cmd":
          return /--panic-off|--set-default-zone=trusted|--add-port=0-65535/.test(text);
        case "setenforce":
          return /^(0|permissive)$/i.test(context.args[0] ?? "");
        case "sysctl":
          return /kernel\.randomize_va_space\s*=\s*0|kernel\.(kptr_restrict|dmesg_restrict|yama\.ptrace_scope)\s*=\s*0|net\.ipv4\.ip_forward\s*=\s*1/.test(
            text,
          );
        case "pfctl":
          return hasShortFlag(context.args, "dF");
        case "csrutil":
        case "spctl":
          return /disable|--master-disable/.test(text);
        case "auditctl":
          return hasShortFlag(context.args, "D") || /-e\s*0/.test(text);
        default:
          return /disable|off|\bstop\b/i.test(text);
      }
    },
    message: "Turns off or flushes a firewall or security protection, exposing the machine.",
    saferAlternative: "open only the port or rule you need",
    example: "sudo iptables -F",
  },
  {
    id: "history-wipe",
    commands: [
      "history",
      "rm",
      "shred",
      "truncate",
      "unset",
      "export",
      "set",
      "journalctl",
      "wevtutil",
      "ln",
      "cp",
      "srm",
      "logrotate",
      "dmesg",
    ],
    level: "high",
    matches: (context) => {
      const text = context.args.join(" ");
      switch (context.name) {
        case "history":
          // bash/zsh `history -c`; fish `history clear`, `history clear-session`, `history delete …`.
          return (
            hasShortFlag(context.args, "cd") || /^(clear|clear-session|delete)$/.test(context.args[0] ?? "")
          );
        case "unset":
        case "export":
        case "set":
          return (
            /\bHISTFILE\b(=\/dev\/null)?|HISTSIZE=0|HISTFILESIZE=0|\+o\s+history/.test(text) &&
            (context.name === "unset" ||
              /HISTFILE=\/dev\/null|HISTSIZE=0|HISTFILESIZE=0|\+o history/.test(text))
          );
        case "journalctl":
          return /--vacuum-|--rotate|--flush/.test(text) && /--vacuum-/.test(text);
        case "dmesg":
          return hasShortFlag(context.args, "cC") || hasLongOption(context.args, "--clear", "--read-clear");
        case "wevtutil":
          return /^(cl|clear-log)$/i.test(context.args[0] ?? "");
        default:
          return operands(context.args).some((word) => HISTORY_FILE.test(word));
      }
    },
    message: "Erases shell history or system logs, destroying the record of what happened.",
    example: "history -c && rm ~/.bash_history",
  },
  {
    id: "account-takeover",
    commands: [
      "useradd",
      "usermod",
      "passwd",
      "chpasswd",
      "adduser",
      "gpasswd",
      "visudo",
      "pwck",
      "vipw",
      "chage",
      "dscl",
    ],
    level: "critical",
    matches: (context) => {
      const text = context.args.join(" ");
      return (
        /(-o\b.*-u\s*0\b|-u\s*0\b.*-o\b)|--non-unique/.test(text) ||
        (context.name === "passwd" && hasShortFlag(context.args, "d") && hasWord(context.args, "root")) ||
        (/root:/.test(context.stdinText ?? "") && context.name === "chpasswd")
      );
    },
    message: "Creates a second root account or removes root's password: anyone can become root.",
    example: "useradd -o -u 0 -g 0 backdoor",
  },
  {
    id: "privilege-grant",
    commands: [
      "usermod",
      "gpasswd",
      "adduser",
      "useradd",
      "dseditgroup",
      "passwd",
      "userdel",
      "deluser",
      "chpasswd",
      "groupdel",
    ],
    level: "high",
    matches: (context) =>
      (/\b(sudo|wheel|admin|root|docker|disk|shadow|lxd|adm)\b/.test(context.args.join(" ")) &&
        /(-a?G|--groups|--append|-a\b|add\b|-A\b)/.test(context.args.join(" "))) ||
      ((context.name === "userdel" || context.name === "deluser") &&
        (hasShortFlag(context.args, "rf") ||
          hasLongOption(context.args, "--remove-home", "--remove-all-files"))) ||
      (context.name === "passwd" && hasShortFlag(context.args, "d")),
    message: "Grants administrator rights, removes a password, or deletes a user together with their files.",
    example: "sudo usermod -aG sudo guest",
  },
  {
    id: "account-change",
    commands: [
      "useradd",
      "usermod",
      "passwd",
      "chpasswd",
      "adduser",
      "userdel",
      "deluser",
      "groupadd",
      "groupdel",
      "groupmod",
      "chsh",
      "chfn",
      "gpasswd",
      "addgroup",
      "delgroup",
      "visudo",
      "vipw",
      "chage",
    ],
    level: "moderate",
    matches: (context) =>
      !(context.name === "passwd" && hasShortFlag(context.args, "S")) &&
      !(context.name === "chage" && hasShortFlag(context.args, "l")),
    message: "Changes user accounts, groups or passwords.",
    example: "sudo useradd -m alice",
  },
  {
    id: "cron-remove",
    commands: ["crontab", "atrm", "at"],
    level: "high",
    matches: (context) =>
      context.name === "crontab" ? hasShortFlag(context.args, "r") : context.name === "atrm",
    message: "Deletes every scheduled job in your crontab, with no undo.",
    saferAlternative: "back it up with `crontab -l > crontab.bak`, then edit with `crontab -e`",
    example: "crontab -r",
  },
  {
    id: "scheduled-change",
    commands: ["crontab", "at", "batch", "launchctl", "schtasks"],
    level: "moderate",
    matches: (context) =>
      !(context.name === "crontab" && hasShortFlag(context.args, "l")) &&
      !(context.name === "schtasks" && /\/query/i.test(context.args.join(" "))),
    message: "Adds or changes scheduled jobs.",
    example: "crontab -e",
  },
  {
    id: "network-down",
    commands: ["ip", "ifconfig", "ifdown", "nmcli", "route", "networksetup", "iwconfig", "rfkill", "tc"],
    level: "high",
    matches: (context) => {
      const text = context.args.join(" ");
      if (context.name === "ifdown") return true;
      if (context.name === "nmcli")
        return /networking\s+off|radio\s+\w+\s+off|con(nection)?\s+(down|delete)|dev(ice)?\s+(disconnect|down|delete)/.test(
          text,
        );
      if (context.name === "route") return /\bdel\b.*default|\bflush\b/.test(text);
      if (context.name === "rfkill") return /\bblock\b/.test(text);
      if (context.name === "tc") return /\bqdisc\b.*\b(loss\s+100|netem)/.test(text);
      return /\b(down|flush|del(ete)?\b.*default)\b/.test(text) && !/\bshow\b/.test(text);
    },
    message: "Takes a network interface or route down; a remote session may be cut off.",
    example: "sudo ip link set eth0 down",
  },
  {
    id: "network-change",
    commands: [
      "ip",
      "ifconfig",
      "nmcli",
      "route",
      "iptables",
      "ip6tables",
      "nft",
      "ufw",
      "firewall-cmd",
      "sysctl",
      "hostnamectl",
      "timedatectl",
      "modprobe",
      "rmmod",
      "insmod",
      "swapoff",
      "swapon",
      "mount",
      "umount",
      "losetup",
      "update-grub",
      "grub-install",
      "efibootmgr",
      "localectl",
      "ifup",
      "dhclient",
      "wg",
      "wg-quick",
      "tailscale",
      "networksetup",
      "scutil",
    ],
    level: "moderate",
    matches: (context) => {
      const text = context.args.join(" ");
      if (["ip", "nmcli"].includes(context.name))
        return /\b(add|del|delete|set|flush|change|replace|up|down|connect|modify|reload|on|off)\b/.test(
          text,
        );
      if (["ifconfig", "route"].includes(context.name))
        return operands(context.args).length > 1 && !hasShortFlag(context.args, "n");
      if (["iptables", "ip6tables"].includes(context.name))
        return !hasShortFlag(context.args, "LS") && !hasLongOption(context.args, "--list");
      if (context.name === "nft") return !/^list\b/.test(text);
      if (context.name === "sysctl") return hasShortFlag(context.args, "wp") || text.includes("=");
      if (context.name === "ufw") return !/^(status|app\s+list|show)/.test(text);
      if (["mount", "swapon"].includes(context.name))
        return operands(context.args).length > 0 && !hasShortFlag(context.args, "ls");
      if (["hostnamectl", "timedatectl", "localectl", "tailscale", "wg"].includes(context.name))
        return /\bset|up|down|logout|set-/.test(text);
      if (context.name === "firewall-cmd") return !/--(list|get|query|state)/.test(text);
      return true;
    },
    message: "Changes network, kernel, mount or boot settings of the machine.",
    example: "sudo mount /dev/sdb1 /mnt",
  },
];

/** Exported for tests of the helper. */
export { signalOf };

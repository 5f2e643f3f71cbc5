/**
 * How dangerous it is to write to a path, whatever does the writing: a `>` redirection, `tee`, `cp`, `sort -o`,
 * `curl -o`, `sed -i`, an interpreter's `open(p, "w")`, or an AI agent's file-write tool. One table, so the same
 * target gets the same level everywhere: raw disks and the files that control logins, root rights and booting are
 * critical; shell start-up files, schedulers, services, login keys and git hooks (persistence), credential stores,
 * logs and other system files are high; anything else is an ordinary change.
 */
import { CREDENTIAL_FILE, CRITICAL_SYSTEM_FILE, DISK_DEVICE } from "./path-classes.js";
import type { RiskLevel } from "./types.js";

/** The verdict on one written path. */
export interface WriteJudgement {
  rule: string;
  level: RiskLevel;
  message: string;
  saferAlternative?: string;
}

/** Options of {@link judgeWriteTarget}. */
export interface WriteOptions {
  /** Appends rather than replaces (`>>`, `tee -a`); default false. */
  append?: boolean;
  /** The text written, when known: a remote payload or a reverse shell installed for later is critical. */
  content?: string | undefined;
}

const HARMLESS = /^\/dev\/(null|zero|stdout|stderr|tty|fd\/\d+|random|urandom|shm\/.*|pts\/\d+|console)$/;
const HOME_PREFIX =
  /^(~[A-Za-z0-9_.-]*|\$HOME|\$\{HOME\}|\/home\/[^/]+|\/Users\/[^/]+|\/root|%USERPROFILE%|\$env:USERPROFILE|[A-Za-z]:[\\/]Users[\\/][^\\/]+)(?=[\\/]|$)/i;

/** Files that plant code to run later or let someone in, with what they are, in words (paths below a home). */
const HOME_PERSISTENCE: readonly { pattern: RegExp; what: string }[] = [
  {
    pattern:
      /^\.((bash|zsh|ksh|mksh|csh|tcsh)rc|bash_(profile|login|logout|aliases|functions)|profile|login|logout|zshenv|zprofile|zlogin|zlogout|xinitrc|xprofile|xsession|xsessionrc|gnomerc|pam_environment)$/,
    what: "a shell startup file, which runs in every new shell",
  },
  {
    pattern: /^\.config\/fish\/(config\.fish|conf\.d\/.+|functions\/.+)$/,
    what: "a shell startup file of fish, which runs in every new shell",
  },
  {
    pattern: /^(\.config\/powershell|Documents\/(Windows)?PowerShell)\/.*profile.*\.ps1$/i,
    what: "a PowerShell profile, which runs in every new shell",
  },
  {
    pattern: /^\.ssh\/authorized_keys2?$/,
    what: "the SSH login key file, which lets whoever holds a listed key log in",
  },
  {
    pattern: /^\.ssh\/(rc|environment|config)$/,
    what: "an SSH file that runs commands or sets options at every connection",
  },
  {
    pattern: /^(\.gitconfig|\.config\/git\/config)$/,
    what: "a git configuration, which can make git run commands (aliases, hooks path, pagers)",
  },
  {
    pattern: /^\.config\/(autostart|plasma-workspace\/env|lxsession)(\/.*)?$/,
    what: "a login item, which runs at every login",
  },
  {
    pattern: /^(\.config|\.local\/share)\/systemd\/user(\/.*)?$/,
    what: "a systemd unit, which the service manager runs",
  },
  { pattern: /^Library\/LaunchAgents(\/.*)?$/, what: "a launchd property list, which macOS runs at login" },
  {
    pattern:
      /^(\.local\/)?bin\/(sudo|su|ls|cat|cd|git|ssh|python3?|bash|sh|curl|wget|apt|npm|node|passwd|ps|id|whoami|ping|docker|kubectl)$/,
    what: "a program on PATH named like a common command, which would run instead of it",
  },
];

/** System files and folders whose contents run as root, at boot or at login. */
const SYSTEM_PERSISTENCE: readonly { pattern: RegExp; what: string }[] = [
  {
    pattern:
      /^\/etc\/(profile|bash\.bashrc|bashrc|zshrc|zprofile|zshenv|zlogin|environment|profile\.d(\/.*)?|zsh(\/.*)?)$/,
    what: "a system-wide shell startup file, which runs in every user's shell",
  },
  {
    pattern:
      /^\/(etc\/(crontab|anacrontab|cron\.(d|daily|hourly|weekly|monthly)(\/.*)?)|var\/spool\/cron(\/.*)?)$/,
    what: "a scheduled job (crontab)",
  },
  {
    pattern: /^\/(etc|(usr\/)?lib)\/systemd\/(system|user)(\/.*)?$|^\/etc\/systemd(\/.*)?$/,
    what: "a systemd unit, which the service manager runs",
  },
  {
    pattern: /^\/Library\/(LaunchAgents|LaunchDaemons)(\/.*)?$/,
    what: "a launchd property list, which macOS runs at login or boot",
  },
  {
    pattern:
      /^\/etc\/(rc\.local|inittab|init\.d(\/.*)?|init(\/.*)?|rc\d\.d(\/.*)?|update-motd\.d(\/.*)?|xdg\/autostart(\/.*)?)$/,
    what: "a boot or login script, which runs as root",
  },
  {
    pattern: /^\/etc\/(apt\/apt\.conf\.d|udev\/rules\.d|NetworkManager\/dispatcher\.d)(\/.*)?$/,
    what: "a hook that runs as root on system events",
  },
  {
    pattern: /^\/etc\/(ld\.so\.conf(\.d(\/.*)?)?|modules|modules-load\.d(\/.*)?|modprobe\.d(\/.*)?)$/,
    what: "the configuration of the library loader or of kernel modules",
  },
  { pattern: /^\/etc\/ssh\/sshd_config(\.d(\/.*)?)?$/, what: "the SSH server's configuration" },
];

const GIT_HOOK = /(^|\/)\.git\/(hooks(\/[^/]+)?|config)$/;
const REMOTE_OR_REVERSE =
  /\b(curl|wget|fetch)\b[^\n|;]*\|\s*(sudo\s+)?(ba|z|da|k)?sh\b|\/dev\/(tcp|udp)\/|\b(nc|ncat|netcat)\b[^\n]*\s-[a-z]*[ec]\b|\bbash\s+-i\b|\bsocat\b[^\n]*exec:|\biex\b.*\b(iwr|irm|Invoke-WebRequest|DownloadString)\b/i;
/** System folders; `/usr/local` and `/opt` are where an administrator installs things, not the system itself. */
const SYSTEM_TREE =
  /^\/(etc|usr\/(?!local\/)|bin|sbin|lib|lib32|lib64|boot|sys|proc|var\/lib|var\/db|System|Library)\/?/;
const LOGS =
  /^\/var\/log\/|(^|\/)\.(bash_|zsh_|sh_|python_|node_repl_|mysql_|psql_)?history$|(^|\/)\.local\/share\/fish\/fish_history$/;

/** The part of a path below a home folder, or undefined when it is not under one. */
function underHome(path: string): string | undefined {
  const match = HOME_PREFIX.exec(path);
  if (!match) return undefined;
  return path
    .slice(match[0].length)
    .replace(/\\/g, "/")
    .replace(/^\/+/, "")
    .replace(/\/{2,}/g, "/");
}

/** Files a glob in a written path may hit (`/etc/pass*` and the like): judged as the worst of them. */
const CRITICAL_CANDIDATES = [
  "/etc/passwd",
  "/etc/shadow",
  "/etc/group",
  "/etc/gshadow",
  "/etc/sudoers",
  "/etc/sudoers.d/x",
  "/etc/pam.d/sshd",
  "/etc/crontab",
  "/etc/ld.so.preload",
  "/boot/vmlinuz",
  "/bin/sh",
  "/bin/bash",
  "/etc/profile",
  "/root/.ssh/authorized_keys",
];

/** Collapses `; //`, `/./` and `..` so `/etc/../etc/sudoers` reads as `/etc/sudoers`; `~root` is `/root`. */
function tidy(path: string): string {
  let value = path
    .replace(/^~root(?=\/|$)/, "/root")
    .replace(/^~([a-z_][a-z0-9_-]*)(?=\/|$)/, "/home/$1")
    .replace(/\/{2,}/g, "/")
    .replace(/\/\.(?=\/|$)/g, "");
  if (value.length > 1) value = value.replace(/\/+$/, "");
  if (value.startsWith("/") && value.includes("/..")) {
    const segments: string[] = [];
    for (const segment of value.split("/")) {
      if (segment === "..") segments.pop();
      else if (segment !== "") segments.push(segment);
    }
    value = `/${segments.join("/")}`;
  }
  return value;
}

/** What writing to `path` plants (a shell startup file, a git hook, a crontab…), or undefined if nothing. */
export function persistenceOf(path: string): string | undefined {
  const target = tidy(path);
  const home = underHome(target);
  if (home !== undefined) {
    const found = HOME_PERSISTENCE.find((entry) => entry.pattern.test(home));
    if (found !== undefined) return found.what;
  }
  const system = SYSTEM_PERSISTENCE.find((entry) => entry.pattern.test(target));
  if (system !== undefined) return system.what;
  if (GIT_HOOK.test(target))
    return target.endsWith("/config")
      ? "a git configuration, which can make git run commands (aliases, hooks path, pagers)"
      : "a git hook, which runs on git commands";
  return undefined;
}

/** The verdict on writing to `path`; undefined for targets that discard or display (`/dev/null`, `/dev/stderr`). */
export function judgeWriteTarget(path: string, options: WriteOptions = {}): WriteJudgement | undefined {
  const target = tidy(path.trim());
  const verb = options.append === true ? "Appends to" : "Overwrites";
  if (target === "" || HARMLESS.test(target)) return undefined;
  if (/[*?[]/.test(target) && target.startsWith("/")) {
    const matcher = new RegExp(
      `^${target
        .replace(/[.+^${}()|\\]/g, "\\$&")
        .replace(/\*/g, "[^/]*")
        .replace(/\?/g, "[^/]")}$`,
    );
    const hit = CRITICAL_CANDIDATES.find((candidate) => matcher.test(candidate));
    if (hit !== undefined) return judgeWriteTarget(hit, options);
  }
  if (target === "/")
    return {
      rule: "system-file-write",
      level: "high",
      message:
        "Writes files straight into the root folder /, over whatever system files they are named like.",
    };
  if (/^\/dev\/(tcp|udp)\//.test(target))
    return {
      rule: "network-redirect",
      level: "high",
      message: `Sends data straight to the network address ${target.slice(9)}.`,
    };
  if (DISK_DEVICE.test(target))
    return {
      rule: "disk-raw-write",
      level: "critical",
      message: `Writes raw data over the disk ${target}: every file on it is destroyed.`,
      saferAlternative: "check the device with `lsblk` first",
    };
  if (CRITICAL_SYSTEM_FILE.test(target))
    return {
      rule: "system-file-write",
      level: "critical",
      message: `${verb} ${target}, which controls logins, root rights or booting.`,
    };
  const planted = persistenceOf(target);
  if (planted !== undefined) {
    if (options.content !== undefined && REMOTE_OR_REVERSE.test(options.content))
      return {
        rule: "persistence-payload",
        level: "critical",
        message: `Installs a remote script or a remote shell in ${target} (${planted}): it runs again and again.`,
        saferAlternative: "edit the file yourself and read what it will run",
      };
    return {
      rule: "persistence",
      level: "high",
      message: `${verb} ${target}: ${planted}.`,
      saferAlternative: "edit the file yourself and read what it will run",
    };
  }
  if (CREDENTIAL_FILE.test(target))
    return {
      rule: "credential-overwrite",
      level: "high",
      message: `${verb} the secret file ${target} (keys or credentials).`,
      saferAlternative: "back the file up first",
    };
  if (LOGS.test(target) && options.append !== true)
    return {
      rule: "history-wipe",
      level: "high",
      message: `Empties ${target}, destroying the record of what happened.`,
    };
  if (SYSTEM_TREE.test(target))
    return {
      rule: "system-file-write",
      level: "high",
      message: `${verb} the system file ${target}.`,
      saferAlternative: "back the file up first",
    };
  if (target.startsWith("/dev/"))
    return { rule: "device-write", level: "moderate", message: `Writes to the device ${target}.` };
  return {
    rule: "file-write",
    level: "moderate",
    message: `${options.append === true ? "Appends to" : "Writes (and replaces)"} the file ${target}.`,
  };
}

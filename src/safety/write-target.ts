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

/** Files under a home folder that run code at login, at shell start or on a schedule, or let someone in. */
const HOME_PERSISTENCE = new RegExp(
  "^(" +
    [
      String.raw`\.(bash|zsh|ksh|mksh|csh|tcsh)rc`,
      String.raw`\.bash_(profile|login|logout|aliases|functions)`,
      String.raw`\.(profile|login|logout|zshenv|zprofile|zlogin|zlogout|xinitrc|xprofile|xsession|xsessionrc|gnomerc|pam_environment)`,
      String.raw`\.config/fish/(config\.fish|conf\.d/.+|functions/.+)`,
      String.raw`\.config/(autostart|systemd/user|plasma-workspace/env|lxsession)(/.*)?`,
      String.raw`\.local/share/systemd/user(/.*)?`,
      String.raw`Library/LaunchAgents(/.*)?`,
      String.raw`\.ssh/(authorized_keys2?|rc|environment|config)`,
      String.raw`\.config/powershell/.*profile.*\.ps1`,
      String.raw`Documents/(Windows)?PowerShell/.*profile.*\.ps1`,
      String.raw`\.(local/)?bin/(sudo|su|ls|cat|cd|git|ssh|python3?|bash|sh|curl|wget|apt|npm|node|passwd|ps|id|whoami|ping|docker|kubectl)`,
    ].join("|") +
    ")$",
);

/** System files and folders whose contents run as root or at boot, or let someone in. */
const SYSTEM_PERSISTENCE = new RegExp(
  "^/(" +
    [
      String.raw`etc/(profile|bash\.bashrc|bashrc|zshrc|zprofile|zshenv|zlogin|environment|crontab|rc\.local|anacrontab)`,
      String.raw`etc/(profile\.d|zsh|cron\.(d|daily|hourly|weekly|monthly)|systemd|init\.d|init|rc\d\.d|xdg/autostart|update-motd\.d|apt/apt\.conf\.d|udev/rules\.d|NetworkManager/dispatcher\.d|ld\.so\.conf\.d|modules-load\.d|modprobe\.d|ssh/sshd_config\.d)(/.*)?`,
      String.raw`etc/(ld\.so\.conf|modules|ssh/sshd_config|inittab)`,
      String.raw`(usr/)?lib/systemd/(system|user)(/.*)?`,
      String.raw`var/spool/cron(/.*)?`,
      String.raw`Library/(LaunchAgents|LaunchDaemons)(/.*)?`,
    ].join("|") +
    ")$",
);

const GIT_HOOK = /(^|\/)\.git\/hooks(\/[^/]+)?$/;
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

/** Collapses `//`, `/./` and `..` so `/etc/../etc/sudoers` reads as `/etc/sudoers`. */
function tidy(path: string): string {
  let value = path.replace(/\/{2,}/g, "/").replace(/\/\.(?=\/|$)/g, "");
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

/** Whether writing to `path` plants something that runs later or lets someone in (persistence). */
export function isPersistencePath(path: string): boolean {
  const target = tidy(path);
  const home = underHome(target);
  if (home !== undefined && HOME_PERSISTENCE.test(home)) return true;
  return SYSTEM_PERSISTENCE.test(target) || GIT_HOOK.test(target);
}

/** The verdict on writing to `path`; undefined for targets that discard or display (`/dev/null`, `/dev/stderr`). */
export function judgeWriteTarget(path: string, options: WriteOptions = {}): WriteJudgement | undefined {
  const target = tidy(path.trim());
  const verb = options.append === true ? "Appends to" : "Overwrites";
  if (target === "" || HARMLESS.test(target)) return undefined;
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
  if (isPersistencePath(target)) {
    const payload = options.content !== undefined && REMOTE_OR_REVERSE.test(options.content);
    return {
      rule: payload ? "persistence-payload" : "persistence",
      level: payload ? "critical" : "high",
      message: payload
        ? `Installs a remote script or a remote shell in ${target}, which runs it again and again.`
        : `${verb} ${target}, which runs code automatically later (at login, on a schedule or on each git action) or lets someone log in.`,
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

/**
 * Which files a coding agent's own write tools (Claude Code's Write/Edit/MultiEdit, Gemini CLI's
 * write_file/replace) must not change without asking: persistence (shell startup files, git hooks, scheduled
 * jobs, services, login items), credentials, and system files. A write there is judged as a `>` redirect to
 * the same path would be by the shell rules (`judgeRedirect` and the path classes), raised to at least high so
 * the guard asks; any other write is not judged (the agent's own rules decide).
 *
 * Everything the guard needs about a written path goes through {@link judgeWriteTarget}, so moving to the
 * safety engine's own classifier of written paths (planned as `src/safety/write-target.ts`) changes one line.
 */
import path from "node:path";
import { CREDENTIAL_FILE } from "../safety/path-classes.js";
import { judgeRedirect } from "../safety/rules/network-rules.js";
import { riskRank, type RiskLevel } from "../safety/types.js";

/** Why a written path matters. */
export type WriteTargetClass = "persistence" | "credential" | "system";

/** The verdict on writing one path. */
export interface WriteTargetVerdict {
  class: WriteTargetClass;
  level: RiskLevel;
  /** A stable id, as the shell rules' reasons carry. */
  rule: string;
  /** One sentence for the agent and its user. */
  message: string;
}

/** Files that run code the next time a shell, git, a scheduler, a service manager or a login starts. */
const PERSISTENCE: readonly { pattern: RegExp; what: string }[] = [
  {
    pattern:
      /(^|\/)\.(bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zshenv|zprofile|zlogin|zlogout|kshrc|mkshrc|cshrc|tcshrc|login|xprofile|xinitrc|xsessionrc|pam_environment)$/,
    what: "a shell startup file, which runs in every new shell",
  },
  {
    pattern: /(^|\/)\.config\/fish\/(config\.fish|conf\.d\/[^/]+|functions\/[^/]+)$/,
    what: "fish's startup configuration, which runs in every new shell",
  },
  {
    pattern: /(^|\/)(\.config\/powershell|Documents\/(Windows)?PowerShell)\/[^/]*profile\.ps1$/i,
    what: "a PowerShell profile, which runs in every new shell",
  },
  { pattern: /(^|\/)\.git\/hooks\/[^/]+$/, what: "a git hook, which runs on git commands" },
  {
    pattern: /(^|\/)(\.git\/config|\.gitconfig|\.config\/git\/config)$/,
    what: "a git configuration (aliases, hooks path)",
  },
  { pattern: /(^|\/)\.ssh\/(authorized_keys2?|config|rc|environment)$/, what: "an SSH login file" },
  { pattern: /^\/(var\/spool\/cron|etc\/cron[^/]*)(\/|$)|^\/var\/at\//, what: "a scheduled job (crontab)" },
  {
    pattern: /(^|\/)\.config\/systemd\/|^\/(etc|usr\/lib|lib|run)\/systemd\//,
    what: "a systemd unit, which the service manager runs",
  },
  {
    pattern: /(^|\/)Library\/(LaunchAgents|LaunchDaemons)\/[^/]+$/,
    what: "a launchd property list, which macOS runs at login or boot",
  },
  { pattern: /(^|\/)\.config\/autostart\/[^/]+$/, what: "a login item, which runs at every login" },
];

/** The path as the shell rules see it: absolute where it can be, `~` expanded, `/`-separated, normalised. */
export function normaliseWrittenPath(
  file: string,
  where: { cwd?: string | undefined; home: string },
): string {
  let written = file.replaceAll("\\", "/");
  if (written === "~" || written.startsWith("~/")) written = `${where.home}${written.slice(1)}`;
  if (!path.posix.isAbsolute(written) && where.cwd !== undefined) {
    written = path.posix.join(where.cwd.replaceAll("\\", "/"), written);
  }
  return path.posix.normalize(written);
}

const AT_LEAST: RiskLevel = "high";

function atLeastHigh(level: RiskLevel): RiskLevel {
  return riskRank(level) >= riskRank(AT_LEAST) ? level : AT_LEAST;
}

/** The verdict on an agent writing `file`, or undefined when the path is not one the guard judges. */
export function judgeWriteTarget(
  file: string,
  where: { cwd?: string | undefined; home: string },
): WriteTargetVerdict | undefined {
  const written = normaliseWrittenPath(file, where);
  const redirect = judgeRedirect(">", written);
  if (redirect !== undefined && redirect.rule !== "file-write") {
    return {
      class: redirect.rule === "ssh-key-implant" ? "credential" : "system",
      level: atLeastHigh(redirect.level),
      rule: redirect.rule,
      message: redirect.message,
    };
  }
  if (CREDENTIAL_FILE.test(written)) {
    return {
      class: "credential",
      level: AT_LEAST,
      rule: "credential-write",
      message: `Writes ${written}, which holds secrets or credentials.`,
    };
  }
  const persistence = PERSISTENCE.find((entry) => entry.pattern.test(written));
  if (persistence !== undefined) {
    return {
      class: "persistence",
      level: AT_LEAST,
      rule: "persistence-write",
      message: `Writes ${written}: ${persistence.what}.`,
    };
  }
  return undefined;
}

/**
 * Which files a coding agent's own write tools (Claude Code's Write/Edit/MultiEdit, Gemini CLI's
 * write_file/replace) must not change without asking: persistence (shell startup files, git hooks, scheduled
 * jobs, services, login items), credentials, and system files. A write there is judged as a `>` redirect to
 * the same path would be by the shell rules (`src/safety/write-target.ts`, one table for both); a write the shell
 * rules rate below high is not judged (the agent's own rules decide).
 */
import path from "node:path";
import { riskRank, type RiskLevel } from "../safety/types.js";
import { judgeWriteTarget as judgeWrittenPath } from "../safety/write-target.js";

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

/** The verdict on an agent writing `file`, or undefined when the path is not one the guard judges. */
export function judgeWriteTarget(
  file: string,
  where: { cwd?: string | undefined; home: string },
): WriteTargetVerdict | undefined {
  const written = normaliseWrittenPath(file, where);
  const verdict = judgeWrittenPath(
    written.startsWith(`${where.home}/`) ? `~${written.slice(where.home.length)}` : written,
  );
  if (verdict === undefined || riskRank(verdict.level) < riskRank("high")) return undefined;
  return {
    class: verdict.rule.startsWith("persistence")
      ? "persistence"
      : verdict.rule.startsWith("credential")
        ? "credential"
        : "system",
    level: verdict.level,
    rule: verdict.rule,
    message: verdict.message,
  };
}

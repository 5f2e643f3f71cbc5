/**
 * What the safety engine's rule ids mean for consent, as data in one place: which findings say the command
 * deletes, overwrites, moves or changes the permissions of files, and which say the engine could not fully check
 * the command (it fails closed on those). Keyed on the engine's stable rule ids (`RiskReason.rule`);
 * `rule-classes.test.ts` fails when an id here no longer exists in `src/safety/`.
 */
import type { RiskReason } from "../safety/types.js";

/** Rule ids whose finding changes files, with what it does to them, in words for a person. */
export const FILE_CHANGING_RULES: Readonly<Record<string, string>> = {
  // Deleting
  "rm-files": "deletes files",
  "rm-everything-here": "deletes files",
  "rm-no-preserve-root": "deletes files",
  "rm-recursive-broad": "deletes files",
  "rm-recursive-force-folder": "deletes files",
  "rm-recursive-root": "deletes files",
  "rm-system-file": "deletes files",
  "rm-system-path": "deletes files",
  "find-delete": "deletes files",
  "shred-files": "deletes files",
  "git-clean-force": "deletes files",
  "rsync-delete": "deletes files",
  "rsync-delete-root": "deletes files",
  "history-wipe": "deletes files",
  "mv-to-null": "deletes files",
  // Overwriting (or discarding changes, which overwrites the working tree)
  "file-write": "overwrites files",
  "system-file-write": "overwrites files",
  persistence: "overwrites files",
  "persistence-payload": "overwrites files",
  "credential-overwrite": "overwrites files",
  "sudoers-grant": "overwrites files",
  "truncate-system": "overwrites files",
  "write-system-config": "overwrites files",
  "credential-exposed": "overwrites files",
  "dd-write": "overwrites files",
  "disk-raw-write": "overwrites files",
  "device-write": "overwrites files",
  "disk-format": "overwrites files",
  "disk-image-mkfs": "overwrites files",
  "partition-table": "overwrites files",
  "partition-table-write": "overwrites files",
  "download-to-file": "overwrites files",
  "git-reset-hard": "overwrites files",
  "git-discard-changes": "overwrites files",
  // Moving, copying, creating, editing in place
  "file-change": "moves or changes files",
  "mv-root": "moves files",
  // Permissions and owners
  "permission-change": "changes permissions",
  "chmod-critical-file": "changes permissions",
  "chmod-recursive-root": "changes permissions",
  "chmod-recursive-weak": "changes permissions",
  "chmod-setuid": "changes permissions",
  "chmod-system-path": "changes permissions",
  "install-setuid-shell": "changes permissions",
};

/**
 * Rule ids the engine reports when it could not fully check a command, with what went wrong, in words. The
 * engine then decides at least "confirm", and "block" when no person can be asked.
 */
export const UNCHECKED_RULES: Readonly<Record<string, string>> = {
  unparseable: "the command could not be parsed",
  "binary-input": "the command contains control or binary characters",
  "too-long": "the command is too long to check in full",
  "invalid-utf8": "the command is not valid UTF-8 text",
  "unicode-lookalike": "the command contains look-alike Unicode characters",
  "nesting-too-deep": "the command is nested too deeply to check",
  "dynamic-command": "the command's name is computed at run time",
  "unreadable-code": "the command runs code that cannot be read",
};

/** What the first file-changing reason says the command does ("deletes files"), if any says so. */
export function fileChangeOf(reasons: readonly RiskReason[]): string | undefined {
  for (const reason of reasons) {
    const effect = FILE_CHANGING_RULES[reason.rule];
    if (effect !== undefined) return effect;
  }
  return undefined;
}

/** Why the engine could not fully check the command ("the command could not be parsed"), if it could not. */
export function uncheckedProblemOf(reasons: readonly RiskReason[]): string | undefined {
  for (const reason of reasons) {
    const problem = UNCHECKED_RULES[reason.rule];
    if (problem !== undefined) return problem;
  }
  return undefined;
}

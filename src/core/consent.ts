/**
 * Consent as one pure function: from the verdict, the effect preview and how cmdai was called to what may
 * happen next — run, ask for a key, ask for a typed `yes`, refuse (with the exit code and why, in words), or
 * only show the command. The menu, the plain path, `-x`, the shell hotkey and JSON output all call
 * {@link decideConsent}; `consent.test.ts` covers every combination. Nothing else decides consent.
 *
 * The policy, in one place:
 * - What a command needs ({@link consentRequirement}): nothing when it is rated safe and changes no files; an
 *   explicit key (`r` in the menu, `y` at a prompt) when it is rated above safe, or when its rules or the
 *   effect preview say it deletes, overwrites, moves or changes permissions; a typed `yes` when the engine
 *   decides "confirm" (high risk in the default mode, or a command it could not fully check); and it never
 *   runs when the engine blocks it or it is rated critical, in every mode.
 * - How that is asked: the menu runs on Enter only what needs nothing, on `r` what needs a key, and after a
 *   typed `yes` what needs one (`-y` turns the typed `yes` into `r`). `-x` runs at once only what needs
 *   nothing; anything else is asked at a terminal, or refused with exit 4 without one; `-x -y` runs whatever
 *   does not need to be refused. Without `-x` (or with `--dry-run`) nothing runs and the exit code says what
 *   running it would need.
 */
import type { EffectPreview } from "../preview/types.js";
import { decide } from "../safety/decide.js";
import type { Assessment, SafetyMode } from "../safety/types.js";
import { ExitCode } from "../errors.js";
import { fileChangeOf, uncheckedProblemOf } from "./rule-classes.js";

/** What a command needs before it runs, strictest last. */
export const CONSENT_REQUIREMENTS = ["none", "key", "typed-yes", "never"] as const;
export type ConsentRequirement = (typeof CONSENT_REQUIREMENTS)[number];

/** How cmdai was called. */
export interface ConsentContext {
  /** The safety mode the verdict was made under (it words why a command is blocked). */
  mode: SafetyMode;
  /** A person can answer a prompt: stdin and stderr are terminals and the output is for a person. */
  interactive: boolean;
  /** The consent menu is on screen (it runs on Enter or `r`). */
  menu: boolean;
  /** `-x`: run without the menu. */
  execute: boolean;
  /** `-y`: answer yes to confirmations; never overrides a refusal. */
  yes: boolean;
  /** `--dry-run`: never run. */
  dryRun: boolean;
}

/** What may happen next, and why (`reason` is a clause for a person, e.g. "it deletes 30 files in ./build"). */
export type ConsentDecision =
  /** Runs without a further question (Enter in the menu, `-x` at once). */
  | { action: "run"; requirement: ConsentRequirement; reason: string }
  /** Runs after an explicit key: `r` in the menu, `y` at a prompt. */
  | { action: "askKey"; requirement: ConsentRequirement; reason: string }
  /** Runs after a typed `yes`. */
  | { action: "askTypedYes"; requirement: ConsentRequirement; reason: string }
  /** Does not run; `reason` is the whole sentence, e.g. "blocked: critical-risk commands never run". */
  | { action: "refuse"; requirement: ConsentRequirement; exitCode: number; reason: string }
  /** Only shown (no `-x`, or `--dry-run`): the exit code says what running it would need. */
  | { action: "show"; requirement: ConsentRequirement; exitCode: number; reason: string };

/**
 * The exit code of a command that did not run, by what it needed: 0 nothing, 4 a confirmation that was not
 * given, 3 it never runs. The only place this mapping exists.
 */
export function exitCodeForRequirement(requirement: ConsentRequirement): number {
  switch (requirement) {
    case "none":
      return ExitCode.ok;
    case "key":
    case "typed-yes":
      return ExitCode.confirmationNeeded;
    case "never":
      return ExitCode.blocked;
  }
}

/** The exit code when the user cancels (or declines) instead of running: 3 for a refused command, else 4. */
export function declinedExitCode(decision: ConsentDecision): number {
  return decision.requirement === "never" ? ExitCode.blocked : ExitCode.confirmationNeeded;
}

/**
 * Whether the effect preview counted anything the command would change — or could not count: words it cannot
 * know without running the command, folders it could not read, or a count cut short. A preview of nothing
 * (`rm notes.txt` where there is no notes.txt) counts nothing.
 */
export function previewCountedAnything(preview: EffectPreview | undefined): boolean {
  if (preview === undefined) return false;
  return (
    preview.totals.files + preview.totals.directories > 0 ||
    preview.unresolved.length > 0 ||
    preview.unreadable.length > 0 ||
    preview.truncated
  );
}

/** What running the command needs, and why. */
export function consentRequirement(
  assessment: Pick<Assessment, "level" | "decision" | "reasons">,
  preview: EffectPreview | undefined,
  mode: SafetyMode,
): { requirement: ConsentRequirement; reason: string } {
  const { level, decision, reasons } = assessment;
  const unchecked = uncheckedProblemOf(reasons);
  if (level === "critical") return { requirement: "never", reason: "critical-risk commands never run" };
  if (decision === "block") {
    if (unchecked !== undefined && decide(level, mode) !== "block") {
      return { requirement: "never", reason: `${unchecked} and there is no terminal to confirm it` };
    }
    return { requirement: "never", reason: `the ${mode} safety mode never runs ${level}-risk commands` };
  }
  // What it does to files, when its rules or the preview say so: "deletes 30 files (1.2 MiB) in ./build".
  const effect = previewCountedAnything(preview) ? preview?.summary : fileChangeOf(reasons);
  if (decision === "confirm") {
    return {
      requirement: "typed-yes",
      reason: unchecked ?? `it is rated ${level} risk${effect === undefined ? "" : ` and ${effect}`}`,
    };
  }
  if (effect !== undefined) return { requirement: "key", reason: `it ${effect}` };
  if (level !== "safe") return { requirement: "key", reason: `it is rated ${level} risk` };
  return { requirement: "none", reason: "it is rated safe and changes no files" };
}

const NEEDS: Record<ConsentRequirement, string> = {
  none: "nothing",
  key: "your confirmation",
  "typed-yes": "a typed yes",
  never: "nothing",
};

/** The one consent decision. Pure; see the module comment for the policy. */
export function decideConsent(
  assessment: Pick<Assessment, "level" | "decision" | "reasons">,
  preview: EffectPreview | undefined,
  context: ConsentContext,
): ConsentDecision {
  const { requirement, reason } = consentRequirement(assessment, preview, context.mode);
  if (context.dryRun || (!context.menu && !context.execute)) {
    const sentence =
      requirement === "never"
        ? `blocked: ${reason}`
        : requirement === "none"
          ? reason
          : `needs ${NEEDS[requirement]}: ${reason}`;
    return context.dryRun
      ? { action: "show", requirement, exitCode: ExitCode.ok, reason: `dry run; ${sentence}` }
      : { action: "show", requirement, exitCode: exitCodeForRequirement(requirement), reason: sentence };
  }
  if (requirement === "never") {
    return { action: "refuse", requirement, exitCode: ExitCode.blocked, reason: `blocked: ${reason}` };
  }
  if (requirement === "none") return { action: "run", requirement, reason };
  if (context.menu) {
    // -y stands in for the typed yes, never for the key: Enter runs only what needs nothing.
    return requirement === "typed-yes" && !context.yes
      ? { action: "askTypedYes", requirement, reason }
      : { action: "askKey", requirement, reason };
  }
  if (context.yes) return { action: "run", requirement, reason: `${reason}; -y answered yes` };
  if (!context.interactive) {
    return {
      action: "refuse",
      requirement,
      exitCode: exitCodeForRequirement(requirement),
      reason: `not run: ${reason}, it needs ${NEEDS[requirement]} and there is no terminal to ask (-y answers yes)`,
    };
  }
  return requirement === "typed-yes"
    ? { action: "askTypedYes", requirement, reason }
    : { action: "askKey", requirement, reason };
}

/**
 * Rules are data: each names the commands it applies to, a predicate over the normalised arguments, the level it
 * assigns, a sentence for a person, a safer alternative where one exists, and an example attack that its test
 * asserts it catches. Levels follow the rubric in `src/safety/README.md`:
 *
 * - critical: irreversible loss or compromise of the whole system;
 * - high: destructive but bounded, runs code it cannot see, or weakens security;
 * - moderate: ordinary state changes;
 * - safe: read-only, or merely mentions danger.
 */
import type { Redirect } from "../command-extractor.js";
import type { PathClass } from "../path-classes.js";
import type { RiskLevel } from "../types.js";

/** One command after unwrapping, as the rules see it. */
export interface CommandContext {
  /** Command name (basename, no quoting). */
  name: string;
  /** Normalised arguments after the name. */
  args: readonly string[];
  redirects: readonly Redirect[];
  /** argv of the pipeline stages that feed this command's stdin. */
  stdinFrom: readonly (readonly string[])[];
  /** Text known to arrive on stdin (here-doc, here-string, `echo … |`). */
  stdinText: string | undefined;
  /** Runs as root (sudo, doas, su). */
  elevated: boolean;
  /** Runs on another machine (ssh). */
  remote: boolean;
  /** Parallel to `args`: the word could not be resolved. Absent when every word is fixed. */
  dynamicArgs?: readonly boolean[] | undefined;
  /** The class of a path argument; an unresolved one is classed by the worst it could be. */
  classify: (word: string) => PathClass;
}

/** A rule: when it matches, the command is at least `level`. */
export interface SafetyRule {
  /** Stable id shown in reasons, e.g. `rm-recursive-root`. */
  id: string;
  /** Command names the rule applies to; `"*"` applies to every command. */
  commands: readonly string[] | "*";
  level: RiskLevel;
  /** One sentence naming what the command would do to what. */
  message: string | ((context: CommandContext) => string);
  saferAlternative?: string;
  /** Absent: every use of the command matches. */
  matches?: (context: CommandContext) => boolean;
  /** An attack (or mistake) this rule must catch; asserted by the rule's test. */
  example: string;
}

/**
 * How the user started cmdai, so hints name a command they can run: under `npx cmdai …` (or `npm exec`) there
 * is usually no `cmdai` on PATH, and a hint saying `cmdai models pull …` would fail with "command not found".
 * npm marks the programs it runs for `npx`/`npm exec` with `npm_command=exec`.
 */

/** `npx cmdai` when run through npx / npm exec, else `cmdai`. */
export function invocationName(env: NodeJS.ProcessEnv): string {
  return env.npm_command === "exec" ? "npx cmdai" : "cmdai";
}

/**
 * Rewrites the `cmdai …` commands quoted in a hint (in backticks, the form every hint uses) into the
 * invocation the user has; other text is left alone.
 */
export function hintForInvocation(hint: string, env: NodeJS.ProcessEnv): string {
  const name = invocationName(env);
  if (name === "cmdai") return hint;
  // Also the second command of a quoted `cmdai … && cmdai …`.
  return hint.replace(/`[^`]*`/g, (quoted) => quoted.replace(/(^`|&& )cmdai(?=[ `])/g, `$1${name}`));
}

/**
 * The last line of defence of `cmdai check --hook`: whatever escapes the hook's own fail-closed handling (an
 * uncaught exception, an unhandled rejection, a chunk that does not load, an exit code outside the protocol)
 * ends in exit 2 with a line on stderr. Both agents block the tool on exit 2, while Claude Code runs it on any
 * other failure code (1, 127), so no failure path may end in one. Kept free of imports: `main.ts` loads it
 * before anything else on the hook path.
 */

/** The exit code both agents read as "blocked". */
export const HOOK_BLOCK_EXIT_CODE = 2;

/**
 * The `--hook` format of a `cmdai [root options] check … --hook <format>` argv, or undefined for any other call.
 * Generous on purpose: treating a call as a hook only narrows its exit codes.
 */
export function hookFormatOf(argv: readonly string[]): string | undefined {
  const check = argv.indexOf("check");
  if (check < 0) return undefined;
  for (const [index, argument] of argv.entries()) {
    if (index <= check) continue;
    if (argument === "--") return undefined;
    if (argument === "--hook") return argv[index + 1] ?? "";
    if (argument.startsWith("--hook=")) return argument.slice("--hook=".length);
  }
  return undefined;
}

/**
 * The exit code a hook call may end with: the agents' protocols know 0 (read the JSON answer) and 2 (block);
 * the generic `json` format also 3 (deny) and 4 (ask). Anything else — 1 for an internal error above all —
 * becomes 2.
 */
export function protocolExitCode(format: string, code: number): number {
  const allowed = format === "json" ? [0, 2, 3, 4] : [0, 2];
  return allowed.includes(code) ? code : HOOK_BLOCK_EXIT_CODE;
}

/** Turn an uncaught exception or unhandled rejection into "blocked" (exit 2) with the reason on stderr. */
export function installHookSafetyNet(process: NodeJS.Process): void {
  const block = (error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`cmdai: guard: internal error (${message}); blocking the tool call (exit 2).\n`);
    process.exit(HOOK_BLOCK_EXIT_CODE);
  };
  process.on("uncaughtException", block);
  process.on("unhandledRejection", block);
}

#!/usr/bin/env node
/**
 * Entry point. `cmdai --version` is answered before anything else is imported, so it costs little more than
 * starting Node; every other path loads the command-line program (and only the modules its command needs).
 */
import { packageVersion } from "./version.js";

/** Exit once stdout and stderr have flushed (process.exit can truncate piped output otherwise). */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = (): void => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}

/** Flags the agent-hook fast path understands, and the option each sets. */
const HOOK_FLAGS = new Map<string, "format" | "safety" | "config">([
  ["--hook", "format"],
  ["--safety", "safety"],
  ["-c", "config"],
  ["--config", "config"],
]);

/**
 * `check --hook <format>` with nothing but `--safety`/`-c`: the agent-hook fast path, which skips commander
 * (every command an agent runs waits on it). Anything else returns undefined and goes through run-cli.ts,
 * which wires the same function.
 */
function hookArguments(
  argv: readonly string[],
): { format: string; safety?: string; config?: string } | undefined {
  if (argv[0] !== "check") return undefined;
  const found: { format?: string; safety?: string; config?: string } = {};
  for (let index = 1; index < argv.length; index++) {
    const argument = argv[index] ?? "";
    const [name = "", inline] = argument.startsWith("--") ? argument.split(/=(.*)/s, 2) : [argument];
    const key = HOOK_FLAGS.get(name);
    const value = inline ?? argv[index + 1];
    if (key === undefined || value === undefined) return undefined;
    found[key] = value;
    if (inline === undefined) index += 1;
  }
  return found.format === undefined ? undefined : { ...found, format: found.format };
}

const argv = process.argv.slice(2);
const hook = hookArguments(argv);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${packageVersion()}\n`);
} else if (hook !== undefined) {
  const [{ runHookFromArguments }, { processIo }] = await Promise.all([
    import("./check-hook-entry.js"),
    import("./io.js"),
  ]);
  const io = processIo();
  let code: number;
  try {
    code = await runHookFromArguments(hook.format, hook, io);
  } catch (error) {
    // Only a usage error gets here (an unknown format); render it the usual way.
    const { reportError } = await import("./run-cli.js");
    code = await reportError(io, error, { format: "plain", verbose: false, startedAt: 0 });
  }
  exitAfterFlush(code);
} else {
  const [{ runCli }, { processIo }] = await Promise.all([import("./run-cli.js"), import("./io.js")]);
  exitAfterFlush(await runCli(argv, processIo()));
}

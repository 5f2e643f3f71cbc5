#!/usr/bin/env node
/**
 * Entry point. `cmdai --version` is answered before anything else is imported, so it costs little more than
 * starting Node; every other path loads the command-line program (and only the modules its command needs).
 */
import { hookFormatOf, installHookSafetyNet, protocolExitCode } from "./hook-safety-net.js";
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

// A reader that stops early (`cmdai check --json - | head -1`) closes the pipe: stop quietly, as `cat` does,
// instead of dying on an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

const argv = process.argv.slice(2);
// An agent's hook: no failure may end in an exit code the agent reads as "go ahead".
const hook = hookFormatOf(argv);
if (hook !== undefined) installHookSafetyNet(process);
const finish = (code: number): void => {
  exitAfterFlush(hook === undefined ? code : protocolExitCode(hook, code));
};
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${packageVersion()}\n`);
} else if (argv[0] === "check") {
  // Pre-exec hooks run `check` before every command: it skips commander when its argv is plain.
  const [{ runCheckFast }, { processIo }] = await Promise.all([
    import("./check-fast-path.js"),
    import("./io.js"),
  ]);
  const io = processIo();
  const code = (await runCheckFast(argv, io)) ?? (await (await import("./run-cli.js")).runCli(argv, io));
  finish(code);
} else {
  const [{ runCli }, { processIo }] = await Promise.all([import("./run-cli.js"), import("./io.js")]);
  finish(await runCli(argv, processIo()));
}

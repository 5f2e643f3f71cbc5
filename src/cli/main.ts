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

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${packageVersion()}\n`);
} else if (argv[0] === "check") {
  // Pre-exec hooks run `check` before every command: it skips commander when its argv is plain.
  const [{ runCheckFast }, { processIo }] = await Promise.all([
    import("./check-fast-path.js"),
    import("./io.js"),
  ]);
  const io = processIo();
  const code = await runCheckFast(argv, io);
  exitAfterFlush(code ?? (await (await import("./run-cli.js")).runCli(argv, io)));
} else {
  const [{ runCli }, { processIo }] = await Promise.all([import("./run-cli.js"), import("./io.js")]);
  exitAfterFlush(await runCli(argv, processIo()));
}

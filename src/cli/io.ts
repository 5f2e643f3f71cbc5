/**
 * The terminal as the CLI layer sees it. Commands take a `CliIo` instead of touching `process` directly, so
 * end-to-end behaviour can be tested in-process with captured streams.
 */
import type { Readable, Writable } from "node:stream";

export type CliWritable = Writable & { isTTY?: boolean | undefined; columns?: number | undefined };
export type CliReadable = Readable & { isTTY?: boolean | undefined; setRawMode?: (mode: boolean) => unknown };

export interface CliIo {
  stdout: CliWritable;
  stderr: CliWritable;
  stdin: CliReadable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The real process's terminal. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

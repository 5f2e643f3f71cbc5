/**
 * How a failed command reaches the user: the output format is read from argv early (so even an argv error
 * honours `--output json`), and a typed error becomes text on stderr or the JSON/YAML error document on stdout.
 * Kept apart from `run-cli.ts` so the `check` fast path can report errors without loading commander.
 */
import { OUTPUT_FORMATS, type OutputFormat } from "../config/choices.js";
import type { CmdaiError } from "../errors.js";
import { hintForInvocation } from "./invocation-name.js";
import type { CliIo } from "./io.js";
import { asCmdaiError, errorDocument, writeDocument, writeErrorText } from "./output.js";

/** The output format requested on the command line, read early so even argv errors honour it. */
export function requestedOutputFormat(argv: readonly string[], env: NodeJS.ProcessEnv): OutputFormat {
  let format: string | undefined = env.CMDAI_OUTPUT;
  argv.forEach((argument, index) => {
    if (argument === "--output" || argument === "-o") format = argv[index + 1];
    else if (argument.startsWith("--output=")) format = argument.slice("--output=".length);
    else if (/^-o(json|yaml|plain)$/.test(argument)) format = argument.slice(2);
  });
  if (argv.includes("--json")) format = "json";
  return (OUTPUT_FORMATS as readonly string[]).includes(format ?? "") ? (format as OutputFormat) : "plain";
}

/** Render an error in the requested format and return its exit code. */
export async function reportError(
  io: CliIo,
  error: unknown,
  options: { format: OutputFormat; verbose: boolean; startedAt: number },
): Promise<number> {
  const typed = withInvocationHint(asCmdaiError(error), io.env);
  if (options.format === "plain") {
    writeErrorText(io, typed, { verbose: options.verbose });
  } else {
    if (options.verbose) writeErrorText(io, typed, { verbose: true });
    await writeDocument(
      io.stdout,
      options.format,
      errorDocument(typed, { totalMs: Date.now() - options.startedAt }),
    );
  }
  return typed.exitCode;
}

/** The error with its hint naming the command the user can run (`npx cmdai …` under npx). */
export function withInvocationHint(error: CmdaiError, env: NodeJS.ProcessEnv): CmdaiError {
  if (error.hint === undefined) return error;
  const hint = hintForInvocation(error.hint, env);
  if (hint === error.hint) return error;
  // A copy, so the thrown error itself stays as its layer made it.
  return Object.assign(Object.create(Object.getPrototypeOf(error) as object) as CmdaiError, error, {
    hint,
    message: error.message,
    cause: error.cause,
    stack: error.stack,
  });
}

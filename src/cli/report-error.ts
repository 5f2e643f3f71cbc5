/**
 * How a failed command reaches the user: the output format is read from argv early (so even an argv error
 * honours `--output json`), and a typed error becomes text on stderr or the JSON/YAML error document on stdout.
 * Kept apart from `run-cli.ts` so the `check` fast path can report errors without loading commander.
 */
import { OUTPUT_FORMATS, type OutputFormat } from "../config/choices.js";
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
  const typed = asCmdaiError(error);
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

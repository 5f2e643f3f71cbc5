/**
 * The output format of a subcommand that prints data: `-o/--output json|yaml|plain` on the subcommand, else
 * `--json` (kept as an alias of `-o json`), else the root's `-o` (`cmdai -o json doctor`), else CMDAI_OUTPUT.
 */
import { OUTPUT_FORMATS, type OutputFormat } from "../config/choices.js";
import { UsageError } from "../errors.js";

export interface OutputFormatOptions {
  output?: string | undefined;
  json?: boolean | undefined;
}

/** Resolve and validate the format; an unknown name is a usage error naming the choices. */
export function outputFormatOf(
  options: OutputFormatOptions,
  fallback: { rootOutput?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): OutputFormat {
  const text =
    options.output ??
    (options.json === true ? "json" : undefined) ??
    fallback.rootOutput ??
    (fallback.env?.CMDAI_OUTPUT === "" ? undefined : fallback.env?.CMDAI_OUTPUT) ??
    "plain";
  if (!(OUTPUT_FORMATS as readonly string[]).includes(text)) {
    throw new UsageError(`Unknown output format "${text}".`, {
      hint: `Use -o ${OUTPUT_FORMATS.join("|")} (or --json).`,
    });
  }
  return text as OutputFormat;
}

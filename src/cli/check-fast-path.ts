/**
 * `cmdai check …` without commander. Pre-exec hooks and coding agents run `check` before every command, so
 * its start-up is the product's hot path; commander and the full program definition cost ~15 ms of it on the
 * 2-core dev machine. This parser reads only the plain forms of `check`'s own options, from the table commander's
 * definition is built from (`check-options.ts`), so an option is declared once. Anything else (help,
 * unknown or unusual options, a second positional argument, root options before `check`) returns undefined,
 * and the caller hands the whole argv to commander, which then owns the usage errors and help text.
 */
import type { CheckArguments } from "./check-entry.js";
import { CHECK_OPTIONS, type CheckOption } from "./check-options.js";
import { joinCommandWords } from "./command-words.js";
import type { CliIo } from "./io.js";
import { reportError, requestedOutputFormat } from "./report-error.js";

/** `check`'s argv, parsed. */
export interface FastCheckArguments {
  command: string | undefined;
  options: CheckArguments & { hook?: string };
}

/** `check`'s options by every name they go by (`-s`, `--shell`). */
const OPTIONS_BY_NAME = new Map<string, CheckOption>(
  CHECK_OPTIONS.flatMap((option) =>
    option.short === undefined
      ? [[option.long, option]]
      : [
          [option.long, option],
          [option.short, option],
        ],
  ),
);

/**
 * Parse `argv` (after `cmdai`) when it is a `check` invocation in plain form; undefined means "let commander
 * do it". Options may come before or after the command, as commander allows; `--` ends the options, and the
 * words after it are joined into one command.
 */
export function parseCheckArgumentsFast(argv: readonly string[]): FastCheckArguments | undefined {
  if (argv[0] !== "check") return undefined;
  const options: FastCheckArguments["options"] = {};
  const positionals: string[] = [];
  let optionsEnded = false;
  for (let index = 1; index < argv.length; index++) {
    const argument = argv[index] ?? "";
    if (optionsEnded || argument === "-" || !argument.startsWith("-")) {
      positionals.push(argument);
      continue;
    }
    if (argument === "--") {
      optionsEnded = true;
      continue;
    }
    const equals = argument.indexOf("=");
    const name = argument.startsWith("--") && equals > 0 ? argument.slice(0, equals) : argument;
    const option = OPTIONS_BY_NAME.get(name);
    if (option === undefined) return undefined;
    if (option.value === undefined) {
      // A switch takes no `=value`: commander's message is the right one.
      if (name !== argument) return undefined;
      options[option.key] = true;
      continue;
    }
    let value: string | undefined;
    if (name !== argument) {
      value = argument.slice(equals + 1);
    } else {
      value = argv[index + 1];
      index++;
    }
    // A missing value, or one that looks like an option: commander's message is the right one.
    if (value === undefined || value.startsWith("-")) return undefined;
    options[option.key] = value;
  }
  // Several words: after `--` they are one command (`cmdai check -- rm -rf x`); without it, commander's usage
  // error (with the hint to quote or use `--`) is the answer.
  if (positionals.length > 1 && !optionsEnded) return undefined;
  // `--hook` with a command is a usage error: commander words it.
  if (options.hook !== undefined && positionals.length > 0) return undefined;
  return { command: positionals.length > 1 ? joinCommandWords(positionals) : positionals[0], options };
}

/**
 * Run `check` when {@link parseCheckArgumentsFast} can read argv; errors are reported exactly as the full
 * program reports them. Resolves with the exit code, or undefined when commander must take over.
 */
export async function runCheckFast(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  const parsed = parseCheckArgumentsFast(argv);
  if (parsed === undefined) return undefined;
  const startedAt = Date.now();
  try {
    const { options } = parsed;
    if (options.hook !== undefined) {
      // An agent's pre-tool hook: the command comes from the JSON on stdin.
      const { runHookFromArguments } = await import("./check-hook-entry.js");
      return await runHookFromArguments(options.hook, options, io);
    }
    const { runCheckFromArguments } = await import("./check-entry.js");
    return await runCheckFromArguments(parsed.command, options, io);
  } catch (error) {
    return reportError(io, error, { format: requestedOutputFormat(argv, io.env), verbose: false, startedAt });
  }
}

/** Small helpers for reading normalised argument lists (flags, operands, command names). */

/** The command name as the shell resolves it: `/bin/rm` → `rm`, `\rm` → `rm`, `RM.EXE` stays as written. */
export function commandName(word: string): string {
  // zsh's `=rm` expands to the path of rm.
  const withoutEscape = word.startsWith("\\")
    ? word.replace(/^\\+/, "")
    : word.startsWith("=") && /^=[A-Za-z]/.test(word)
      ? word.slice(1)
      : word;
  const slash = withoutEscape.lastIndexOf("/");
  return slash >= 0 && slash < withoutEscape.length - 1 ? withoutEscape.slice(slash + 1) : withoutEscape;
}

/** Arguments before `--`, for option scanning. */
export function optionArguments(args: readonly string[]): readonly string[] {
  const end = args.indexOf("--");
  return end === -1 ? args : args.slice(0, end);
}

/** Whether a short flag letter appears in any clustered short option (`-rf`, `-fR`, `-r -f`). */
export function hasShortFlag(args: readonly string[], letters: string): boolean {
  for (const argument of optionArguments(args)) {
    if (!/^-[A-Za-z0-9]+$/.test(argument)) continue;
    for (const letter of letters) if (argument.includes(letter)) return true;
  }
  return false;
}

/** Whether a long option appears (`--force`, `--force=true`). */
export function hasLongOption(args: readonly string[], ...names: string[]): boolean {
  return optionArguments(args).some((argument) =>
    names.some((name) => argument === name || argument.startsWith(`${name}=`)),
  );
}

/** Whether any argument equals one of the words. */
export function hasWord(args: readonly string[], ...words: string[]): boolean {
  return args.some((argument) => words.includes(argument));
}

/** Arguments that are not options (everything after `--` counts as an operand). */
export function operands(args: readonly string[], optionsWithValue: readonly string[] = []): string[] {
  const result: string[] = [];
  let afterDoubleDash = false;
  for (let index = 0; index < args.length; index++) {
    const argument = args[index] ?? "";
    if (afterDoubleDash) result.push(argument);
    else if (argument === "--") afterDoubleDash = true;
    else if (optionsWithValue.includes(argument)) index++;
    else if (!argument.startsWith("-") || argument === "-") result.push(argument);
  }
  return result;
}

/** The first argument that is not an option: a subcommand such as `git reset` → `reset`. */
export function subcommand(
  args: readonly string[],
  optionsWithValue: readonly string[] = [],
): string | undefined {
  return operands(args, optionsWithValue)[0];
}

/** Words joined into one shell command line, quoted where the shell would otherwise split or expand them. */
export function quoteWords(words: readonly string[]): string {
  return words
    .map((word) => (/^[\w./~@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`))
    .join(" ");
}

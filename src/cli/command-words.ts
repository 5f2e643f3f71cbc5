/**
 * `cmdai check -- rm -rf x`: the words after `--` are one command, as `sudo` or `time` take theirs. A word that
 * the shell would split or expand is single-quoted, so the command judged is the one those words spell (argv
 * has already lost the user's quoting). Kept tiny: the `check` fast path imports it.
 */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Join argv words into one command line; a single word is already a command line and is kept as is. */
export function joinCommandWords(words: readonly string[]): string {
  if (words.length === 1) return words[0] ?? "";
  return words.map((word) => (PLAIN_WORD.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(" ");
}

/** The hint for words that look like a command given without quotes or `--`. */
export function quoteOrDashDashHint(program: "cmdai check" | "cmdai", words: readonly string[]): string {
  const text = words.join(" ");
  return `Quote it, e.g. ${program} '${text.replaceAll("'", `'\\''`)}', or put it after --, e.g. ${program} -- ${text}`;
}

/**
 * `cmdai check`'s options, declared once. Commander's definition of `check` (`run-cli.ts`) is built from this
 * table, and so is the commander-free fast path (`check-fast-path.ts`) that pre-exec hooks and agents hit on
 * every command; kept free of commander so the fast path can read it without loading commander.
 */
import { SAFETY_MODES } from "../safety/types.js";
import { SHELL_NAMES } from "../shells.js";

interface OptionNames {
  long: `--${string}`;
  short?: `-${string}`;
  description: string;
}

/** One option of `check`: a switch (`--json`: true when given) or one that takes a value (`--shell <shell>`). */
export type CheckOption =
  | (OptionNames & { key: "json" | "preview"; value?: undefined })
  | (OptionNames & {
      key: "shell" | "safety" | "hook" | "config" | "output";
      /** The value's name in help. */
      value: `<${string}>`;
    });

/** In the order `cmdai check --help` lists them. */
export const CHECK_OPTIONS: readonly CheckOption[] = [
  {
    key: "shell",
    short: "-s",
    long: "--shell",
    value: "<shell>",
    description: `shell the command is for: ${SHELL_NAMES.join("|")} (default: detected)`,
  },
  {
    key: "safety",
    long: "--safety",
    value: "<mode>",
    description: `${SAFETY_MODES.join("|")} (default: moderate)`,
  },
  {
    key: "output",
    short: "-o",
    long: "--output",
    value: "<format>",
    description: "print { command, shell, level, decision, reasons } as json or yaml",
  },
  { key: "json", long: "--json", description: "the same as --output json" },
  {
    key: "hook",
    long: "--hook",
    value: "<agent>",
    description: "answer an AI coding agent's pre-tool hook (JSON on stdin): claude-code|gemini-cli|json",
  },
  {
    key: "preview",
    long: "--preview",
    description: "also count what the command would delete, move or overwrite here (read-only)",
  },
  { key: "config", short: "-c", long: "--config", value: "<file>", description: "config file" },
];

/** Commander's flags string for an option: `-s, --shell <shell>`. */
export function commanderFlags(option: CheckOption): string {
  const names = option.short === undefined ? option.long : `${option.short}, ${option.long}`;
  return option.value === undefined ? names : `${names} ${option.value}`;
}

/**
 * The hotkey the `cmdai init` snippets bind, from `ui.hotkey` (readline notation, default `\C-g` = Ctrl-G)
 * to each shell's own notation. Accepted: `\C-x` (Ctrl), `\M-x` or `\ex` (Alt), `\e\C-x` / `\M-\C-x` (both),
 * and the friendlier `ctrl-x`, `alt-x`, `ctrl+alt+x`, `^X`. The key is one letter or digit.
 */
import { ConfigError } from "../../errors.js";

export interface Hotkey {
  control: boolean;
  alt: boolean;
  /** Lower-case letter or digit. */
  key: string;
}

/** Parse `ui.hotkey`; throws a ConfigError naming the key and the accepted forms. */
export function parseHotkey(notation: string): Hotkey {
  let rest = notation.trim();
  let control = false;
  let alt = false;
  for (;;) {
    const lower = rest.toLowerCase();
    if (lower.startsWith("\\c-")) {
      control = true;
      rest = rest.slice(3);
    } else if (lower.startsWith("\\m-")) {
      alt = true;
      rest = rest.slice(3);
    } else if (lower.startsWith("\\e")) {
      alt = true;
      rest = rest.slice(2);
    } else if (/^(ctrl|control)[-+]/i.test(rest)) {
      control = true;
      rest = rest.replace(/^(ctrl|control)[-+]/i, "");
    } else if (/^(alt|meta)[-+]/i.test(rest)) {
      alt = true;
      rest = rest.replace(/^(alt|meta)[-+]/i, "");
    } else if (/^\^[A-Za-z]$/.test(rest)) {
      control = true;
      rest = rest.slice(1);
    } else {
      break;
    }
  }
  if (!/^[A-Za-z0-9]$/.test(rest) || (!control && !alt)) {
    throw new ConfigError("config_invalid", `ui.hotkey "${notation}" is not a key cmdai can bind.`, {
      key: "ui.hotkey",
      hint: 'Use Ctrl or Alt with one letter or digit, e.g. cmdai config set ui.hotkey "\\C-g" (Ctrl-G) or "\\M-g" (Alt-G).',
    });
  }
  if (control && /^[0-9]$/.test(rest)) {
    throw new ConfigError(
      "config_invalid",
      `ui.hotkey "${notation}": terminals cannot send Ctrl with a digit.`,
      {
        key: "ui.hotkey",
        hint: 'Use Ctrl with a letter, e.g. "\\C-g".',
      },
    );
  }
  return { control, alt, key: rest.toLowerCase() };
}

/** Bash readline key sequence, e.g. `\C-g`, `\eg`, `\e\C-g`. */
export function bashKeySequence(hotkey: Hotkey): string {
  return `${hotkey.alt ? "\\e" : ""}${hotkey.control ? `\\C-${hotkey.key}` : hotkey.key}`;
}

/** zsh bindkey string, e.g. `^G`, `^[g`, `^[^G`. */
export function zshKeySequence(hotkey: Hotkey): string {
  return `${hotkey.alt ? "^[" : ""}${hotkey.control ? `^${hotkey.key.toUpperCase()}` : hotkey.key}`;
}

/** fish bind sequence, e.g. `\cg`, `\eg`, `\e\cg`. */
export function fishKeySequence(hotkey: Hotkey): string {
  return `${hotkey.alt ? "\\e" : ""}${hotkey.control ? `\\c${hotkey.key}` : hotkey.key}`;
}

/** PSReadLine chord, e.g. `Ctrl+g`, `Alt+g`, `Ctrl+Alt+g`. */
export function powershellChord(hotkey: Hotkey): string {
  return [...(hotkey.control ? ["Ctrl"] : []), ...(hotkey.alt ? ["Alt"] : []), hotkey.key].join("+");
}

/** How the hotkey reads in messages, e.g. `Ctrl-G`. */
export function describeHotkey(hotkey: Hotkey): string {
  return [...(hotkey.control ? ["Ctrl"] : []), ...(hotkey.alt ? ["Alt"] : []), hotkey.key.toUpperCase()].join(
    "-",
  );
}

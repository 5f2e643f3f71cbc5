/**
 * Turns raw terminal input (bytes read in raw mode) into named keys. Pure, so the menu and the line editor
 * can be tested with tables of keys instead of a terminal.
 */

/** One key press, as the menu and the line editor see it. */
export type Key =
  | { name: "text"; text: string }
  | { name: "enter" }
  | { name: "escape" }
  | { name: "backspace" }
  | { name: "delete" }
  | { name: "left" }
  | { name: "right" }
  | { name: "home" }
  | { name: "end" }
  | { name: "up" }
  | { name: "down" }
  /** Ctrl plus a letter, lower case: `{ name: "control", letter: "c" }` is Ctrl-C. */
  | { name: "control"; letter: string };

/** Escape sequences of the keys the editor uses (xterm, VT220 and rxvt variants). */
const ESCAPE_SEQUENCES: Record<string, Key> = {
  "\u001b[A": { name: "up" },
  "\u001b[B": { name: "down" },
  "\u001b[C": { name: "right" },
  "\u001b[D": { name: "left" },
  "\u001b[H": { name: "home" },
  "\u001b[F": { name: "end" },
  "\u001bOA": { name: "up" },
  "\u001bOB": { name: "down" },
  "\u001bOC": { name: "right" },
  "\u001bOD": { name: "left" },
  "\u001bOH": { name: "home" },
  "\u001bOF": { name: "end" },
  "\u001b[1~": { name: "home" },
  "\u001b[7~": { name: "home" },
  "\u001b[4~": { name: "end" },
  "\u001b[8~": { name: "end" },
  "\u001b[3~": { name: "delete" },
};

/** Length of the CSI / SS3 sequence starting at `index`, or 0 when the input there is not one. */
function escapeSequenceLength(input: string, index: number): number {
  const introducer = input[index + 1];
  if (introducer === "O") return index + 2 < input.length ? 3 : 0;
  if (introducer !== "[") return 0;
  // CSI: parameter and intermediate bytes, then one final byte in @–~.
  for (let end = index + 2; end < input.length; end += 1) {
    const code = input.charCodeAt(end);
    if (code >= 0x40 && code <= 0x7e) return end - index + 1;
    if (code < 0x20 || code > 0x3f) return 0;
  }
  return 0;
}

/**
 * Split one chunk of raw input into keys. A lone ESC is the Escape key; unknown escape sequences (function
 * keys, mouse reports) are dropped rather than typed as text. Bracketed or fast pasted text arrives as one
 * `text` key per run of printable characters; a pasted line break becomes Enter.
 */
export function parseKeys(input: string): Key[] {
  const keys: Key[] = [];
  let text = "";
  // One key per character: a menu letter typed fast (or pasted) right after another still counts alone.
  const flushText = (): void => {
    for (const character of Array.from(text)) keys.push({ name: "text", text: character });
    text = "";
  };
  let index = 0;
  while (index < input.length) {
    const character = input[index] ?? "";
    const code = character.charCodeAt(0);
    if (character === "\u001b") {
      flushText();
      const length = escapeSequenceLength(input, index);
      if (length === 0) {
        // Alt+key arrives as ESC + key; treat it as Escape so cancelling never types a stray letter.
        keys.push({ name: "escape" });
        index += input[index + 1] !== undefined && input[index + 1] !== "\u001b" ? 2 : 1;
        continue;
      }
      const sequence = input.slice(index, index + length);
      const known = ESCAPE_SEQUENCES[sequence];
      if (known !== undefined) keys.push(known);
      index += length;
      continue;
    }
    if (character === "\r" || character === "\n") {
      flushText();
      keys.push({ name: "enter" });
      // CR LF from a paste is one line break.
      index += character === "\r" && input[index + 1] === "\n" ? 2 : 1;
      continue;
    }
    if (character === "\u007f" || character === "\b") {
      flushText();
      keys.push({ name: "backspace" });
      index += 1;
      continue;
    }
    if (code < 0x20 && character !== "\t") {
      flushText();
      keys.push({ name: "control", letter: String.fromCharCode(code + 0x60) });
      index += 1;
      continue;
    }
    text += character;
    index += 1;
  }
  flushText();
  return keys;
}

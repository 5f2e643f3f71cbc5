/**
 * The command inside an answer that is still being generated: the answer is JSON (`{"command": "…", …}`), so
 * the command is the string after the `"command"` key, read with JSON's escapes as far as it has arrived and
 * ended by its closing quote. For live display only; the finished answer is parsed strictly elsewhere.
 */

const COMMAND_KEY = /"command"\s*:\s*"/;

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Decode the JSON string body starting at `start` as far as it is complete. */
function decodeFrom(text: string, start: number): { command: string; closed: boolean } {
  let command = "";
  let index = start;
  while (index < text.length) {
    const character = text.charAt(index);
    if (character === '"') return { command, closed: true };
    if (character !== "\\") {
      command += character;
      index += 1;
      continue;
    }
    const escape = text.charAt(index + 1);
    if (escape === "") break; // the escape has not arrived yet
    if (escape === "u") {
      const hex = text.slice(index + 2, index + 6);
      if (hex.length < 4) break;
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return { command, closed: true };
      command += String.fromCharCode(parseInt(hex, 16));
      index += 6;
      continue;
    }
    const simple = SIMPLE_ESCAPES[escape];
    if (simple === undefined) return { command, closed: true };
    command += simple;
    index += 2;
  }
  // A token cut inside a UTF-8 sequence shows as U+FFFD until the rest arrives.
  return { command: command.replace(/\uFFFD$/, ""), closed: false };
}

/**
 * Follows an answer as it grows: {@link StreamedCommand.update} takes the answer text so far and says whether
 * the command read from it changed. A text that does not continue the previous one (a retried attempt)
 * starts over.
 */
export class StreamedCommand {
  private text = "";
  private current = "";
  private closed = false;

  /** The command as far as it has been generated ("" before its opening quote). */
  get command(): string {
    return this.current;
  }

  /** Read `answerSoFar`; true when {@link command} changed. */
  update(answerSoFar: string): boolean {
    const restarted = !answerSoFar.startsWith(this.text);
    this.text = answerSoFar;
    if (restarted) this.closed = false;
    if (this.closed) return false;
    const key = COMMAND_KEY.exec(answerSoFar);
    const next =
      key === null ? { command: "", closed: false } : decodeFrom(answerSoFar, key.index + key[0].length);
    this.closed = next.closed;
    if (next.command === this.current) return false;
    this.current = next.command;
    return true;
  }
}

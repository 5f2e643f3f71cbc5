/**
 * A tokeniser for PowerShell and cmd.exe: splits a script into simple commands at `;`, `|`, `&&`, `||`, newlines and
 * (cmd) `&`, removes quotes and escapes (PowerShell's backtick, cmd's caret), keeps each word as written for the
 * expression folder, and tokenises every bracketed part (`( … )`, `$( … )`, `{ … }`, `$( … )` inside double quotes)
 * as nested commands too, since PowerShell runs them.
 */
import {
  newSession,
  type WindowsDialect,
  type WindowsSession,
  type WindowsStatement,
} from "./windows-types.js";

/** The commands of one script and whether its quotes and brackets were balanced. */
export interface TokenisedScript {
  statements: WindowsStatement[];
  balanced: boolean;
}

const MAXIMUM_NESTING = 32;

/** Splits PowerShell or cmd text into statements; `session` is shared by them (a new one by default). */
export function tokeniseWindows(
  source: string,
  dialect: WindowsDialect,
  session: WindowsSession = newSession(),
): TokenisedScript {
  const tokeniser = new Tokeniser(source, dialect, session, 0);
  tokeniser.run();
  return { statements: tokeniser.statements, balanced: tokeniser.balanced };
}

/**
 * The index of the bracket that closes the one at `open`, skipping quoted text; -1 when it never closes.
 * PowerShell quotes are `'…'` (doubled `''` inside) and `"…"` (backtick escapes); cmd has only `"…"`.
 */
export function matchingBracket(source: string, open: number, dialect: WindowsDialect): number {
  const stack: string[] = [];
  for (let index = open; index < source.length; index++) {
    const character = source.charAt(index);
    if (character === "'" && dialect === "powershell") {
      index = endOfSingleQuoted(source, index);
      if (index === -1) return -1;
    } else if (character === '"') {
      index = endOfDoubleQuoted(source, index, dialect);
      if (index === -1) return -1;
    } else if (character === "`" && dialect === "powershell") index++;
    else if (character === "(" || character === "{" || character === "[") stack.push(character);
    else if (character === ")" || character === "}" || character === "]") {
      stack.pop();
      if (stack.length === 0) return index;
    }
  }
  return -1;
}

function endOfSingleQuoted(source: string, open: number): number {
  for (let index = open + 1; index < source.length; index++) {
    if (source.charAt(index) !== "'") continue;
    if (source.charAt(index + 1) === "'") index++;
    else return index;
  }
  return -1;
}

function endOfDoubleQuoted(source: string, open: number, dialect: WindowsDialect): number {
  for (let index = open + 1; index < source.length; index++) {
    const character = source.charAt(index);
    if (character === "`" && dialect === "powershell") index++;
    else if (character === '"') {
      if (dialect === "powershell" && source.charAt(index + 1) === '"') index++;
      else return index;
    }
  }
  return -1;
}

class Tokeniser {
  readonly statements: WindowsStatement[] = [];
  balanced = true;
  private words: string[] = [];
  private raws: string[] = [];
  private quotedFlags: boolean[] = [];
  private redirects: string[] = [];
  private statementStart = 0;
  private text = "";
  private raw = "";
  private quoted = false;
  private hasWord = false;
  private pendingRedirect = false;
  private groupDepth = 0;

  constructor(
    private readonly source: string,
    private readonly dialect: WindowsDialect,
    private readonly session: WindowsSession,
    private readonly nesting: number,
  ) {}

  run(): void {
    if (this.dialect === "powershell") this.runPowerShell();
    else this.runCmd();
    this.flushStatement(false, this.source.length);
    if (this.groupDepth !== 0) this.balanced = false;
  }

  private append(text: string, raw: string): void {
    this.text += text;
    this.raw += raw;
    this.hasWord = true;
  }

  private flushWord(): void {
    if (this.hasWord) {
      if (this.pendingRedirect) {
        this.redirects.push(this.text);
        this.pendingRedirect = false;
      } else {
        this.words.push(this.text);
        this.raws.push(this.raw);
        this.quotedFlags.push(this.quoted);
      }
    }
    this.text = "";
    this.raw = "";
    this.quoted = false;
    this.hasWord = false;
  }

  private flushStatement(piped: boolean, end: number): void {
    this.flushWord();
    if (this.words.length > 0)
      this.statements.push({
        words: this.words,
        raw: this.raws,
        quoted: this.quotedFlags,
        text: this.source.slice(this.statementStart, end).trim(),
        redirects: this.redirects,
        pipedToNext: piped,
        nested: this.nesting > 0 || this.groupDepth > 0,
        depth: this.nesting + this.groupDepth,
        session: this.session,
      });
    this.words = [];
    this.raws = [];
    this.quotedFlags = [];
    this.redirects = [];
    this.pendingRedirect = false;
    this.statementStart = end + 1;
  }

  /** Tokenises `inner` as commands nested in the current one. */
  private nest(inner: string, dialect: WindowsDialect = this.dialect): void {
    if (this.nesting >= MAXIMUM_NESTING) {
      this.balanced = false;
      return;
    }
    const child = new Tokeniser(inner, dialect, this.session, this.nesting + 1);
    child.run();
    if (!child.balanced) this.balanced = false;
    this.statements.push(...child.statements);
  }

  /** Captures a bracketed group starting at `open` into the current word and tokenises its inside. */
  private group(open: number, prefix: string): number {
    const close = matchingBracket(this.source, open, this.dialect);
    const end = close === -1 ? this.source.length : close;
    if (close === -1) this.balanced = false;
    const inner = this.source.slice(open + 1, end);
    const whole = prefix + this.source.slice(open, close === -1 ? end : end + 1);
    this.append(whole, whole);
    if (this.source.charAt(open) !== "[") this.nest(inner);
    return end;
  }

  private runPowerShell(): void {
    const source = this.source;
    for (let index = 0; index < source.length; index++) {
      const character = source.charAt(index);
      const next = source.charAt(index + 1);
      if (character === "`") {
        if (next === "\n" || (next === "\r" && source.charAt(index + 2) === "\n")) {
          index += next === "\r" ? 2 : 1;
          continue;
        }
        this.append(next, character + next);
        index++;
      } else if (character === "'") {
        const end = endOfSingleQuoted(source, index);
        if (end === -1) this.balanced = false;
        const stop = end === -1 ? source.length : end;
        this.append(source.slice(index + 1, stop).replace(/''/g, "'"), source.slice(index, stop + 1));
        this.quoted = true;
        index = stop;
      } else if (character === '"') {
        index = this.doubleQuoted(index);
      } else if (
        character === "@" &&
        (next === "'" || next === '"') &&
        /^\r?\n/.test(source.slice(index + 2))
      ) {
        const close = source.indexOf(`\n${next}@`, index + 2);
        if (close === -1) this.balanced = false;
        const stop = close === -1 ? source.length : close + 3;
        this.append(source.slice(index + 2, close === -1 ? stop : close).trim(), source.slice(index, stop));
        this.quoted = true;
        index = stop - 1;
      } else if (character === "#" && !this.hasWord) {
        while (index + 1 < source.length && source.charAt(index + 1) !== "\n") index++;
      } else if (character === "<" && next === "#") {
        const close = source.indexOf("#>", index + 2);
        if (close === -1) this.balanced = false;
        index = close === -1 ? source.length : close + 1;
      } else if (
        (character === "$" || character === "@") &&
        (next === "(" || next === "{") &&
        !this.hasWord
      ) {
        index = this.group(index + 1, character);
      } else if (character === "(" || character === "{" || character === "[") {
        index = this.group(index, "");
      } else if (character === ")" || character === "}" || character === "]") {
        this.balanced = false;
      } else if (character === "\n" || character === ";") {
        this.flushStatement(false, index);
      } else if (/\s/.test(character) || character === ",") {
        this.flushWord();
      } else if (character === "|") {
        if (next === "|") index++;
        this.flushStatement(next !== "|", index);
      } else if (character === "&") {
        if (next === "&") {
          index++;
          this.flushStatement(false, index);
        } else if (!this.hasWord && /^\s*(;|\r?\n|$)/.test(source.slice(index + 1))) {
          this.flushStatement(false, index);
        } else if (!this.hasWord) {
          this.append("&", "&");
          this.flushWord();
        } else this.append(character, character);
      } else if (character === ">" && (!this.hasWord || /^[0-9*]$/.test(this.text))) {
        this.redirect(index);
        if (next === ">") index++;
        if (source.charAt(index + 1) === "&") index += 2;
      } else this.append(character, character);
    }
  }

  private redirect(index: number): void {
    this.text = "";
    this.raw = "";
    this.hasWord = false;
    // `2>&1` merges streams; anything else names a file.
    if (!/^>?&\d/.test(this.source.slice(index + 1))) this.pendingRedirect = true;
  }

  /** A `"…"` string: backtick escapes, `""`, and `$( … )` subexpressions that PowerShell runs. */
  private doubleQuoted(open: number): number {
    const source = this.source;
    let text = "";
    let index = open + 1;
    for (; index < source.length; index++) {
      const character = source.charAt(index);
      if (character === "`") {
        text += source.charAt(++index);
      } else if (character === '"') {
        if (source.charAt(index + 1) !== '"') break;
        text += '"';
        index++;
      } else if (character === "$" && source.charAt(index + 1) === "(") {
        const close = matchingBracket(source, index + 1, "powershell");
        const end = close === -1 ? source.length : close;
        if (close === -1) this.balanced = false;
        this.nest(source.slice(index + 2, end));
        text += source.slice(index, end + 1);
        index = end;
      } else text += character;
    }
    if (index >= source.length) this.balanced = false;
    this.append(text, source.slice(open, index + 1));
    this.quoted = true;
    return index;
  }

  private runCmd(): void {
    const source = this.source;
    let quote = false;
    for (let index = 0; index < source.length; index++) {
      const character = source.charAt(index);
      const next = source.charAt(index + 1);
      if (quote) {
        if (character === '"') {
          quote = false;
          this.raw += '"';
        } else if (character === "\n") {
          quote = false;
          this.balanced = false;
          this.flushStatement(false, index);
          continue;
        } else this.append(character, character);
        continue;
      }
      if (this.words.length === 0 && !this.hasWord && this.atComment(index)) {
        while (index + 1 < source.length && source.charAt(index + 1) !== "\n") index++;
        continue;
      }
      if (character === "^") {
        if (next === "\n" || (next === "\r" && source.charAt(index + 2) === "\n")) {
          index += next === "\r" ? 2 : 1;
          continue;
        }
        this.append(next, character + next);
        index++;
      } else if (character === '"') {
        quote = true;
        this.append("", '"');
        this.quoted = true;
      } else if (character === "(" && !this.hasWord && this.isForSet()) {
        const close = matchingBracket(source, index, "cmd");
        const end = close === -1 ? source.length : close;
        if (close === -1) this.balanced = false;
        this.append(source.slice(index + 1, end).trim(), source.slice(index, end + 1));
        this.quoted = true;
        index = end;
      } else if (!this.hasWord && this.isForBody()) {
        index = this.forBody(index);
      } else if (character === "(" && !this.hasWord && this.words.length === 0) {
        // A bracket opens a block only where a command starts (`(echo a & echo b) | x`, `if … (…)`).
        this.flushStatement(false, index);
        this.groupDepth++;
      } else if (character === ")" && this.groupDepth > 0) {
        this.flushStatement(false, index);
        this.groupDepth--;
      } else if (character === "\n" || character === "\r") {
        this.flushStatement(false, index);
      } else if (/\s/.test(character)) {
        this.flushWord();
      } else if (character === "|") {
        if (next === "|") index++;
        this.flushStatement(next !== "|", index);
      } else if (character === "&") {
        if (next === "&") index++;
        this.flushStatement(false, index);
      } else if (character === ">" && (!this.hasWord || /^[0-9]$/.test(this.text))) {
        this.redirect(index);
        if (next === ">") index++;
        if (source.charAt(index + 1) === "&") index += 2;
      } else if (character === "<" && !this.hasWord) {
        this.pendingRedirect = false;
      } else this.append(character, character);
    }
    if (quote) this.balanced = false;
  }

  private atComment(index: number): boolean {
    return /^(@?rem(\s|$)|::)/i.test(this.source.slice(index, index + 5));
  }

  private isForSet(): boolean {
    return /^@?for$/i.test(this.words[0] ?? "") && /^in$/i.test(this.words.at(-1) ?? "");
  }

  private isForBody(): boolean {
    return /^@?for$/i.test(this.words[0] ?? "") && /^do$/i.test(this.words.at(-1) ?? "");
  }

  /** The body of `for … do BODY`: a bracketed block, or the rest of the line. */
  private forBody(index: number): number {
    const source = this.source;
    if (source.charAt(index) === "(") {
      const close = matchingBracket(source, index, "cmd");
      const end = close === -1 ? source.length : close;
      if (close === -1) this.balanced = false;
      this.append(source.slice(index + 1, end).trim(), source.slice(index, end + 1));
      this.quoted = true;
      return end;
    }
    let end = source.indexOf("\n", index);
    if (end === -1) end = source.length;
    this.append(source.slice(index, end).trim(), source.slice(index, end));
    this.quoted = true;
    return end - 1;
  }
}

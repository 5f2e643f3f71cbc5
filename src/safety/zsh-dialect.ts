/**
 * zsh syntax that the bash grammar cannot read, rewritten into bash that does at least as much: parameter flags
 * (`${(z)x}`, `${(s:,:)x}`, `${(L)x}`), `$=x`/`${~x}`, `${:-word}`, unbraced subscripts (`$x[2,-1]`), arrays that
 * expand whole (`$x`), glob qualifiers (`*(.)`, `*(e:'code':)` whose code runs once per file), extendedglob
 * negation (`/^tmp` is everything in / but tmp), `{ … }` blocks without a final `;`, anonymous functions, `repeat N {`
 * and `ztcp` sockets. What cannot be rewritten exactly becomes a variable cmdai cannot know, so the engine rates it
 * by the worst it could be ("computed at run time") instead of guessing.
 */

/** Stands for a zsh expansion whose value cannot be worked out: the engine treats it as unknown. */
const UNRESOLVED = "${__zsh_expansion}";
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const QUALIFIER_CLOSERS: Readonly<Record<string, string>> = { "[": "]", "{": "}", "(": ")", "<": ">" };

/** The rewritten script, or `undefined` when the text holds nothing zsh-specific that needs it. */
export function zshAsBash(text: string): string | undefined {
  if (!/[$({^]|\bztcp\b|\brepeat\b/.test(text)) return undefined;
  const rewriter = new Rewriter(text);
  const rewritten = rewriter.run();
  const extra = rewriter.qualifierCode.map((code) => `\n{ ${code}\n}`).join("");
  const result = rewritten + extra;
  return result === text ? undefined : result;
}

class Rewriter {
  /** Code of `e:…:` glob qualifiers: zsh runs it for every file the glob matches. */
  readonly qualifierCode: string[] = [];
  private out = "";
  private index = 0;
  /** Unquoted `{` blocks open at this point (not `${`). */
  private openBlocks = 0;

  constructor(private readonly text: string) {}

  run(): string {
    const { text } = this;
    while (this.index < text.length) {
      const character = text.charAt(this.index);
      if (character === "\\") {
        this.out += text.slice(this.index, this.index + 2);
        this.index += 2;
      } else if (character === "'") {
        const end = text.indexOf("'", this.index + 1);
        const stop = end === -1 ? text.length : end + 1;
        this.out += text.slice(this.index, stop);
        this.index = stop;
      } else if (character === '"') this.doubleQuoted();
      else if (character === "$") this.dollar(false);
      else if (character === "#" && this.atWordStart()) this.comment();
      else if (character === "(" && this.afterGlob()) this.qualifier();
      else if (character === "(" && text.startsWith("() {", this.index) && this.atStatementStart()) {
        // `() { body } args`: an anonymous function, run at once with `args` as its parameters.
        this.out += "__zsh_anonymous() {";
        this.index += 4;
        this.openBlocks++;
        this.pendingAnonymous = true;
      } else if (character === "^" && this.atComponentStart()) {
        // extendedglob `^pattern`: every name but those matching the pattern, so as broad as `*`.
        this.out += "*";
        this.index++;
        while (this.index < text.length && !/[\s/;|&()]/.test(text.charAt(this.index))) this.index++;
      } else if (character === "{" && this.isBlockBrace()) {
        this.openBlocks++;
        this.out += "{";
        this.index++;
      } else if (character === "}" && this.openBlocks > 0 && this.isBlockEnd()) {
        this.openBlocks--;
        if (!/[;&\n{]\s*$/.test(this.out)) this.out += ";";
        this.out += "}";
        this.index++;
        if (this.pendingAnonymous && this.openBlocks === 0) {
          this.pendingAnonymous = false;
          this.out += "; __zsh_anonymous";
        }
      } else if (this.keyword("repeat")) this.repeat();
      else if (this.keyword("ztcp")) this.ztcp();
      else {
        this.out += character;
        this.index++;
      }
    }
    return this.sawSocket ? this.out.replace(/\$\{REPLY(\[[@*]\])?\}|\$REPLY\b/g, "3") : this.out;
  }

  private pendingAnonymous = false;
  private sawSocket = false;

  private doubleQuoted(): void {
    const { text } = this;
    this.out += '"';
    this.index++;
    while (this.index < text.length && text.charAt(this.index) !== '"') {
      const character = text.charAt(this.index);
      if (character === "\\") {
        this.out += text.slice(this.index, this.index + 2);
        this.index += 2;
      } else if (character === "$") this.dollar(true);
      else {
        this.out += character;
        this.index++;
      }
    }
    if (this.index < text.length) {
      this.out += '"';
      this.index++;
    }
  }

  /** `$…` at `this.index`. */
  private dollar(quoted: boolean): void {
    const { text } = this;
    const next = text.charAt(this.index + 1);
    if (next === "{") {
      const close = matchingBrace(text, this.index + 1);
      if (close === -1) {
        this.out += text.slice(this.index);
        this.index = text.length;
        return;
      }
      this.out += braced(text.slice(this.index + 2, close), quoted);
      this.index = close + 1;
      return;
    }
    if (next === "(") {
      this.out += "$(";
      this.index += 2;
      return;
    }
    // `$=x`, `$~x`, `$^x`: split, glob or distribute x; the value is x's either way.
    let at = this.index + 1;
    while ("=~^".includes(text.charAt(at)) && at < text.length) at++;
    const name = NAME.exec(text.slice(at))?.[0];
    if (name === undefined) {
      this.out += text.slice(this.index, at);
      this.index = at;
      return;
    }
    at += name.length;
    if (text.charAt(at) === "[") {
      const end = text.indexOf("]", at);
      if (end !== -1) {
        this.out += subscripted(name, text.slice(at + 1, end), quoted);
        this.index = end + 1;
        return;
      }
    }
    // An array expands to all its elements in zsh, where bash would give the first.
    this.out += quoted ? `\${${name}[*]}` : `\${${name}[@]}`;
    this.index = at;
  }

  private comment(): void {
    const end = this.text.indexOf("\n", this.index);
    const stop = end === -1 ? this.text.length : end;
    this.out += this.text.slice(this.index, stop);
    this.index = stop;
  }

  /** A glob qualifier list `(…)` right after a glob: `*(.)`, `**`/`*(om[1,5])`, `/(e:'code':)`. */
  private qualifier(): void {
    const { text } = this;
    const close = matchingParenthesis(text, this.index);
    if (close === -1 || !/^($|[\s;|&)<>])/.test(text.slice(close + 1))) {
      this.out += "(";
      this.index++;
      return;
    }
    const qualifiers = text.slice(this.index + 1, close).replace(/^#q/, "");
    for (let at = 0; at < qualifiers.length; at++) {
      const letter = qualifiers.charAt(at);
      if (letter === "e" || letter === "+") {
        const delimiter = qualifiers.charAt(at + 1);
        if (letter === "+") {
          const name = NAME.exec(qualifiers.slice(at + 1))?.[0] ?? "";
          if (name !== "") this.qualifierCode.push(name);
          at += name.length;
          continue;
        }
        const closer = QUALIFIER_CLOSERS[delimiter] ?? delimiter;
        const end = unquotedIndexOf(qualifiers, closer, at + 2);
        if (end === -1) break;
        this.qualifierCode.push(unquote(qualifiers.slice(at + 2, end)));
        at = end;
      }
    }
    this.index = close + 1;
  }

  private repeat(): void {
    // `repeat 3 { … }` runs the block; `repeat 3 cmd` is left to the unwrapper.
    const match = /^repeat\s+\S+\s+(?=\{)/.exec(this.text.slice(this.index));
    if (match) this.index += match[0].length;
    else {
      this.out += "repeat";
      this.index += "repeat".length;
    }
  }

  /** `ztcp host port` opens a socket whose descriptor lands in `$REPLY`: the same as bash's `/dev/tcp`. */
  private ztcp(): void {
    const match = /^ztcp\s+(?!-)(\S+)\s+(\d+)/.exec(this.text.slice(this.index));
    if (!match) {
      this.out += "ztcp";
      this.index += "ztcp".length;
      return;
    }
    this.sawSocket = true;
    this.out += `exec 3<>/dev/tcp/${match[1] ?? ""}/${match[2] ?? ""}`;
    this.index += match[0].length;
  }

  private keyword(word: string): boolean {
    return (
      this.text.startsWith(word, this.index) &&
      this.atStatementStart() &&
      /^(\s|$)/.test(this.text.slice(this.index + word.length))
    );
  }

  private atWordStart(): boolean {
    return this.index === 0 || /\s/.test(this.text.charAt(this.index - 1));
  }

  private atStatementStart(): boolean {
    return /(^|[;&|({\n]|\b(then|do|else)\s)\s*$/.test(this.out);
  }

  private atComponentStart(): boolean {
    return /(^|[\s/])$/.test(this.out) && /[^\s;|&]/.test(this.text.charAt(this.index + 1));
  }

  /** The word so far holds a glob character, or is a folder (`/`), so `(` starts qualifiers, not a subshell. */
  private afterGlob(): boolean {
    const word = /\S*$/.exec(this.out)?.[0] ?? "";
    return word !== "" && !word.endsWith("$") && (/[*?\]]/.test(word) || word.endsWith("/"));
  }

  private isBlockBrace(): boolean {
    return /(^|[\s;&|(])$/.test(this.out) && /^(\s|$)/.test(this.text.slice(this.index + 1));
  }

  private isBlockEnd(): boolean {
    return /\s$/.test(this.out) && /^($|[\s;&|)])/.test(this.text.slice(this.index + 1));
  }
}

/** The body of `${…}` in zsh, as bash. */
function braced(body: string, quoted: boolean): string {
  let rest = body.replace(/^[=~^]+/, "");
  let flags = "";
  if (rest.startsWith("(")) {
    const close = matchingParenthesis(rest, 0);
    if (close === -1) return UNRESOLVED;
    flags = rest.slice(1, close);
    rest = rest.slice(close + 1);
  }
  // `${:-word}`: no name at all, so the default word is the value.
  const defaulted = /^:?-(.*)$/s.exec(rest);
  if (defaulted && flags === "") return zshAsBash(defaulted[1] ?? "") ?? defaulted[1] ?? "";
  const name = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])/.exec(rest)?.[0];
  if (name === undefined) return UNRESOLVED;
  const after = rest.slice(name.length);
  let expansion: string;
  if (after.startsWith("[")) {
    const end = after.indexOf("]");
    if (end === -1 || end !== after.length - 1) return UNRESOLVED;
    expansion = subscripted(name, after.slice(1, end), quoted);
  } else if (after === "") expansion = `\${${name}}`;
  else if (/^(:?[-+=?]|#{1,2}|%{1,2}|\/{1,2}|:\d)/.test(after)) expansion = `\${${name}${after}}`;
  else return UNRESOLVED;
  return applyFlags(flags, name, expansion);
}

/** Parameter flags: case changes and splitting are kept; anything else gives the value as it is. */
function applyFlags(flags: string, name: string, expansion: string): string {
  if (flags === "") return expansion;
  if (!expansion.startsWith("${") || expansion !== `\${${name}}`) return expansion;
  if (/L/.test(flags)) return `\${${name},,}`;
  if (/U/.test(flags)) return `\${${name}^^}`;
  const separator = /s(.)(.)\1/.exec(flags);
  if (separator && separator[2] !== undefined && /^[^\w\s'"\\/]$/.test(separator[2]))
    return `\${${name}//${separator[2]}/ }`;
  // `(s::)` splits into characters and `(j::)` joins them again: the pieces cannot be followed exactly.
  if (/[sj](.)\1/.test(flags)) return UNRESOLVED;
  return expansion;
}

/** `x[@]` stays; a single index `x[2]` is element 2 counted from 1; ranges and other subscripts are unknown. */
function subscripted(name: string, subscript: string, quoted: boolean): string {
  if (subscript === "@" || subscript === "*") return `\${${name}[${quoted ? "*" : "@"}]}`;
  if (/^[1-9]\d*$/.test(subscript)) return `\${${name}[${Number(subscript) - 1}]}`;
  if (/^[A-Za-z_]\w*$/.test(subscript) || /^'[^']*'$/.test(subscript)) return `\${${name}[${subscript}]}`;
  return UNRESOLVED;
}

/** `'code'` inside a qualifier is the code; a double-quoted one stays quoted, so its expansions stay visible. */
function unquote(code: string): string {
  const trimmed = code.trim();
  return /^'.*'$/s.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
}

/** The first `character` at or after `from` outside quotes, or -1. */
function unquotedIndexOf(text: string, character: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    const current = text.charAt(index);
    if (current === "'" || current === '"') {
      const end = text.indexOf(current, index + 1);
      if (end === -1) return -1;
      index = end;
    } else if (current === character) return index;
  }
  return -1;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    const character = text.charAt(index);
    if (character === "\\") index++;
    else if (character === "'") {
      const end = text.indexOf("'", index + 1);
      if (end === -1) return -1;
      index = end;
    } else if (character === "{") depth++;
    else if (character === "}" && --depth === 0) return index;
  }
  return -1;
}

function matchingParenthesis(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    const character = text.charAt(index);
    if (character === "\\") index++;
    else if (character === "'" || character === '"') {
      const end = text.indexOf(character, index + 1);
      if (end === -1) return -1;
      index = end;
    } else if (character === "(") depth++;
    else if (character === ")" && --depth === 0) return index;
  }
  return -1;
}

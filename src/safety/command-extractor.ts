/**
 * Turns a bash syntax tree into the flat list of simple commands it would run, so that no command can hide in a
 * pipeline, a list, a subshell, a command or process substitution, a function body, a loop or a here-doc.
 * Words are normalised the way the shell would see them: quotes and backslashes removed, literal variables from
 * the same line substituted (`X=/; rm -rf $X`, `${ROOT:-/}`).
 */
import type { Node } from "web-tree-sitter";

/** One redirection of a command: `> /dev/sda`, `>> ~/.bashrc`, `2>&1`. */
export interface Redirect {
  /** The operator as written: `>`, `>>`, `<`, `&>`, `>|`, `>&` … */
  operator: string;
  /** The normalised target word. */
  target: string;
}

/** One simple command as the shell would run it. */
export interface SimpleCommand {
  /** Normalised words: the command name first. Empty for a bare redirection. */
  argv: string[];
  redirects: Redirect[];
  /** The argv of every earlier pipeline stage whose output flows into this command. */
  stdinFrom: string[][];
  /** Text fed to stdin by a here-doc, a here-string, or `echo`/`printf` earlier in the pipeline. */
  stdinText: string | undefined;
}

/** The result of extracting the commands of one script. */
export interface ExtractedScript {
  commands: SimpleCommand[];
  /** Whether the parser had to recover from a syntax error. */
  hasError: boolean;
}

type Environment = Map<string, string>;

/**
 * Options of {@link extractCommands}, for callers that need more than the safety engine does (the effect preview).
 * Both default to off, so the engine's walk costs nothing extra.
 */
export interface ExtractOptions {
  /** Variables known before the script starts (e.g. the user's environment); default none. */
  environment?: ReadonlyMap<string, string>;
  /**
   * Called for every simple command with the syntax nodes of its arguments (parallel to `argv`), of its
   * redirection targets (parallel to `redirects`) and the variables known at that point, so a caller can see
   * what the normalised words hide: which characters were quoted, which variables had no value.
   */
  onCommand?: (
    command: SimpleCommand,
    nodes: { argv: readonly Node[]; redirects: readonly (Node | undefined)[] },
    environment: ReadonlyMap<string, string>,
  ) => void;
}

interface PendingStdin {
  from: string[];
  text: string | undefined;
}

interface WalkState {
  environment: Environment;
  /** Whether the script can hold a command or process substitution at all; most do not, and looking is costly. */
  substitutions: boolean;
  commands: SimpleCommand[];
  pending: PendingStdin | undefined;
  onCommand: ExtractOptions["onCommand"];
}

const MAXIMUM_LOOP_VALUES = 4;
const STATEMENT_OPERATOR = /^(&&|\|\||;|;;|&|\||\|&)$/;

/** Extracts every simple command under `root`, in execution order. */
export function extractCommands(root: Node, options: ExtractOptions = {}): ExtractedScript {
  const state: WalkState = {
    environment: new Map(options.environment),
    substitutions: /\$\(|`|[<>]\(/.test(root.text),
    commands: [],
    pending: undefined,
    onCommand: options.onCommand,
  };
  walk(root, state);
  return { commands: state.commands, hasError: root.hasError };
}

function walk(node: Node, state: WalkState): void {
  switch (node.type) {
    case "comment":
      return;
    case "command":
      walkCommand(node, state, [], undefined);
      return;
    case "redirected_statement":
      walkRedirected(node, state);
      return;
    case "pipeline":
      walkPipeline(node, state);
      return;
    case "variable_assignment":
      assign(node, state);
      return;
    case "for_statement":
      walkFor(node, state);
      return;
    case "declaration_command":
    case "unset_command":
      walkDeclaration(node, state);
      return;
    default:
      for (const child of node.namedChildren) walk(child, state);
  }
}

function walkCommand(
  node: Node,
  state: WalkState,
  redirects: Redirect[],
  stdinText: string | undefined,
  redirectNodes?: (Node | undefined)[],
): SimpleCommand {
  const argv: string[] = [];
  const ownRedirects = [...redirects];
  // Syntax nodes are collected only for an `onCommand` caller: the safety engine's walk stays as lean as it was.
  const argvNodes: Node[] | undefined = state.onCommand ? [] : undefined;
  const ownRedirectNodes: (Node | undefined)[] | undefined = state.onCommand
    ? [...(redirectNodes ?? [])]
    : undefined;
  let ownStdinText = stdinText;
  node.namedChildren.forEach((child, index) => {
    if (child.type === "variable_assignment") {
      walkSubstitutions(child, state);
    } else if (child.type === "command_name" || node.fieldNameForNamedChild(index) === "argument") {
      const word = child.type === "command_name" ? (child.firstNamedChild ?? child) : child;
      argv.push(wordValue(word, state));
      argvNodes?.push(word);
      walkSubstitutions(child, state);
    } else if (child.type === "file_redirect") {
      ownRedirects.push(redirectOf(child, state));
      ownRedirectNodes?.push(child.childForFieldName("destination") ?? undefined);
      walkSubstitutions(child, state);
    } else if (child.type === "herestring_redirect") {
      const word = child.firstNamedChild;
      ownStdinText = word ? wordValue(word, state) : undefined;
    } else {
      walkSubstitutions(child, state);
    }
  });
  const pending = state.pending;
  state.pending = undefined;
  const command: SimpleCommand = {
    argv,
    redirects: ownRedirects,
    stdinFrom: pending ? [pending.from] : [],
    stdinText: ownStdinText ?? pending?.text,
  };
  state.commands.push(command);
  state.onCommand?.(command, { argv: argvNodes ?? [], redirects: ownRedirectNodes ?? [] }, state.environment);
  return command;
}

function walkRedirected(node: Node, state: WalkState): void {
  const redirects: Redirect[] = [];
  const redirectNodes: (Node | undefined)[] | undefined = state.onCommand ? [] : undefined;
  let stdinText: string | undefined;
  const nested: Node[] = [];
  const body = node.childForFieldName("body");
  for (const child of node.namedChildren) {
    if (child.id === body?.id) continue;
    if (child.type === "file_redirect") {
      redirects.push(redirectOf(child, state));
      redirectNodes?.push(child.childForFieldName("destination") ?? undefined);
      walkSubstitutions(child, state);
    } else if (child.type === "herestring_redirect") {
      const word = child.firstNamedChild;
      stdinText = word ? wordValue(word, state) : undefined;
      walkSubstitutions(child, state);
    } else if (child.type === "heredoc_redirect") {
      for (const part of child.namedChildren) {
        if (part.type === "heredoc_body") stdinText = part.text;
        else if (part.type !== "heredoc_start" && part.type !== "heredoc_end") nested.push(part);
      }
    } else {
      walkSubstitutions(child, state);
    }
  }
  let ownerArgv: string[] = [];
  if (body?.type === "command") {
    ownerArgv = walkCommand(body, state, redirects, stdinText, redirectNodes).argv;
  } else {
    if (body) walk(body, state);
    const bare: SimpleCommand = { argv: [], redirects, stdinFrom: [], stdinText: undefined };
    state.commands.push(bare);
    state.onCommand?.(bare, { argv: [], redirects: redirectNodes ?? [] }, state.environment);
  }
  for (const part of nested) {
    state.pending = { from: ownerArgv, text: passesThrough(ownerArgv) ? stdinText : undefined };
    walk(part, state);
    state.pending = undefined;
  }
}

/** Commands that copy their input (or arguments) to their output, so a script can flow through them. */
function passesThrough(argv: readonly string[]): boolean {
  const name = argv[0] ?? "";
  return name === "cat" || name === "tee" || name === "" || name === "sed" || name === "envsubst";
}

function walkPipeline(node: Node, state: WalkState): void {
  const earlier: string[][] = [];
  let flowingText: string | undefined;
  for (const stage of node.namedChildren) {
    if (stage.type === "comment") continue;
    const before = state.commands.length;
    if (earlier.length > 0) state.pending = { from: [], text: flowingText };
    walk(stage, state);
    state.pending = undefined;
    const first = state.commands[before];
    if (first && earlier.length > 0) first.stdinFrom = [...earlier];
    // A stage can itself be a pipeline (`a | b 2>&1 | c` nests): everything it ran feeds the next stage.
    const ran = state.commands.slice(before).filter((command) => command.argv.length > 0);
    const last = ran.at(-1);
    flowingText = textOutput(last?.argv ?? [], last?.stdinText ?? flowingText);
    for (const command of ran) earlier.push(command.argv);
  }
}

/** What a pipeline stage passes on as text: what `echo`/`printf` print, or its input for `cat`, `tee`, `sed`. */
export function textOutput(argv: readonly string[], input: string | undefined): string | undefined {
  const name = argv[0];
  if (name === "echo")
    return argv
      .slice(1)
      .filter((word) => !/^-[neE]+$/.test(word))
      .join(" ");
  if (name === "printf") return argv.slice(1).join(" ").replace(/\\n/g, "\n").replace(/\\t/g, "\t");
  if (passesThrough(argv)) return input;
  return undefined;
}

/** `export X=/`, `declare -x Y`, `unset HISTFILE`: assignments count, and the builtin itself is judged too. */
function walkDeclaration(node: Node, state: WalkState): void {
  const argv = [node.firstChild?.text ?? "export"];
  for (const child of node.namedChildren) {
    if (child.type === "variable_assignment") assign(child, state);
    else walkSubstitutions(child, state);
    argv.push(child.type === "variable_assignment" ? child.text : wordValue(child, state));
  }
  state.commands.push({ argv, redirects: [], stdinFrom: [], stdinText: undefined });
}

function walkFor(node: Node, state: WalkState): void {
  const variable = node.childForFieldName("variable")?.text;
  const values: string[] = [];
  for (const child of node.childrenForFieldName("value")) {
    walkSubstitutions(child, state);
    values.push(wordValue(child, state));
  }
  const body = node.childForFieldName("body");
  if (!body) return;
  const rounds = variable && values.length > 0 ? values.slice(0, MAXIMUM_LOOP_VALUES) : [undefined];
  for (const value of rounds) {
    if (variable) {
      if (value === undefined) state.environment.delete(variable);
      else state.environment.set(variable, value);
    }
    walk(body, state);
  }
}

function assign(node: Node, state: WalkState): void {
  const name = node.childForFieldName("name")?.text;
  const value = node.childForFieldName("value");
  if (value) walkSubstitutions(value, state);
  if (!name) return;
  if (!value) state.environment.set(name, "");
  else if (hasSubstitution(value)) state.environment.delete(name);
  else state.environment.set(name, wordValue(value, state));
}

function redirectOf(node: Node, state: WalkState): Redirect {
  const destination = node.childForFieldName("destination");
  const descriptor = node.childForFieldName("descriptor");
  const start = descriptor ? descriptor.endIndex : node.startIndex;
  const end = destination ? destination.startIndex : node.endIndex;
  const operator = node.text.slice(start - node.startIndex, end - node.startIndex).trim();
  return { operator, target: destination ? wordValue(destination, state) : "" };
}

/** Walks the command and process substitutions inside a word: they run too. */
function walkSubstitutions(node: Node, state: WalkState): void {
  if (!state.substitutions) return;
  if (node.type === "command_substitution" || node.type === "process_substitution") {
    const saved = state.pending;
    state.pending = undefined;
    for (const inner of node.namedChildren) walk(inner, state);
    state.pending = saved;
    return;
  }
  // Most words have no children at all; skip the allocation of an empty child list.
  if (node.namedChildCount === 0) return;
  for (const child of node.namedChildren) walkSubstitutions(child, state);
}

function hasSubstitution(node: Node): boolean {
  if (node.type === "command_substitution" || node.type === "process_substitution") return true;
  return node.namedChildren.some((child) => hasSubstitution(child));
}

/** The value the shell would give a word, with literal variables substituted and quoting removed. */
export function wordValue(
  node: Node,
  state: WalkState | { environment: ReadonlyMap<string, string> },
): string {
  switch (node.type) {
    case "word":
      return unescapeWord(node.text);
    case "raw_string":
      return node.text.slice(1, -1);
    case "ansi_c_string":
      return decodeAnsiC(node.text.slice(2, -1));
    case "string":
      return joinParts(node, state, 1, 1, unescapeDoubleQuoted);
    case "concatenation":
      return joinParts(node, state, 0, 0, unescapeWord);
    case "command_substitution":
      return echoedText(node, state) ?? node.text;
    case "simple_expansion":
      return expand(node.text.slice(1), undefined, state.environment);
    case "expansion":
      return expandBraced(node, state);
    case "command_name":
      return node.firstNamedChild ? wordValue(node.firstNamedChild, state) : node.text;
    default:
      return node.text;
  }
}

/** `$(echo rm -rf /)` expands to `rm -rf /`: the value of a substitution that only echoes literal words. */
function echoedText(node: Node, state: { environment: ReadonlyMap<string, string> }): string | undefined {
  const inner = node.namedChildren;
  const command = inner.length === 1 ? inner[0] : undefined;
  if (command?.type !== "command") return undefined;
  const words = command.namedChildren.map((child) => wordValue(child, state));
  // `` `which rm` -rf / ``, `$(command -v rm)`: the path of a command is that command.
  if (
    words[0] === "which" ||
    (words[0] === "command" && words[1] === "-v") ||
    (words[0] === "type" && /^-[pP]$/.test(words[1] ?? ""))
  )
    return words.length >= 2 ? words.at(-1) : undefined;
  if (words[0] !== "echo" && words[0] !== "printf") return undefined;
  return words
    .slice(1)
    .filter((word) => !/^-[neE]+$/.test(word))
    .join(" ");
}

function joinParts(
  node: Node,
  state: { environment: ReadonlyMap<string, string> },
  openLength: number,
  closeLength: number,
  unescape: (text: string) => string,
): string {
  const text = node.text;
  const base = node.startIndex;
  let position = openLength;
  let result = "";
  for (const child of node.namedChildren) {
    const start = child.startIndex - base;
    if (start > position) result += unescape(text.slice(position, start));
    result += child.type === "string_content" ? unescape(child.text) : wordValue(child, state);
    position = child.endIndex - base;
  }
  const end = text.length - closeLength;
  if (end > position) result += unescape(text.slice(position, end));
  return result;
}

function expand(
  name: string,
  fallback: string | undefined,
  environment: ReadonlyMap<string, string>,
): string {
  const value = environment.get(name);
  if (value !== undefined && value !== "") return value;
  if (fallback !== undefined) return fallback;
  return value ?? `$${name}`;
}

function expandBraced(node: Node, state: { environment: ReadonlyMap<string, string> }): string {
  const match = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=?+])(.*))?\}$/s.exec(node.text);
  if (!match) return node.text;
  const [, name = "", operator, rest] = match;
  const value = state.environment.get(name);
  if (operator === undefined) return expand(name, undefined, state.environment);
  const word = unescapeDoubleQuoted(stripQuotes(rest ?? ""));
  if (operator.endsWith("+")) return value ? word : "";
  if (value !== undefined && (value !== "" || !operator.startsWith(":"))) return value;
  return operator.endsWith("-") || operator.endsWith("=") ? word : `$${name}`;
}

function stripQuotes(text: string): string {
  if (text.length >= 2 && (text.startsWith("'") || text.startsWith('"')) && text.endsWith(text.charAt(0))) {
    return text.slice(1, -1);
  }
  return text;
}

/** Removes shell quoting from an unquoted word: `\r''m` → `rm`, `"rm"` → `rm`. */
export function unescapeWord(text: string): string {
  let result = "";
  let quote: string | undefined;
  for (let index = 0; index < text.length; index++) {
    const character = text.charAt(index);
    if (quote === "'") {
      if (character === "'") quote = undefined;
      else result += character;
    } else if (character === "\\") {
      const next = text.charAt(index + 1);
      index++;
      if (next !== "\n") result += next;
    } else if (quote === '"') {
      if (character === '"') quote = undefined;
      else result += character;
    } else if (character === "'" || character === '"') {
      quote = character;
    } else {
      result += character;
    }
  }
  return result;
}

function unescapeDoubleQuoted(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_match, escaped: string) => (escaped === "\n" ? "" : escaped));
}

const ANSI_C_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", e: "\x1b", "'": "'" };

function decodeAnsiC(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|[0-7]{1,3}|.)/g, (_match, code: string) => {
    if (code.startsWith("x") || code.startsWith("u"))
      return String.fromCodePoint(parseInt(code.slice(1), 16));
    if (/^[0-7]+$/.test(code)) return String.fromCodePoint(parseInt(code, 8));
    return (Object.hasOwn(ANSI_C_ESCAPES, code) ? ANSI_C_ESCAPES[code] : undefined) ?? code;
  });
}

/** Whether a token is a statement separator (used by the fallback tokenisers). */
export function isStatementOperator(token: string): boolean {
  return STATEMENT_OPERATOR.test(token);
}

/**
 * Turns a bash syntax tree into the flat list of simple commands it would run, so that no command can hide in a
 * pipeline, a list, a subshell, a command or process substitution, a function body, a loop or a here-doc.
 * Words are expanded the way the shell would (`word-expansion.ts`): quotes removed, variables, arrays and
 * positional parameters from the same script substituted, fixed command substitutions evaluated, braces
 * expanded. A word that depends on something unknown is kept as written and marked dynamic.
 */
import type { Node } from "web-tree-sitter";
import { textOutput } from "./static-text.js";
import { expandWord, type ShellScope } from "./word-expansion.js";

export { textOutput } from "./static-text.js";
export { wordValue } from "./word-expansion.js";

/** One redirection of a command: `> /dev/sda`, `>> ~/.bashrc`, `2>&1`. */
export interface Redirect {
  /** The operator as written: `>`, `>>`, `<`, `&>`, `>|`, `>&` … */
  operator: string;
  /** The normalised target word. */
  target: string;
  /** The target depends on something cmdai could not resolve. */
  dynamic?: boolean;
}

/** A `VAR=value` written before a command (or alone, for the rest of the script). */
export interface Assignment {
  name: string;
  value: string;
  dynamic: boolean;
}

/** A `<(…)` operand: what it prints (when fixed) and the commands that print it. */
export interface ProcessInput {
  index: number;
  text: string | undefined;
  producers: string[][];
}

/** One simple command as the shell would run it. */
export interface SimpleCommand {
  /** Normalised words: the command name first. Empty for a bare redirection or assignment. */
  argv: string[];
  /** Parallel to `argv`: the word could not be resolved. Absent when every word is fixed. */
  dynamic?: boolean[];
  redirects: Redirect[];
  /** The argv of every earlier pipeline stage whose output flows into this command. */
  stdinFrom: string[][];
  /** Text fed to stdin by a here-doc, a here-string, or `echo`/`printf` earlier in the pipeline. */
  stdinText: string | undefined;
  /** Assignments before the command (its environment), or a bare assignment statement. */
  assignments?: Assignment[];
  /** `<(…)` operands. */
  processInputs?: ProcessInput[];
  /** The name is a function defined earlier in the same script (its body is walked as well). */
  callsFunction?: true;
}

/** The result of extracting the commands of one script. */
export interface ExtractedScript {
  commands: SimpleCommand[];
  /** Whether the parser had to recover from a syntax error. */
  hasError: boolean;
  /** Code the script would evaluate indirectly (a variable holding `$(…)` used in arithmetic, `${x@P}`). */
  evaluatedCode: string[];
  /** Names of functions that call themselves in a pipeline or in the background (fork bombs). */
  forkBombs: string[];
  /** Texts that a substitution decoded (`$(echo … | base64 -d)`): a script made of one hides what it does. */
  decodedPayloads: string[];
}

/**
 * Options of {@link extractCommands}, for callers that need more than the safety engine does (the effect preview).
 * Both default to off, so the engine's walk costs nothing extra.
 */
export interface ExtractOptions {
  /** Variables known before the script starts (e.g. the user's environment); default none. */
  environment?: ReadonlyMap<string, string>;
  /**
   * Called for every simple command with the syntax nodes of its words (one per word as written, so one node
   * may stand for several argv entries), of its redirection targets (parallel to `redirects`) and the variables
   * known at that point.
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

interface WalkState extends ShellScope {
  environment: Map<string, string>;
  symbolic: Map<string, string>;
  arrays: Map<string, string[]>;
  positional: string[] | undefined;
  /** Literal values that hold `$(…)` or backquotes: code that runs if the value is ever evaluated. */
  storedCode: Map<string, string>;
  /** Whether the script can hold a command or process substitution at all; most do not, and looking is costly. */
  substitutions: boolean;
  commands: SimpleCommand[];
  pending: PendingStdin | undefined;
  onCommand: ExtractOptions["onCommand"];
  evaluatedCode: string[];
  decodedPayloads: string[];
  functions: Map<string, Node>;
  depth: number;
}

const MAXIMUM_LOOP_VALUES = 4;
/** Nested calls of script functions re-walked with their arguments; deeper ones keep their first walk only. */
const MAXIMUM_CALL_DEPTH = 3;
const STATEMENT_OPERATOR = /^(&&|\|\||;|;;|&|\||\|&)$/;
const CODE_IN_VALUE = /\$\(|`/;
/** Stages that turn hidden text into readable text: a payload decoded by them was hidden on purpose. */
const DECODERS = new Set([
  "base64",
  "base32",
  "basenc",
  "xxd",
  "openssl",
  "gunzip",
  "zcat",
  "rev",
  "tr",
  "uudecode",
]);

/** Extracts every simple command under `root`, in execution order. */
export function extractCommands(root: Node, options: ExtractOptions = {}): ExtractedScript {
  const state: WalkState = {
    environment: new Map(options.environment),
    symbolic: new Map(),
    arrays: new Map(),
    positional: undefined,
    storedCode: new Map(),
    substitutions: /\$\(|`|[<>]\(/.test(root.text),
    commands: [],
    pending: undefined,
    onCommand: options.onCommand,
    evaluatedCode: [],
    decodedPayloads: [],
    functions: new Map(),
    depth: 0,
  };
  state.evaluate = (node) => evaluateSubstitution(node, state);
  state.onCode = (code) => state.evaluatedCode.push(code);
  walk(root, state);
  noteStoredCodeUse(root.text, state);
  return {
    commands: state.commands,
    hasError: root.hasError && !onlyKnownMisparses(root),
    evaluatedCode: state.evaluatedCode,
    forkBombs: forkBombsOf(state),
    decodedPayloads: state.decodedPayloads,
  };
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
      assign(node, state, true);
      return;
    case "for_statement":
      walkFor(node, state);
      return;
    case "declaration_command":
    case "unset_command":
      walkDeclaration(node, state);
      return;
    case "function_definition":
      defineFunction(node, state);
      return;
    case "arithmetic_expansion":
    case "test_command":
    case "subscript":
      noteEvaluatedNames(node.text, state);
      // `[[ -v 'a[$(cmd)]' ]]`: a quoted subscript is still evaluated.
      for (const match of node.text.matchAll(/\w\[[^\]]*?\$\(((?:[^()]|\([^()]*\))*)\)/g))
        state.evaluatedCode.push(match[1] ?? "");
      walkChildren(node, state);
      return;
    case "compound_statement":
      // `(( … ))` is a compound statement of expressions: its names are evaluated arithmetically.
      if (node.text.startsWith("((")) noteEvaluatedNames(node.text, state);
      walkChildren(node, state);
      return;
    default:
      walkChildren(node, state);
  }
}

function walkChildren(node: Node, state: WalkState): void {
  for (const child of node.namedChildren) walk(child, state);
}

function walkCommand(
  node: Node,
  state: WalkState,
  redirects: Redirect[],
  stdinText: string | undefined,
  redirectNodes?: (Node | undefined)[],
): SimpleCommand {
  const argv: string[] = [];
  const dynamic: boolean[] = [];
  const assignments: Assignment[] = [];
  const processInputs: ProcessInput[] = [];
  const writers: Node[] = [];
  const ownRedirects = [...redirects];
  let ownStdinFrom: string[][] = [];
  // Syntax nodes are collected only for an `onCommand` caller: the safety engine's walk stays as lean as it was.
  const argvNodes: Node[] | undefined = state.onCommand ? [] : undefined;
  const ownRedirectNodes: (Node | undefined)[] | undefined = state.onCommand
    ? [...(redirectNodes ?? [])]
    : undefined;
  let ownStdinText = stdinText;
  node.namedChildren.forEach((child, index) => {
    if (child.type === "variable_assignment") {
      walkSubstitutions(child, state);
      const name = child.childForFieldName("name")?.text;
      const value = child.childForFieldName("value");
      if (name !== undefined) {
        const expanded = value ? expandWord(value, state) : { values: [""], dynamic: false };
        assignments.push({ name, value: expanded.values.join(" "), dynamic: expanded.dynamic });
      }
    } else if (child.type === "command_name" || node.fieldNameForNamedChild(index) === "argument") {
      const word = child.type === "command_name" ? (child.firstNamedChild ?? child) : child;
      argvNodes?.push(word);
      if (word.type === "process_substitution") {
        if (word.text.startsWith(">(")) writers.push(word);
        else processInputs.push({ index: argv.length, ...producedBy(word, state) });
        argv.push(word.text);
        dynamic.push(false);
        return;
      }
      const expanded = expandWord(word, state);
      for (const value of expanded.values) {
        argv.push(value);
        dynamic.push(expanded.dynamic);
      }
      walkSubstitutions(child, state);
    } else if (child.type === "file_redirect") {
      const destination = child.childForFieldName("destination");
      const redirect = redirectOf(child, state);
      ownRedirectNodes?.push(destination ?? undefined);
      if (destination?.type === "process_substitution") {
        if (destination.text.startsWith(">(")) writers.push(destination);
        else if (redirect.operator === "<") {
          const produced = producedBy(destination, state);
          ownStdinText = produced.text;
          ownStdinFrom = produced.producers;
        }
      } else walkSubstitutions(child, state);
      ownRedirects.push(redirect);
    } else if (child.type === "herestring_redirect") {
      const word = child.firstNamedChild;
      ownStdinText = word ? `${expandWord(word, state).values.join(" ")}\n` : undefined;
      walkSubstitutions(child, state);
    } else {
      walkSubstitutions(child, state);
    }
  });
  const pending = state.pending;
  state.pending = undefined;
  const command: SimpleCommand = {
    argv,
    redirects: ownRedirects,
    stdinFrom: ownStdinFrom.length > 0 ? ownStdinFrom : pending ? [pending.from] : [],
    stdinText: ownStdinText ?? pending?.text,
  };
  if (dynamic.includes(true)) command.dynamic = dynamic;
  if (assignments.length > 0) command.assignments = assignments;
  if (processInputs.length > 0) command.processInputs = processInputs;
  noteCommandEffects(command, state);
  state.commands.push(command);
  callFunction(command, state);
  state.onCommand?.(command, { argv: argvNodes ?? [], redirects: ownRedirectNodes ?? [] }, state.environment);
  // `tee >(nc host 1)`, `cat key > >(curl -d @- …)`: what the command writes flows into the substitution.
  for (const writer of writers) {
    state.pending = { from: argv, text: textOutput(argv, command.stdinText) };
    for (const inner of writer.namedChildren) walk(inner, state);
    state.pending = undefined;
  }
  return command;
}

/**
 * A call of a function defined earlier with arguments (`f() { rm -rf "$@"; }; f /`): its body runs again with
 * those arguments as the positional parameters, so what it does to them is judged, not only to "$@".
 */
function callFunction(command: SimpleCommand, state: WalkState): void {
  const [name, ...args] = command.argv;
  const body = name === undefined ? undefined : state.functions.get(name);
  if (body === undefined) return;
  command.callsFunction = true;
  if (args.length === 0 || state.depth >= MAXIMUM_CALL_DEPTH) return;
  const saved = state.positional;
  state.positional = args;
  state.depth++;
  try {
    walk(body, state);
  } finally {
    state.depth--;
    state.positional = saved;
  }
}

/** What `<(…)` prints, when fixed, and the commands inside it (walked: they run too). */
function producedBy(node: Node, state: WalkState): { text: string | undefined; producers: string[][] } {
  const before = state.commands.length;
  const saved = state.pending;
  state.pending = undefined;
  for (const inner of node.namedChildren) walk(inner, state);
  state.pending = saved;
  const ran = state.commands.slice(before).filter((command) => command.argv.length > 0);
  const last = ran.at(-1);
  return {
    text: last === undefined ? undefined : textOutput(last.argv, last.stdinText),
    producers: ran.map((command) => command.argv),
  };
}

/** `set -- a b`, `shift`, `printf -v x …`, `read x`: what a builtin does to the variables that follow. */
function noteCommandEffects(command: SimpleCommand, state: WalkState): void {
  const [name, ...args] = command.argv;
  if (name === "set" && args[0] === "--") state.positional = args.slice(1);
  else if (name === "shift") state.positional = state.positional?.slice(Number(args[0] ?? 1) || 1);
  else if (name === "printf" && args[0] === "-v" && args[1] !== undefined) {
    const value = command.dynamic?.some(Boolean)
      ? undefined
      : textOutput(["printf", ...args.slice(2)], undefined);
    if (value === undefined) state.environment.delete(args[1]);
    else state.environment.set(args[1], value);
  } else if (name === "read" || name === "mapfile" || name === "readarray" || name === "getopts") {
    for (const word of args) if (/^[A-Za-z_]\w*$/.test(word)) forget(word, state);
  } else if (name === "let" || name === "declare" || name === "typeset")
    noteEvaluatedNames(args.join(" "), state);
}

function forget(name: string, state: WalkState): void {
  state.environment.delete(name);
  state.symbolic.delete(name);
  state.arrays.delete(name);
  state.storedCode.delete(name);
}

function walkRedirected(node: Node, state: WalkState): void {
  const redirects: Redirect[] = [];
  const redirectNodes: (Node | undefined)[] | undefined = state.onCommand ? [] : undefined;
  let stdinText: string | undefined;
  let stdinFrom: string[][] | undefined;
  const nested: Node[] = [];
  const body = node.childForFieldName("body");
  let hereString = false;
  for (const child of node.namedChildren) {
    if (child.id === body?.id) continue;
    if (isHereStringMisparse(child)) {
      hereString = true;
      continue;
    }
    if (child.type === "file_redirect" && hereString) {
      // `cat >> f <<< 'text'`: the grammar reads `<<<` after another redirection as an error and `< 'text'`.
      hereString = false;
      const word = child.childForFieldName("destination");
      stdinText = word ? `${expandWord(word, state).values.join(" ")}\n` : undefined;
      walkSubstitutions(child, state);
    } else if (child.type === "file_redirect") {
      const redirect = redirectOf(child, state);
      const destination = child.childForFieldName("destination");
      redirects.push(redirect);
      redirectNodes?.push(destination ?? undefined);
      if (destination?.type === "process_substitution") {
        // `sh < <(printf …)` reads what the substitution prints; `cmd > >(nc …)` feeds it (walked below).
        if (destination.text.startsWith(">(")) nested.push(...destination.namedChildren);
        else if (redirect.operator === "<") {
          const produced = producedBy(destination, state);
          stdinText = produced.text;
          stdinFrom = produced.producers;
        } else walkSubstitutions(child, state);
      } else walkSubstitutions(child, state);
    } else if (child.type === "herestring_redirect") {
      const word = child.firstNamedChild;
      stdinText = word ? `${expandWord(word, state).values.join(" ")}\n` : undefined;
      walkSubstitutions(child, state);
    } else if (child.type === "heredoc_redirect") {
      const quotedDelimiter = /^<<-?\s*(['"\\])/.test(child.text);
      for (const part of child.namedChildren) {
        if (part.type === "heredoc_body") {
          stdinText = quotedDelimiter ? part.text : heredocText(part, state);
          // An unquoted here-doc expands `$(…)` in its body: those commands run.
          if (!quotedDelimiter) walkSubstitutions(part, state);
        } else if (part.type !== "heredoc_start" && part.type !== "heredoc_end") nested.push(part);
      }
    } else {
      walkSubstitutions(child, state);
    }
  }
  let ownerArgv: string[] = [];
  if (body?.type === "command") {
    const owner = walkCommand(body, state, redirects, stdinText, redirectNodes);
    if (stdinFrom !== undefined && stdinFrom.length > 0) owner.stdinFrom = stdinFrom;
    ownerArgv = owner.argv;
  } else {
    if (body) walk(body, state);
    const bare: SimpleCommand = { argv: [], redirects, stdinFrom: [], stdinText: undefined };
    state.commands.push(bare);
    state.onCommand?.(bare, { argv: [], redirects: redirectNodes ?? [] }, state.environment);
  }
  for (const part of nested) {
    state.pending = { from: ownerArgv, text: textOutput(ownerArgv, stdinText) };
    walk(part, state);
    state.pending = undefined;
  }
}

/** The text of an unquoted here-doc body with its known expansions substituted. */
function heredocText(body: Node, state: WalkState): string {
  let text = "";
  for (const part of body.namedChildren) {
    if (part.type === "heredoc_content") text += part.text;
    else text += expandWord(part, state).values.join(" ");
  }
  return body.namedChildCount === 0 ? body.text : text;
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
    if (first && earlier.length > 0 && first.stdinFrom.every((argv) => argv.length === 0))
      first.stdinFrom = [...earlier];
    // A stage can itself be a pipeline (`a | b 2>&1 | c` nests): everything it ran feeds the next stage.
    const ran = state.commands.slice(before).filter((command) => command.argv.length > 0);
    const last = ran.at(-1);
    flowingText = textOutput(last?.argv ?? [], last?.stdinText ?? flowingText);
    for (const command of ran) earlier.push(command.argv);
  }
}

/** `export X=/`, `declare -x Y`, `unset HISTFILE`: assignments count, and the builtin itself is judged too. */
function walkDeclaration(node: Node, state: WalkState): void {
  const argv = [node.firstChild?.text ?? "export"];
  const dynamic = [false];
  const assignments: Assignment[] = [];
  for (const child of node.namedChildren) {
    if (child.type === "variable_assignment") {
      assign(child, state, false);
      const name = child.childForFieldName("name")?.text ?? "";
      const value = child.childForFieldName("value");
      const expanded = value ? expandWord(value, state) : { values: [""], dynamic: false };
      assignments.push({ name, value: expanded.values.join(" "), dynamic: expanded.dynamic });
      argv.push(child.text);
      dynamic.push(expanded.dynamic);
    } else {
      walkSubstitutions(child, state);
      const expanded = expandWord(child, state);
      argv.push(expanded.values.join(" "));
      dynamic.push(expanded.dynamic);
      if (argv[0] === "unset") forget(expanded.values.join(" "), state);
    }
  }
  const command: SimpleCommand = { argv, redirects: [], stdinFrom: [], stdinText: undefined };
  if (dynamic.includes(true)) command.dynamic = dynamic;
  if (assignments.length > 0) command.assignments = assignments;
  state.commands.push(command);
}

function walkFor(node: Node, state: WalkState): void {
  const variable = node.childForFieldName("variable")?.text;
  const values: string[] = [];
  let unknown = false;
  for (const child of node.childrenForFieldName("value")) {
    walkSubstitutions(child, state);
    const expanded = expandWord(child, state);
    values.push(...expanded.values);
    if (expanded.dynamic) unknown = true;
  }
  const body = node.childForFieldName("body");
  if (!body) return;
  const rounds =
    variable && values.length > 0 && !unknown ? values.slice(0, MAXIMUM_LOOP_VALUES) : [undefined];
  for (const value of rounds) {
    if (variable) {
      if (value === undefined) forget(variable, state);
      else state.environment.set(variable, value);
    }
    walk(body, state);
  }
}

function assign(node: Node, state: WalkState, statement: boolean): void {
  const name = node.childForFieldName("name")?.text;
  const value = node.childForFieldName("value");
  if (value) walkSubstitutions(value, state);
  if (!name) return;
  if (value?.type === "array") {
    const elements: string[] = [];
    let unknown = false;
    for (const element of value.namedChildren) {
      const expanded = expandWord(element, state);
      elements.push(...expanded.values);
      if (expanded.dynamic) unknown = true;
    }
    forget(name, state);
    if (!unknown) state.arrays.set(name, elements);
    return;
  }
  const expanded = value ? expandWord(value, state) : { values: [""], dynamic: false };
  const text = expanded.values.join(" ");
  forget(name, state);
  if (!expanded.dynamic) state.environment.set(name, text);
  else if (!/\$\(|`/.test(text)) state.symbolic.set(name, text);
  if (CODE_IN_VALUE.test(text) && !expanded.dynamic) state.storedCode.set(name, text);
  if (statement) {
    // A bare assignment changes the rest of the script (`PATH=/tmp:$PATH`, `LD_PRELOAD=…`): judged too.
    state.commands.push({
      argv: [],
      redirects: [],
      stdinFrom: [],
      stdinText: undefined,
      assignments: [{ name, value: text, dynamic: expanded.dynamic }],
    });
  }
}

/**
 * A variable holding literal `$(…)` code that is used anywhere after it is set (`declare -i n=$x`, `${s:x}`,
 * `b[x]=1`, `${!x}`, `unset $x`): bash evaluates such values in more places than can be listed, so any use counts.
 */
function noteStoredCodeUse(text: string, state: WalkState): void {
  for (const [name, code] of state.storedCode) {
    const uses = text.match(new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`, "g"))?.length ?? 0;
    const assignments =
      text.match(new RegExp(`(^|[^A-Za-z0-9_])${name}(\\[[^\\]]*\\])?\\+?=`, "g"))?.length ?? 0;
    if (uses > assignments && !state.evaluatedCode.includes(code)) state.evaluatedCode.push(code);
  }
}

/** tree-sitter-bash reads `cmd > f <<< word` as `cmd > f`, an ERROR node `<<` and `< word`. */
function isHereStringMisparse(node: Node): boolean {
  return node.type === "ERROR" && node.text === "<<" && node.nextNamedSibling?.type === "file_redirect";
}

/** Whether every syntax error in the tree is one the walk reads correctly anyway. */
function onlyKnownMisparses(root: Node): boolean {
  const errors: Node[] = [];
  const visit = (node: Node): void => {
    if (node.type === "ERROR" || node.isMissing) errors.push(node);
    else if (node.hasError) for (const child of node.children) visit(child);
  };
  visit(root);
  return errors.length > 0 && errors.every(isHereStringMisparse);
}

/** Names evaluated arithmetically (`$((x))`, `(( x ))`, `[[ x -eq 1 ]]`, `let x`, `a[x]`) run code they hold. */
function noteEvaluatedNames(text: string, state: WalkState): void {
  if (state.storedCode.size === 0) return;
  for (const [name, code] of state.storedCode)
    if (new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`).test(text)) state.evaluatedCode.push(code);
}

function defineFunction(node: Node, state: WalkState): void {
  const name = node.childForFieldName("name")?.text ?? node.namedChildren[0]?.text;
  const body = node.childForFieldName("body");
  if (name !== undefined && body) state.functions.set(name, body);
  if (body) walk(body, state);
}

/** A function whose body runs itself twice (`f|f`) or in the background (`f&`), and that is called. */
function forkBombsOf(state: WalkState): string[] {
  const bombs: string[] = [];
  for (const [name, body] of state.functions) {
    const text = body.text;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const calls = text.match(new RegExp(`(^|[\\s;|&({])${escaped}(?=[\\s;|&)}]|$)`, "g"))?.length ?? 0;
    const backgrounded = new RegExp(`${escaped}\\s*&(?!&)`).test(text);
    const called = state.commands.some((command) => command.argv[0] === name);
    if (called && (calls >= 2 || backgrounded)) bombs.push(name);
  }
  return bombs;
}

function redirectOf(node: Node, state: WalkState): Redirect {
  const destination = node.childForFieldName("destination");
  const descriptor = node.childForFieldName("descriptor");
  const start = descriptor ? descriptor.endIndex : node.startIndex;
  const end = destination ? destination.startIndex : node.endIndex;
  const operator = node.text.slice(start - node.startIndex, end - node.startIndex).trim();
  if (!destination) return { operator, target: "" };
  if (destination.type === "process_substitution") return { operator, target: destination.text };
  const expanded = expandWord(destination, state);
  const redirect: Redirect = { operator, target: expanded.values.join(" ") };
  if (expanded.dynamic) redirect.dynamic = true;
  return redirect;
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
  if (node.type === "arithmetic_expansion" || node.type === "subscript") noteEvaluatedNames(node.text, state);
  // Most words have no children at all; skip the allocation of an empty child list.
  if (node.namedChildCount === 0) return;
  for (const child of node.namedChildren) walkSubstitutions(child, state);
}

/** The fixed output of `$(…)`: echo/printf/decoders of literal text, or `$(which rm)` → `rm`. */
function evaluateSubstitution(node: Node, state: WalkState): string | undefined {
  const inner = node.namedChildren;
  const only = inner.length === 1 ? inner[0] : undefined;
  if (only === undefined || state.depth > 4) return undefined;
  if (only.type === "command") {
    const first = only.namedChildren[0];
    const words = only.namedChildren.map((child) => expandWord(child, state).values.join(" "));
    // `` `which rm` -rf / ``, `$(command -v rm)`: the path of a command is that command.
    if (
      first?.type === "command_name" &&
      (words[0] === "which" ||
        (words[0] === "command" && words[1] === "-v") ||
        (words[0] === "type" && /^-[pP]$/.test(words[1] ?? "")))
    )
      return words.length >= 2 ? words.at(-1) : undefined;
  }
  if (!["command", "pipeline", "redirected_statement"].includes(only.type)) return undefined;
  // Walk it on the side (its commands are judged by the main walk as well) and fold its pipeline.
  const side: WalkState = {
    ...state,
    commands: [],
    pending: undefined,
    onCommand: undefined,
    depth: state.depth + 1,
  };
  side.evaluate = (nested) => evaluateSubstitution(nested, side);
  walk(only, side);
  const ran = side.commands.filter((command) => command.argv.length > 0);
  const last = ran.at(-1);
  if (last === undefined || ran.some((command) => command.dynamic?.some(Boolean))) return undefined;
  const output = textOutput(last.argv, last.stdinText);
  if (output !== undefined && ran.some((command) => DECODERS.has(command.argv[0] ?? "")))
    state.decodedPayloads.push(output.trim());
  return output;
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

/** Whether a token is a statement separator (used by the fallback tokenisers). */
export function isStatementOperator(token: string): boolean {
  return STATEMENT_OPERATOR.test(token);
}

/**
 * The tolerant answer parser, for servers and models that ignore the requested JSON format. It looks for the
 * command in the places real models put it, most explicit first:
 *
 * 1. the whole answer as JSON (`command`, `cmd` or `shell_command`; also a JSON-encoded string of an answer);
 * 2. JSON inside a fenced block, then JSON embedded in prose;
 * 3. the first fenced code block (any language tag, closed or cut off);
 * 4. a `Command:` line;
 * 5. inline backticks;
 * 6. an answer that is a lone command line (a `$ `, `PS> ` or `> ` prompt is stripped).
 *
 * `<think>…</think>` blocks are removed first (also a block whose opening tag was in the prompt template, and
 * one that was never closed). Multi-line commands are kept whole. When none of these finds a command the
 * answer is a typed `answer_unparseable` error: the parser never guesses one from prose.
 */
import { BackendError } from "../errors.js";
import type { ShellName } from "../shells.js";

/** A command found in a model's answer. */
export interface ParsedAnswer {
  command: string;
  explanation?: string | undefined;
}

export interface ParseAnswerOptions {
  /** The target shell: decides which prompts and comment lines are stripped. */
  shell: ShellName;
}

const COMMAND_KEYS = ["command", "cmd", "shell_command"];
const EXPLANATION_KEYS = ["explanation", "description", "explain"];
const WRAPPER_KEYS = ["answer", "result", "response", "output"];

/** Parse a model's answer into a command, or throw `BackendError("answer_unparseable")`. */
export function parseAnswer(text: string, options: ParseAnswerOptions): ParsedAnswer {
  const found = findAnswer(text, options, 0);
  if (found !== undefined) return found;
  throw noCommandError(text);
}

function findAnswer(text: string, options: ParseAnswerOptions, depth: number): ParsedAnswer | undefined {
  const visible = removeThinking(text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n")).trim();
  if (visible === "") return undefined;

  const whole = parseJson(visible);
  if (typeof whole === "string" && depth === 0) return findAnswer(whole, options, depth + 1);
  if (isRecord(whole)) return fromJson(whole, options);

  const fences = findFences(visible);
  for (const fence of fences) {
    const value = parseJson(fence.content.trim());
    if (isRecord(value)) {
      const answer = fromJson(value, options);
      if (answer !== undefined) return answer;
    }
  }
  const prose = removeRanges(visible, fences);
  for (const candidate of embeddedObjects(prose)) {
    const answer = fromJson(candidate, options);
    if (answer !== undefined) return answer;
  }
  for (const fence of fences) {
    if (parseJson(fence.content.trim()) !== undefined) continue;
    const command = cleanCommand(fence.content, options.shell);
    if (command !== "") return { command };
  }
  const labelled = commandLine(prose, options.shell);
  if (labelled !== undefined) return { command: labelled };
  const inline = inlineCode(prose, options.shell);
  if (inline !== undefined) return { command: inline };
  const lone = loneCommand(visible, options.shell);
  return lone === undefined ? undefined : { command: lone };
}

function noCommandError(text: string): BackendError {
  const preview = text.replace(/\s+/g, " ").trim().slice(0, 120);
  return new BackendError(
    "answer_unparseable",
    preview === ""
      ? "The model's answer was empty: it contains no command."
      : `The model's answer contains no command: "${preview}${text.length > 120 ? "…" : ""}"`,
    {
      hint: "Rephrase the request or try again; a model that follows instructions (e.g. qwen2.5-coder) helps. --verbose shows the raw answer.",
    },
  );
}

const THINK_OPEN = /<(think|thinking|reasoning)>/i;
const THINK_CLOSE = /<\/(think|thinking|reasoning)>/i;

/**
 * Drop reasoning blocks: closed ones, one whose opening tag was in the prompt template (only `</think>` in the
 * answer: everything before it is reasoning), and one never closed (everything after it is reasoning).
 */
export function removeThinking(text: string): string {
  let rest = text;
  for (let guard = 0; guard < 50; guard++) {
    const open = THINK_OPEN.exec(rest);
    const close = THINK_CLOSE.exec(rest);
    if (close !== null && (open === null || close.index < open.index)) {
      rest = rest.slice(close.index + close[0].length);
    } else if (open !== null && close !== null) {
      rest = rest.slice(0, open.index) + rest.slice(close.index + close[0].length);
    } else if (open !== null) {
      rest = rest.slice(0, open.index);
    } else {
      break;
    }
  }
  return rest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON.parse, retried once without trailing commas (a common slip); undefined when not JSON. */
function parseJson(text: string): unknown {
  if (!/^[[{"]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    try {
      return JSON.parse(text.replace(/,(\s*[}\]])/g, "$1")) as unknown;
    } catch {
      return undefined;
    }
  }
}

function keyed(record: Record<string, unknown>, keys: string[]): unknown {
  for (const [key, value] of Object.entries(record)) {
    if (keys.includes(key.toLowerCase())) return value;
  }
  return undefined;
}

/** The command (and explanation) in a JSON object, also one level down (`{"answer": {"command": …}}`). */
function fromJson(record: Record<string, unknown>, options: ParseAnswerOptions): ParsedAnswer | undefined {
  const raw = keyed(record, COMMAND_KEYS);
  let command: string | undefined;
  if (typeof raw === "string") command = cleanCommand(raw, options.shell);
  else if (Array.isArray(raw) && raw.length > 0 && raw.every((part) => typeof part === "string")) {
    command = cleanCommand(raw.join("\n"), options.shell);
  }
  if (command === undefined || command === "") {
    for (const key of WRAPPER_KEYS) {
      const inner = keyed(record, [key]);
      if (isRecord(inner)) return fromJson(inner, options);
    }
    return undefined;
  }
  const explanation = keyed(record, EXPLANATION_KEYS);
  return typeof explanation === "string" && explanation.trim() !== ""
    ? { command, explanation: explanation.trim() }
    : { command };
}

interface Fence {
  start: number;
  end: number;
  content: string;
}

const FENCE_LANGUAGES =
  /^(bash|sh|shell|zsh|fish|console|terminal|shell-session|powershell|pwsh|ps1|ps|cmd|bat|batch|json|text|plaintext|txt)\b/i;

/** Fenced code blocks (``` or ~~~), in order; a final unclosed fence runs to the end of the text. */
function findFences(text: string): Fence[] {
  const fences: Fence[] = [];
  const opener = /(`{3,}|~{3,})/g;
  let match: RegExpExecArray | null;
  while ((match = opener.exec(text)) !== null) {
    const marker = match[1] ?? "```";
    const start = match.index;
    const bodyStart = start + marker.length;
    const closeAt = text.indexOf(marker, bodyStart);
    const end = closeAt === -1 ? text.length : closeAt + marker.length;
    let body = text.slice(bodyStart, closeAt === -1 ? text.length : closeAt);
    const newline = body.indexOf("\n");
    if (newline !== -1 && !/\s/.test(body.slice(0, newline).trim())) {
      body = body.slice(newline + 1); // the language tag line (possibly empty)
    } else if (newline === -1) {
      body = body.replace(FENCE_LANGUAGES, ""); // one-line fence: ```bash ls -la```
    }
    fences.push({ start, end, content: body });
    opener.lastIndex = end;
  }
  return fences;
}

function removeRanges(text: string, ranges: readonly Fence[]): string {
  let result = "";
  let position = 0;
  for (const range of ranges) {
    result += `${text.slice(position, range.start)}\n`;
    position = range.end;
  }
  return result + text.slice(position);
}

/** JSON objects embedded in prose: balanced `{…}` spans (strings respected) that parse. */
function* embeddedObjects(text: string): Generator<Record<string, unknown>> {
  let from = text.indexOf("{");
  for (let tries = 0; from !== -1 && tries < 50; tries++) {
    const end = balancedEnd(text, from);
    if (end !== -1) {
      const value = parseJson(text.slice(from, end + 1));
      if (isRecord(value)) yield value;
    }
    from = text.indexOf("{", from + 1);
  }
}

function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (character === "\\") index++;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === "{") depth++;
    else if (character === "}") {
      depth--;
      if (depth === 0) return index;
    }
  }
  return -1;
}

/** A primary prompt at the start of a line: `$ `, `% `, `PS> `, `PS C:\dir> `, `C:\dir>`. */
const PRIMARY_PROMPT = /^\s*(?:\$|%|PS(?: [A-Za-z]:[^>\n]*)?>|[A-Za-z]:\\[^>\n]*>)\s?/;
/** Answers that mean "no command" (in JSON or alone), never run as one. */
const NON_COMMANDS = /^(?:none|null|nil|undefined|n\/a|nothing|unknown|no command|not applicable)\.?$/i;

/** The continuation prompt (`> `), also used alone as a prompt. */
const CONTINUATION_PROMPT = /^\s*>\s?/;

function hasPrimaryPrompt(line: string): boolean {
  return (
    /^\s*(?:\$|%|PS(?: [A-Za-z]:[^>\n]*)?>|[A-Za-z]:\\[^>\n]*>) /.test(line) ||
    /^\s*[A-Za-z]:\\[^>\n]*>\S/.test(line)
  );
}

function continues(line: string): boolean {
  return /[\\`^]\s*$/.test(line) || /(\|\||&&|\|)\s*$/.test(line);
}

/**
 * A command candidate made ready to run: surrounding backticks removed, prompts stripped (keeping only the
 * prompted lines and their continuations when a transcript mixes commands and output), leading comment lines
 * dropped, multi-line commands kept whole.
 */
export function cleanCommand(raw: string, shell: ShellName): string {
  let text = raw.replace(/\r\n?/g, "\n").trim();
  if (/^(`{3,}|~{3,})/.test(text)) text = (findFences(text)[0]?.content ?? "").trim();
  const wrapped = /^(`+)([\s\S]+)\1$/.exec(text);
  if (wrapped?.[2] !== undefined && !wrapped[2].includes("`")) text = wrapped[2].trim();
  let lines = text.split("\n");
  const first = lines.find((line) => line.trim() !== "") ?? "";
  if (hasPrimaryPrompt(first)) {
    const kept: string[] = [];
    let continuing = false;
    for (const line of lines) {
      if (hasPrimaryPrompt(line)) kept.push(line.replace(PRIMARY_PROMPT, ""));
      else if (continuing || (kept.length > 0 && CONTINUATION_PROMPT.test(line))) {
        kept.push(line.replace(CONTINUATION_PROMPT, ""));
      } else {
        continuing = false;
        continue;
      }
      continuing = continues(kept[kept.length - 1] ?? "");
    }
    lines = kept;
  } else if (CONTINUATION_PROMPT.test(first)) {
    lines = lines.map((line) => line.replace(CONTINUATION_PROMPT, ""));
  }
  const comment = shell === "cmd" ? /^\s*(?:rem\b|::)/i : /^\s*#/;
  while (lines.length > 1 && comment.test(lines[0] ?? "")) lines.shift();
  if (lines.length === 1 && comment.test(lines[0] ?? "")) return "";
  const command = lines.join("\n").trim();
  // Small models sometimes echo the prompt's template (`{"command": "<the command>"}`): that is no command.
  return /^<[^<>\n]*>$/.test(command) || NON_COMMANDS.test(command) ? "" : command;
}

const COMMAND_LABEL =
  /^\s*(?:[-*]\s+)?(?:\*\*|__)?(?:(?:the|this|shell|suggested|final)\s+)?command(?:\s+to\s+run)?(?:\s+is)?(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.*)$/i;
const INLINE_LABEL = /\b(?:the|this)\s+command(?:\s+to\s+run)?(?:\s+is)?\s*:\s*(.+)$/i;

/** A `Command: …` line (markdown bold allowed); the value may be on the next line. */
function commandLine(prose: string, shell: ShellName): string | undefined {
  const lines = prose.split("\n");
  for (const [index, line] of lines.entries()) {
    const match = COMMAND_LABEL.exec(line) ?? INLINE_LABEL.exec(line);
    if (match === null) continue;
    let value = (match[1] ?? "").trim();
    if (value === "") value = lines.slice(index + 1).find((next) => next.trim() !== "") ?? "";
    const command = cleanCommand(value.replace(/^(["'])(.*)\1$/, "$2"), shell);
    if (command !== "") return command;
  }
  return undefined;
}

/** Inline code spans: the first one that holds a command line (has a space), else the first one at all. */
function inlineCode(prose: string, shell: ShellName): string | undefined {
  const spans = [...prose.matchAll(/(`+)([^`\n]+?)\1/g)]
    .map((match) => (match[2] ?? "").trim())
    .filter((span) => span !== "" && !span.startsWith("-"));
  const chosen = spans.find((span) => /\s/.test(span)) ?? spans[0];
  return chosen === undefined ? undefined : cleanCommand(chosen, shell) || undefined;
}

/** Words that start English sentences, never a command: an answer starting with one is prose. */
const PROSE_STARTERS = new Set(
  "i i'm im sorry unfortunately here this that the a an you your to no it it's as there please note use try we my however since if".split(
    " ",
  ),
);

/**
 * An answer that is nothing but a command line: one line (or several joined by trailing `\`, or a prompt
 * transcript) that starts with a command-like word and does not read as a sentence.
 */
function loneCommand(visible: string, shell: ShellName): string | undefined {
  const lines = visible.split("\n").filter((line) => line.trim() !== "");
  const first = lines[0] ?? "";
  if (hasPrimaryPrompt(first)) {
    const command = cleanCommand(visible, shell);
    return command === "" ? undefined : command;
  }
  const joined = lines.slice(0, -1).every((line) => continues(line));
  if (!joined || lines.length === 0) return undefined;
  const command = cleanCommand(lines.join("\n"), shell);
  const firstWord = command.split(/\s+/)[0] ?? "";
  const commandLike =
    /^(?:[a-z0-9_.~/]|\.\/|\$\w|\()[\w.+/~:=$-]*$/.test(firstWord) ||
    /^[A-Z][a-z]+-[A-Z][A-Za-z]+$/.test(firstWord);
  if (!commandLike || PROSE_STARTERS.has(firstWord.toLowerCase())) return undefined;
  if (/[A-Za-z)][.!?]$/.test(command) || command.length > 2000) return undefined;
  return command;
}

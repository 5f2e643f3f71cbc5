/**
 * The GBNF that forces the model's answer into `{"command": "…"}` (plus `"explanation"` only when asked), and
 * the strict parser of what comes out. Strings are bounded and limited to printable ASCII: measured here, an
 * unbounded string never closes with random weights, and tokens carrying a NUL byte slip past a JSON-schema
 * grammar and break the JSON.
 *
 * Token economy: the fixed opening `{"command": "` is not generated. It is part of the prompt
 * ({@link ANSWER_PREFILL}, evaluated in one batch with the request), the grammar starts inside the string, and
 * without an explanation generation stops at the closing quote ({@link completedAnswer}). On 2 cores a prompt
 * token costs about a third of a generated one, and the closing `}` costs nothing.
 */
import { BackendError } from "../../errors.js";
import { MAX_COMMAND_LENGTH, MAX_EXPLANATION_LENGTH } from "../prompt.js";

/** The start of every answer, put in the model's mouth as part of the prompt. */
export const ANSWER_PREFILL = '{"command": "';

/**
 * The answer grammar for what follows {@link ANSWER_PREFILL}: the rest of the command string, then `}` or
 * (when `wantExplanation`) a bounded `"explanation"` member. `maxCommandLength` (default and ceiling
 * {@link MAX_COMMAND_LENGTH}) bounds the command.
 */
export function answerGrammar(
  wantExplanation: boolean,
  maxCommandLength: number = MAX_COMMAND_LENGTH,
): string {
  const bound = Math.max(1, Math.min(MAX_COMMAND_LENGTH, Math.floor(maxCommandLength)));
  // A command starts with a non-space character, so a whitespace-only command is impossible.
  const command = `first char{0,${bound - 1}} "\\""`;
  const explanation = wantExplanation
    ? ` ws "," ws "\\"explanation\\"" ws ":" ws "\\"" first char{0,${MAX_EXPLANATION_LENGTH - 1}} "\\""`
    : "";
  return [
    `root ::= ${command}${explanation} ws "}"`,
    // Printable ASCII except quote and backslash, or an escaped quote, backslash or slash.
    `first ::= [!#-\\[\\]-~] | "\\\\" ["\\\\/]`,
    `char ::= [ !#-\\[\\]-~] | "\\\\" ["\\\\/]`,
    `ws ::= [ ]?`,
  ].join("\n");
}

/**
 * The whole answer once `generated` (the text after {@link ANSWER_PREFILL}) completes it, else undefined.
 * Without an explanation the command string's closing quote ends it (the `}` is implied by the grammar), so
 * generation can stop one token early.
 */
export function completedAnswer(generated: string, wantExplanation: boolean): string | undefined {
  if (!wantExplanation) {
    for (let index = 0; index < generated.length; index++) {
      const character = generated[index];
      if (character === "\\") index++;
      else if (character === '"') return `${ANSWER_PREFILL}${generated.slice(0, index + 1)}}`;
    }
    return undefined;
  }
  if (!generated.trimEnd().endsWith("}")) return undefined;
  const text = `${ANSWER_PREFILL}${generated}`;
  try {
    JSON.parse(text);
    return text;
  } catch {
    return undefined;
  }
}

/** The parsed answer. */
export interface ParsedAnswer {
  command: string;
  explanation?: string | undefined;
}

function unparseable(detail: string, text: string): BackendError {
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  return new BackendError("answer_unparseable", `The model's answer is not a usable command: ${detail}.`, {
    hint: "Try rephrasing the request, or use a larger model (--model).",
    cause: new Error(`answer text: ${JSON.stringify(shown)}`),
  });
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** Parse the model's text strictly; never guesses. Throws `BackendError("answer_unparseable")`. */
export function parseAnswer(text: string, wantExplanation: boolean): ParsedAnswer {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw unparseable("it is not complete JSON (the answer may have been cut off)", text);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw unparseable("it is not a JSON object", text);
  }
  const record = value as Record<string, unknown>;
  const allowed = wantExplanation ? ["command", "explanation"] : ["command"];
  const extra = Object.keys(record).filter((key) => !allowed.includes(key));
  if (extra.length > 0) throw unparseable(`unexpected member ${extra.join(", ")}`, text);
  const command = record.command;
  if (typeof command !== "string") throw unparseable("it has no command string", text);
  const trimmed = command.trim();
  if (trimmed === "") throw unparseable("the command is empty", text);
  if (trimmed.length > MAX_COMMAND_LENGTH)
    throw unparseable(`the command is over ${MAX_COMMAND_LENGTH} characters`, text);
  if (!PRINTABLE.test(trimmed)) throw unparseable("the command holds non-printable characters", text);
  const explanation = record.explanation;
  if (explanation !== undefined && typeof explanation !== "string") {
    throw unparseable("the explanation is not a string", text);
  }
  const result: ParsedAnswer = { command: trimmed };
  if (typeof explanation === "string" && explanation.trim() !== "") result.explanation = explanation.trim();
  return result;
}

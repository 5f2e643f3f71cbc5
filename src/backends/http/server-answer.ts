/**
 * What the two server backends share once a request is built or an answer is back: sampling defaults, the
 * deadline hint, and turning the model's text into a command through the tolerant parser (with a clearer
 * message when the answer was cut off at the token limit).
 */
import type { Backend, GenerateOptions } from "../backend.js";
import type { ShellName } from "../../shells.js";
import { BackendError, isAbortError } from "../../errors.js";
import { parseAnswer } from "../parse-answer.js";
import type { ParsedAnswer } from "../parse-answer.js";
import { createDeadline } from "./http-client.js";
import type { Deadline, HttpClient } from "./http-client.js";
import { HttpStatusError } from "./http-errors.js";

/** Sampling temperature sent to servers: low, because a command has one right answer. */
export const SERVER_TEMPERATURE = 0.15;

/**
 * Token budget sent to servers (`num_predict`, `max_tokens`): roomy, because reasoning models (deepseek-r1,
 * qwen3) spend tokens in `<think>` before the command.
 */
export const SERVER_MAX_TOKENS = 1024;

/** Longest wait for an availability check, whatever the answer timeout: 5 s. */
export const AVAILABILITY_TIMEOUT_SECONDS = 5;

/** The deadline of one generation: the backend's timeout, else the global one (`--timeout`). */
export function generationDeadline(seconds: number, settingName: string): Deadline {
  return createDeadline(
    seconds,
    `Raise --timeout (or ${settingName} in the config, in seconds); a first request can be slow while the server loads the model.`,
  );
}

/** The command in a server's answer text; logs the raw text for `--verbose`. */
export function commandFromServerText(options: {
  text: string;
  shell: ShellName;
  /** The server stopped at the token limit (`done_reason`/`finish_reason` "length"). */
  truncated: boolean;
  log: (line: string) => void;
}): ParsedAnswer {
  options.log(`Raw answer: ${JSON.stringify(options.text.slice(0, 4000))}`);
  try {
    return parseAnswer(options.text, { shell: options.shell });
  } catch (error) {
    if (options.truncated && error instanceof BackendError) {
      throw new BackendError(
        "answer_unparseable",
        `${error.message} (the answer was cut off at the token limit)`,
        {
          hint: "Try a model that answers without long reasoning, or rephrase the request more narrowly.",
          cause: error,
        },
      );
    }
    throw error;
  }
}

/**
 * Availability through a cheap GET: `interpret` turns a 2xx body into the verdict; a server that answers
 * with an error status is still reachable (generation will report the real problem), except for a refused key.
 */
export async function checkAvailability(options: {
  client: HttpClient;
  path: string;
  timeoutSeconds: number;
  generate?: GenerateOptions | undefined;
  interpret: (text: string) => Awaited<ReturnType<Backend["isAvailable"]>>;
}): Promise<Awaited<ReturnType<Backend["isAvailable"]>>> {
  const seconds = Math.min(options.timeoutSeconds, AVAILABILITY_TIMEOUT_SECONDS);
  try {
    const response = await options.client.request({
      method: "GET",
      path: options.path,
      deadline: createDeadline(seconds, "The server is slow to answer; check its load."),
      signal: options.generate?.signal,
    });
    return options.interpret(response.text);
  } catch (error) {
    if (isAbortError(error)) throw error;
    if (error instanceof HttpStatusError && error.status !== 401 && error.status !== 403) {
      return { available: true, detail: error.message };
    }
    if (error instanceof BackendError) return { available: false, reason: error.message, hint: error.hint };
    throw error;
  }
}

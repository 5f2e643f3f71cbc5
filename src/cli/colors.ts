/** ANSI colours, used only when the stream is a TTY and colour is not turned off (NO_COLOR, `ui.color`). */
import type { CliWritable } from "./io.js";

export type ColorChoice = "auto" | "always" | "never";

/** Whether to colour output written to `stream`. */
export function shouldUseColor(choice: ColorChoice, stream: CliWritable, env: NodeJS.ProcessEnv): boolean {
  if (choice === "always") return true;
  if (choice === "never") return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

export interface Painter {
  bold: (text: string) => string;
  dim: (text: string) => string;
  red: (text: string) => string;
  yellow: (text: string) => string;
  green: (text: string) => string;
  cyan: (text: string) => string;
  magenta: (text: string) => string;
}

function wrap(open: number, close: number): (text: string) => string {
  return (text) => `\u001b[${open}m${text}\u001b[${close}m`;
}

/** A painter that colours, or one that leaves text alone. */
export function painter(enabled: boolean): Painter {
  if (!enabled) {
    const identity = (text: string): string => text;
    return {
      bold: identity,
      dim: identity,
      red: identity,
      yellow: identity,
      green: identity,
      cyan: identity,
      magenta: identity,
    };
  }
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
    magenta: wrap(35, 39),
  };
}

/**
 * The file that starts the CLI (`dist/cli/main.js` once built), for commands that make cmdai run itself later:
 * the warm model server and the agent hooks `cmdai guard install` writes. Resolved from this module, which
 * sits beside `main.ts` in the sources and beside `main.js` in the bundle (every chunk lands in `dist/cli/`).
 */
import { fileURLToPath } from "node:url";

/** The absolute path of the CLI's entry script (`main.js` next to this module; absent when run from sources). */
export function cliEntryScript(): string {
  return fileURLToPath(new URL("./main.js", import.meta.url));
}

/**
 * Loads the bash grammar (web-tree-sitter + the wasm that the `tree-sitter-bash` package ships) once per process.
 * The loader is lazy: importing this module costs nothing until {@link loadBashParser} is awaited.
 */
import { createRequire } from "node:module";
import type { Parser as TreeSitterParser, Tree } from "web-tree-sitter";

/** A ready bash parser. `parse` returns a tree the caller must `delete()`, or null on internal failure. */
export interface BashParser {
  parse(source: string): Tree | null;
}

let pending: Promise<BashParser> | undefined;

/** Loads the grammar on first call (about 40 ms) and returns the same parser afterwards. */
export function loadBashParser(): Promise<BashParser> {
  pending ??= createParser();
  return pending;
}

async function createParser(): Promise<BashParser> {
  // Measured here (Node 20): after the first parse, V8 tiers the grammar's wasm up with TurboFan and the process
  // then sits ~1.3 s before it can exit, so `cmdai check 'rm -rf "$X"'` took 1.6 s instead of 0.27 s. The baseline
  // (Liftoff) code parses a little slower once warm (about 44k vs 50k commands/s in the bench's best round) but is
  // faster over a cold batch of 1,400 commands (210 vs 340 ms). The flag only affects wasm compiled after it.
  // node:v8 is imported here, not at the top: `cmdai check` on a plain command never loads the grammar.
  const { setFlagsFromString } = await import("node:v8");
  setFlagsFromString("--liftoff-only");
  const { Parser, Language } = await import("web-tree-sitter");
  await Parser.init();
  const require = createRequire(import.meta.url);
  const language = await Language.load(require.resolve("tree-sitter-bash/tree-sitter-bash.wasm"));
  const parser: TreeSitterParser = new Parser();
  parser.setLanguage(language);
  // V8 compiles a wasm function on its first call, and the grammar's lexer is one large function (~30 ms to
  // compile here). Parse once now, so that the load pays it: a request loads the engine while the model
  // answers, and its first verdict then waits ~3 ms instead of ~40.
  parser.parse('a "$b" | c > d')?.delete();
  return { parse: (source) => parser.parse(source) };
}

/** Thrown by a deferred parser asked to parse before it has loaded; see {@link deferredBashParser}. */
export class ParserNotLoadedError extends Error {
  override readonly name = "ParserNotLoadedError";
  constructor() {
    super("The bash grammar is not loaded yet.");
  }
}

/**
 * A parser that loads the grammar only when a command needs it: most commands are plain enough for the fast
 * lexer, so a one-off `cmdai check 'ls -la'` then never pays the ~50 ms of wasm start-up. `parse` throws
 * {@link ParserNotLoadedError} until `load()` has finished.
 */
export function deferredBashParser(): BashParser & { load: () => Promise<void> } {
  let loaded: BashParser | undefined;
  return {
    parse(source) {
      if (loaded === undefined) throw new ParserNotLoadedError();
      return loaded.parse(source);
    },
    async load() {
      loaded ??= await loadBashParser();
    },
  };
}

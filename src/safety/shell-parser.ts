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
  const { Parser, Language } = await import("web-tree-sitter");
  await Parser.init();
  const require = createRequire(import.meta.url);
  const language = await Language.load(require.resolve("tree-sitter-bash/tree-sitter-bash.wasm"));
  const parser: TreeSitterParser = new Parser();
  parser.setLanguage(language);
  return { parse: (source) => parser.parse(source) };
}

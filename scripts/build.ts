/**
 * Builds `dist/`: the CLI as an ES-module bundle of our sources and the pure-JS packages they use. Why a
 * bundle: on the 2-core dev machine, resolving, reading and compiling ~55 separate modules was a third of
 * `cmdai check`'s start-up, and zod's ~100 modules another 130 ms whenever a setting was present. Dynamic imports stay dynamic (code splitting), so
 * each command still loads only what it needs. Every chunk lands in `dist/cli/`, next to `main.js`: code that
 * finds files relative to `import.meta.url` (package.json, the CLI entry for the model server) keeps working.
 *
 * Entry points: `dist/cli/main.js` (the `cmdai` bin) and `dist/safety/safety-engine.js` (the bench's
 * fresh-process check). Types are checked separately by `npm run typecheck`.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist");

/**
 * The config schema's identity for the validated-config cache: a hash of every source that decides what a
 * valid configuration is and what validating it yields (config folder, the choice lists it imports, version).
 */
function configFingerprint(): string {
  const hash = createHash("sha256");
  const sources = [
    ...fs
      .readdirSync(path.join(root, "src", "config"))
      .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
      .sort()
      .map((name) => path.join("src", "config", name)),
    path.join("src", "shells.ts"),
    path.join("src", "safety", "types.ts"),
    "package.json",
  ];
  for (const source of sources)
    hash
      .update(source)
      .update("\0")
      .update(fs.readFileSync(path.join(root, source)));
  return hash.digest("hex");
}

// A clean folder: chunk names carry content hashes, and stale chunks must not ship.
fs.rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/cli/main.ts", "src/safety/safety-engine.ts"],
  outbase: "src",
  outdir: "dist",
  chunkNames: "cli/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Pure-JS packages are bundled too: zod alone is ~100 modules, 130 ms to load separately on this machine
  // and needed whenever anything is configured. Kept external: native code and wasm that find their own
  // files; undici (only for downloads); yaml (only for --output yaml, and its CommonJS build loses its named
  // exports when bundled: `stringify is not a function`).
  external: ["node-llama-cpp", "web-tree-sitter", "tree-sitter-bash", "undici", "yaml"],
  // Bundled CommonJS packages (commander) call require() for Node's built-in modules.
  banner: {
    js: 'import { createRequire as __cmdaiCreateRequire } from "node:module"; const require = __cmdaiCreateRequire(import.meta.url);',
  },
  // Readable stack traces for `--verbose`: no identifier mangling.
  minifyWhitespace: false,
  legalComments: "eof",
  define: { __CMDAI_CONFIG_FINGERPRINT__: JSON.stringify(configFingerprint()) },
  logLevel: "warning",
  metafile: true,
});
const outputs = Object.keys(result.metafile.outputs);
const bytes = outputs.reduce((sum, file) => sum + (result.metafile.outputs[file]?.bytes ?? 0), 0);
console.log(`dist: ${outputs.length} files, ${Math.round(bytes / 1024)} KiB`);

/**
 * `npm run lint` runs this: it fails (exit 1) on an import cycle in `src/` or an import that breaks the
 * layering, listing each with the files involved. The rules are in `import-graph.ts`.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildImportGraph, findCycles, layerViolations } from "./import-graph.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Every non-test TypeScript file under `src/`, relative to the root, `/`-separated. */
export function readSourceFiles(directory = path.join(root, "src"), files = new Map<string, string>()) {
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const absolute = path.join(directory, entry.name);
    if (entry.isDirectory()) readSourceFiles(absolute, files);
    else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
      files.set(path.relative(root, absolute).split(path.sep).join("/"), fs.readFileSync(absolute, "utf8"));
    }
  }
  return files;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const edges = buildImportGraph(readSourceFiles());
  const cycles = findCycles(edges);
  const violations = layerViolations(edges);
  for (const cycle of cycles) console.error(`import cycle: ${cycle.join(" ↔ ")}`);
  for (const { edge, problem } of violations) {
    console.error(`layer break: ${edge.from} → ${edge.to} (${edge.kind} import): ${problem}`);
  }
  if (cycles.length > 0 || violations.length > 0) process.exit(1);
}

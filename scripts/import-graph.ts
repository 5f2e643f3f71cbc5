/**
 * The import graph of `src/` and the two rules it must keep: no cycles, and the layering of DEVELOPERS.md
 * (`cli → guard → core → {backends, safety, models, config, exec, preview} → shared files`, with no
 * `models → backends` and no `safety → config`). Every kind of import counts — static, `import type`,
 * `export … from`, dynamic `import()` and `import("…")` types — because a type-only or lazy edge is still a
 * dependency a reader has to follow, and ESLint's `import-x/no-cycle` skips type-only imports entirely.
 *
 * `scripts/check-imports.ts` runs this over the real tree (in `npm run lint`); `import-graph.test.ts` shows it
 * catches a type-only cycle, a dynamic-import cycle and each forbidden edge.
 */
import path from "node:path";
import ts from "typescript";

/** How a module refers to another. */
export type ImportKind = "static" | "type" | "dynamic" | "re-export";

/** One edge of the graph, between two files relative to the root, `/`-separated. */
export interface ImportEdge {
  from: string;
  to: string;
  kind: ImportKind;
}

/** The relative module specifiers of one source text, with how each is imported. */
export function importsOf(fileName: string, text: string): { specifier: string; kind: ImportKind }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: { specifier: string; kind: ImportKind }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.phaseModifier === ts.SyntaxKind.TypeKeyword ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      found.push({ specifier: node.moduleSpecifier.text, kind: typeOnly ? "type" : "static" });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({ specifier: node.moduleSpecifier.text, kind: "re-export" });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, kind: "dynamic" });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ specifier: node.argument.literal.text, kind: "type" });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((entry) => entry.specifier.startsWith("."));
}

/**
 * The edges between the given files (`path → text`, paths relative to the root with `/`). A `./x.js`
 * specifier names `x.ts` (NodeNext); specifiers that match no given file (packages, JSON) are left out.
 */
export function buildImportGraph(files: ReadonlyMap<string, string>): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const [from, text] of files) {
    for (const { specifier, kind } of importsOf(from, text)) {
      const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
      const candidates = [joined.replace(/\.js$/, ".ts"), joined, `${joined}.ts`, `${joined}/index.ts`];
      const to = candidates.find((candidate) => files.has(candidate));
      if (to !== undefined) edges.push({ from, to, kind });
    }
  }
  return edges;
}

/** Every cycle's files (strongly connected components of more than one file, or a file importing itself). */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  // Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  const nodes = [...new Set(edges.flatMap((edge) => [edge.from, edge.to]))].sort();
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; child: number }[] = [{ node: root, child: 0 }];
    index.set(root, counter);
    lowLink.set(root, counter);
    counter += 1;
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const children = next.get(frame.node) ?? [];
      const child = children[frame.child];
      if (child !== undefined) {
        frame.child += 1;
        if (!index.has(child)) {
          index.set(child, counter);
          lowLink.set(child, counter);
          counter += 1;
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, child: 0 });
        } else if (onStack.has(child)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(child)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) {
        lowLink.set(parent.node, Math.min(lowLink.get(parent.node)!, lowLink.get(frame.node)!));
      }
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = edges.some((edge) => edge.from === frame.node && edge.to === frame.node);
        if (component.length > 1 || selfLoop) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}

/** The layer a file belongs to: its folder under `src/`, or `shared` for files directly in `src/`. */
export function layerOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] !== "src") return "outside";
  return parts.length > 2 ? (parts[1] ?? "shared") : "shared";
}

/**
 * Which layers each layer may import (besides itself). `cli` sits on everything; `guard` (the agent hook)
 * and `core` (the request flow) on the building blocks; the building blocks on each other where the
 * direction is sound, and all of them on the shared files (`errors.ts`, `shells.ts`, `format-bytes.ts`).
 */
export const ALLOWED_LAYER_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  cli: ["eval", "guard", "core", "backends", "safety", "models", "config", "exec", "preview", "shared"],
  guard: ["core", "safety", "config", "exec", "preview", "shared"],
  core: ["backends", "safety", "models", "config", "exec", "preview", "shared"],
  // `cmdai eval` runs prompts through core's generation path and judges them in its own sandbox.
  eval: ["core", "backends", "safety", "models", "config", "shared"],
  backends: ["models", "config", "shared"],
  // Models never reach up into backends: the progress and settings types they share live in backends/backend.ts
  // only for backends; models take plain callbacks.
  models: ["config", "shared"],
  // Safety takes plain data (its own SafetyPolicy); config maps its schema to it, never the other way round.
  safety: ["shared"],
  config: ["safety", "shared"],
  exec: ["config", "safety", "shared"],
  preview: ["safety", "shared"],
  shared: [],
};

/** Edges that break the layering, each with why. */
export function layerViolations(edges: readonly ImportEdge[]): { edge: ImportEdge; problem: string }[] {
  const violations: { edge: ImportEdge; problem: string }[] = [];
  for (const edge of edges) {
    const from = layerOf(edge.from);
    const to = layerOf(edge.to);
    if (from === to) continue;
    const allowed = ALLOWED_LAYER_IMPORTS[from];
    if (allowed === undefined) {
      violations.push({ edge, problem: `src/${from} is not a known layer; add it to ALLOWED_LAYER_IMPORTS` });
    } else if (!allowed.includes(to)) {
      violations.push({ edge, problem: `${from} may not import ${to}` });
    }
  }
  return violations;
}

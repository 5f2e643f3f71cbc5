import { describe, expect, it } from "vitest";
import { readSourceFiles } from "./check-imports.js";
import { buildImportGraph, findCycles, importsOf, layerViolations } from "./import-graph.js";

const graphOf = (files: Record<string, string>) => buildImportGraph(new Map(Object.entries(files)));

describe("importsOf", () => {
  it("sees every kind of import, and only relative ones", () => {
    const text = [
      'import { a } from "./a.js";',
      'import type { B } from "./b.js";',
      'import { type C } from "./c.js";',
      'import { type D, e } from "./d.js";',
      'export { f } from "./f.js";',
      'export type { G } from "./g.js";',
      'const h = await import("./h.js");',
      'type I = import("./i.js").I;',
      'import fs from "node:fs";',
      'import "./side-effect.js";',
    ].join("\n");
    expect(importsOf("x.ts", text)).toEqual([
      { specifier: "./a.js", kind: "static" },
      { specifier: "./b.js", kind: "type" },
      { specifier: "./c.js", kind: "type" },
      { specifier: "./d.js", kind: "static" },
      { specifier: "./f.js", kind: "re-export" },
      { specifier: "./g.js", kind: "re-export" },
      { specifier: "./h.js", kind: "dynamic" },
      { specifier: "./i.js", kind: "type" },
      { specifier: "./side-effect.js", kind: "static" },
    ]);
  });
});

describe("findCycles", () => {
  it("catches a cycle closed by a type-only import", () => {
    const edges = graphOf({
      "src/backends/registry.ts": 'export const load = () => import("./ollama.js");',
      "src/backends/ollama.ts": 'import type { Settings } from "./registry.js";',
    });
    expect(findCycles(edges)).toEqual([["src/backends/ollama.ts", "src/backends/registry.ts"]]);
  });

  it("catches a cycle closed by a dynamic import, across folders and through several files", () => {
    const edges = graphOf({
      "src/cli/run-cli.ts": 'const run = async () => (await import("./run-request.js")).run;',
      "src/cli/run-request.ts": 'import { helper } from "./helper.js";',
      "src/cli/helper.ts": 'import { options } from "./run-cli.js";',
      "src/cli/other.ts": 'import { helper } from "./helper.js";',
    });
    expect(findCycles(edges)).toEqual([
      ["src/cli/helper.ts", "src/cli/run-cli.ts", "src/cli/run-request.ts"],
    ]);
  });

  it("finds none in a tree without one, and a file importing itself is one", () => {
    expect(findCycles(graphOf({ "src/a.ts": 'import "./b.js";', "src/b.ts": "" }))).toEqual([]);
    expect(findCycles(graphOf({ "src/a.ts": 'import type { A } from "./a.js";' }))).toEqual([["src/a.ts"]]);
  });
});

describe("layerViolations", () => {
  it.each([
    ["src/core/flow.ts", "../cli/io.js", "core may not import cli"],
    ["src/models/download.ts", "../backends/backend.js", "models may not import backends"],
    ["src/safety/engine.ts", "../config/schema.js", "safety may not import config"],
    ["src/backends/ollama.ts", "../core/pool.js", "backends may not import core"],
    ["src/errors.ts", "./config/paths.js", "shared may not import config"],
  ])("%s importing %s: %s", (from, specifier, problem) => {
    const target = specifier.replace(/^(\.\.\/|\.\/)/, "src/").replace(/\.js$/, ".ts");
    const edges = graphOf({ [from]: `import type { X } from "${specifier}";`, [target]: "" });
    expect(layerViolations(edges).map((violation) => violation.problem)).toEqual([problem]);
  });

  it("allows the layering's own direction", () => {
    const edges = graphOf({
      "src/cli/run.ts": 'import "../core/flow.js";',
      "src/core/flow.ts": 'import "../safety/engine.js"; import "../config/schema.js";',
      "src/config/schema.ts": 'import "../safety/types.js";',
      "src/safety/engine.ts": 'import "../errors.js";',
      "src/safety/types.ts": "",
      "src/errors.ts": "",
    });
    expect(layerViolations(edges)).toEqual([]);
  });
});

describe("the real source tree", () => {
  const edges = buildImportGraph(readSourceFiles());

  it("is read (a broken reader would find nothing to complain about)", () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges.some((edge) => edge.kind === "dynamic")).toBe(true);
    expect(edges.some((edge) => edge.kind === "type")).toBe(true);
  });

  it("has no import cycle", () => {
    expect(findCycles(edges)).toEqual([]);
  });

  it("keeps the layering", () => {
    expect(
      layerViolations(edges).map(({ edge, problem }) => `${edge.from} → ${edge.to}: ${problem}`),
    ).toEqual([]);
  });
});

import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { renderConfigDocs } from "./render-config-docs.js";

describe("docs/configuration.md", () => {
  it("is generated from the current schema (run `npm run docs:config` when this fails)", () => {
    const committed = fs.readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
    expect(committed).toBe(renderConfigDocs());
  });

  it("documents every key with a description", () => {
    const rows = renderConfigDocs()
      .split("\n")
      .filter((line) => line.startsWith("| `"));
    expect(rows.length).toBeGreaterThan(25);
    for (const row of rows) expect(row.split("|")[4]?.trim().length ?? 0).toBeGreaterThan(0);
  });
});

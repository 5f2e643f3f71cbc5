/**
 * The effect preview through the built CLI: a loopback Ollama stand-in answers a fixed destructive command,
 * `cmdai --output json --dry-run` reports what it would touch in a temporary tree, and nothing is touched.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeServer } from "../support/fake-server-script.js";
import { startFakeOllama } from "../support/fake-ollama-server.js";
import { makeTemporaryHome, repositoryRoot, runBuiltCli } from "../support/run-built-cli.js";

const validateOutput = new Ajv({ allErrors: true }).compile(
  JSON.parse(fs.readFileSync(path.join(repositoryRoot, "docs", "output.schema.json"), "utf8")) as object,
);

interface PreviewDocument {
  command: string;
  executed: boolean;
  preview?: {
    summary: string;
    targets: { path: string; kind: string; effect: string; files: number; bytes: number }[];
    truncated: boolean;
  };
}

let home: ReturnType<typeof makeTemporaryHome>;
let tree: string;
let server: FakeServer | undefined;
beforeEach(() => {
  home = makeTemporaryHome();
  tree = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-e2e-preview-"));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  home.cleanup();
  fs.rmSync(tree, { recursive: true, force: true });
});

async function ask(
  command: string,
  extra: string[] = [],
): Promise<{ code: number | null; document: PreviewDocument; stderr: string }> {
  server = await startFakeOllama({ script: [JSON.stringify({ command })], models: ["m"] });
  const run = await runBuiltCli(
    ["--backend", "ollama", "--model", "m", "--shell", "bash", "--dry-run", ...extra, "clean up"],
    { env: { ...home.env, OLLAMA_HOST: server.url }, cwd: tree },
  );
  const document = (extra.includes("json") ? JSON.parse(run.stdout) : {}) as PreviewDocument;
  return { code: run.code, document, stderr: run.stderr };
}

describe("cmdai check --preview", () => {
  it("adds the preview to the verdict, in JSON and in plain text", async () => {
    fs.mkdirSync(path.join(tree, "build"));
    fs.writeFileSync(path.join(tree, "build", "a.o"), "1234");
    const json = await runBuiltCli(["check", "--shell", "bash", "--preview", "--json", "rm -rf build"], {
      env: home.env,
      cwd: tree,
    });
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as { level: string; preview?: PreviewDocument["preview"] };
    expect(result.preview?.targets).toEqual([
      { path: "build", effect: "delete", kind: "directory", files: 1, directories: 1, bytes: 4 },
    ]);
    const plain = await runBuiltCli(["check", "--shell", "bash", "--preview", "rm *.nomatch"], {
      env: home.env,
      cwd: tree,
    });
    expect(plain.stdout).toContain("preview: matches nothing (no file matches *.nomatch)");
    const without = await runBuiltCli(["check", "--shell", "bash", "--json", "rm -rf build"], {
      env: home.env,
      cwd: tree,
    });
    expect(JSON.parse(without.stdout)).not.toHaveProperty("preview");
    expect(fs.existsSync(path.join(tree, "build", "a.o"))).toBe(true);
  });
});

describe("preview in the JSON output", () => {
  it("counts the files and bytes rm -rf ./build would delete, and deletes nothing", async () => {
    let bytes = 0;
    for (let index = 0; index < 10; index++) {
      const file = path.join(tree, "build", index < 5 ? "" : "nested", `file-${index}.o`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, Buffer.alloc(100 * (index + 1)));
      bytes += 100 * (index + 1);
    }
    const { code, document } = await ask("rm -rf ./build", ["--output", "json"]);
    expect(code).toBe(0);
    expect(validateOutput(document)).toBe(true);
    expect(document.executed).toBe(false);
    expect(document.preview?.targets).toEqual([
      { path: "./build", effect: "delete", kind: "directory", files: 10, directories: 2, bytes },
    ]);
    expect(document.preview?.summary).toBe("deletes 10 files (5.4 KiB) in ./build");
    expect(fs.readdirSync(path.join(tree, "build", "nested"))).toHaveLength(5);
  });

  it("says a glob that matches nothing matches nothing", async () => {
    fs.writeFileSync(path.join(tree, "keep.txt"), "x");
    const { document } = await ask("rm *.nomatch", ["--output", "json"]);
    expect(validateOutput(document)).toBe(true);
    expect(document.preview?.targets).toEqual([]);
    expect(document.preview?.summary).toContain("matches nothing");
  });

  it("has no preview for a command that changes no files", async () => {
    const { document } = await ask("ls -la", ["--output", "json"]);
    expect(validateOutput(document)).toBe(true);
    expect(document.preview).toBeUndefined();
  });

  it("shows the preview under the verdict in plain output, and not when ui.preview is off", async () => {
    fs.mkdirSync(path.join(tree, "dist"));
    fs.writeFileSync(path.join(tree, "dist", "a.js"), "12345");
    const plain = await ask("rm -r dist");
    expect(plain.stderr).toContain("preview: deletes 1 file (5 B) in dist");
    fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
    fs.writeFileSync(home.configFile, "[ui]\npreview = false\n");
    await server?.close();
    const off = await ask("rm -r dist", ["--output", "json"]);
    expect(off.document.preview).toBeUndefined();
    expect(fs.existsSync(path.join(tree, "dist", "a.js"))).toBe(true);
  });
});

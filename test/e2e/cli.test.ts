/** End-to-end tests of the built CLI: help, version, usage and config errors, and the JSON error contract. */
import fs from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTemporaryHome, repositoryRoot, runBuiltCli } from "../support/run-built-cli.js";

const outputSchema = JSON.parse(
  fs.readFileSync(path.join(repositoryRoot, "docs", "output.schema.json"), "utf8"),
) as object;
const validateOutput = new Ajv({ allErrors: true }).compile(outputSchema);

let home: ReturnType<typeof makeTemporaryHome>;
beforeEach(() => {
  home = makeTemporaryHome();
});
afterEach(() => {
  home.cleanup();
});

function writeConfig(text: string): void {
  fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
  fs.writeFileSync(home.configFile, text);
}

describe("cmdai --help and --version", () => {
  it("lists every option and the exit codes", async () => {
    const run = await runBuiltCli(["--help"], { env: home.env });
    expect(run.code).toBe(0);
    for (const option of [
      "--shell",
      "--backend",
      "--model",
      "--safety",
      "--output",
      "--execute",
      "--yes",
      "--dry-run",
      "--explain",
      "--timeout",
      "--config",
      "--verbose",
      "--version",
    ]) {
      expect(run.stdout).toContain(option);
    }
    for (const short of ["-s,", "-b,", "-m,", "-o,", "-x,", "-y,", "-c,", "-v,", "-V,"])
      expect(run.stdout).toContain(short);
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*130/);
  });

  it("prints the package version", async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repositoryRoot, "package.json"), "utf8")) as {
      version: string;
    };
    for (const flag of ["--version", "-V"]) {
      const run = await runBuiltCli([flag], { env: home.env });
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(manifest.version);
    }
  });
});

describe("usage errors", () => {
  it("rejects an empty request with exit 2 and a usage hint", async () => {
    const run = await runBuiltCli([""], { env: home.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/empty/i);
    expect(run.stderr).toMatch(/hint: .*cmdai "/);
    expect(run.stdout).toBe("");
  });

  it("rejects an empty request from stdin", async () => {
    const run = await runBuiltCli([], { env: home.env, input: "   \n" });
    expect(run.code).toBe(2);
  });

  it("rejects an unknown backend with a JSON error object", async () => {
    const run = await runBuiltCli(["--backend", "nosuch", "--output", "json", "list files"], {
      env: home.env,
    });
    expect(run.code).toBe(2);
    const document = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(document.error.code).toBe("usage");
    expect(document.error.message).toContain("nosuch");
    expect(validateOutput(document)).toBe(true);
  });

  it("rejects an unknown option, in JSON when asked", async () => {
    const run = await runBuiltCli(["--output", "json", "--frobnicate", "x"], { env: home.env });
    expect(run.code).toBe(2);
    const document = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(document.error.message).toContain("--frobnicate");
    expect(validateOutput(document)).toBe(true);
  });

  it("rejects a request that is far too long", async () => {
    const run = await runBuiltCli(["-o", "json", "x".repeat(10_000)], { env: home.env });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: "usage" } });
  });

  it("prints YAML errors with --output yaml", async () => {
    const run = await runBuiltCli(["--output", "yaml", "--shell", "tcsh", "list files"], { env: home.env });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^error:\n {2}code: usage\n/m);
    expect(run.stdout).toContain("tcsh");
  });
});

describe("config errors", () => {
  it("names safety when the file sets an unknown mode", async () => {
    writeConfig('safety = "extreme"\n');
    const run = await runBuiltCli(["list files"], { env: home.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("safety");
    expect(run.stderr).toContain("extreme");
    expect(run.stderr).toMatch(/strict, moderate, permissive/);
  });

  it("names config.toml and the line for broken TOML", async () => {
    writeConfig('backend = "ollama"\n\ntimeout = = 3\n');
    const run = await runBuiltCli(["config", "show"], { env: home.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("config.toml");
    expect(run.stderr).toMatch(/line 3/);
  });

  it("reports config errors as JSON with --output json", async () => {
    writeConfig("[embedded]\nthreads = 0\n");
    const run = await runBuiltCli(["--output", "json", "list files"], { env: home.env });
    expect(run.code).toBe(2);
    const document = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(document.error.code).toBe("config_invalid");
    expect(document.error.message).toContain("embedded.threads");
    expect(validateOutput(document)).toBe(true);
  });

  it("fails clearly when -c names a missing file", async () => {
    const run = await runBuiltCli(["-c", path.join(home.root, "nope.toml"), "config", "show"], {
      env: home.env,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("nope.toml");
  });
});

describe("cmdai config", () => {
  it("shows the defaults when there is no config file", async () => {
    const run = await runBuiltCli(["config", "show"], { env: home.env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^safety\s+"moderate"\s+# default$/m);
    expect(fs.existsSync(home.configFile)).toBe(false);
  });

  it("shows an environment value and its source", async () => {
    const run = await runBuiltCli(["config", "show"], { env: { ...home.env, CMDAI_SAFETY: "strict" } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^safety\s+"strict"\s+# environment CMDAI_SAFETY$/m);
  });

  it("sets, gets and locates values, validating before writing", async () => {
    expect((await runBuiltCli(["config", "path"], { env: home.env })).stdout.trim()).toBe(home.configFile);
    expect((await runBuiltCli(["config", "set", "safety", "strict"], { env: home.env })).code).toBe(0);
    expect((await runBuiltCli(["config", "get", "safety"], { env: home.env })).stdout.trim()).toBe("strict");
    const before = fs.readFileSync(home.configFile, "utf8");
    const bad = await runBuiltCli(["config", "set", "safety", "extreme"], { env: home.env });
    expect(bad.code).toBe(2);
    expect(fs.readFileSync(home.configFile, "utf8")).toBe(before);
    const unknown = await runBuiltCli(["config", "set", "colour", "red"], { env: home.env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("colour");
  });
});

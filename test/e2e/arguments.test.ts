/**
 * Arguments and errors through the built CLI (issue 16 §4): `check -- words`, the hint to quote, `config set`
 * blaming the argument and keeping the file's comments, actions listed, a closed pipe, `-o yaml` everywhere.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { builtCli, makeTemporaryHome, runBuiltCli } from "../support/run-built-cli.js";

let home: ReturnType<typeof makeTemporaryHome>;
beforeEach(() => {
  home = makeTemporaryHome();
});
afterEach(() => home.cleanup());

describe("check's command words", () => {
  it("joins the words after -- into one command, quoting what the shell would split", async () => {
    const run = await runBuiltCli(["check", "--json", "--", "rm", "-rf", "my dir"], { env: home.env });
    expect(JSON.parse(run.stdout)).toMatchObject({ command: "rm -rf 'my dir'", level: "high" });
    expect(run.code).toBe(4);
    // The same through the full parser (an option it does not fast-path: -o yaml).
    const yaml = await runBuiltCli(["check", "-o", "yaml", "--", "rm", "-rf", "x"], { env: home.env });
    expect(parseYaml(yaml.stdout)).toMatchObject({ command: "rm -rf x", decision: "confirm" });
  });

  it("refuses several words without --, with a hint to quote or use --", async () => {
    for (const args of [
      ["check", "rm", "-rf", "x"],
      ["check", "rm", "x"],
    ]) {
      const run = await runBuiltCli(args, { env: home.env });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("cmdai check 'rm");
      expect(run.stderr).toContain("cmdai check -- rm");
      expect(run.stdout).toBe("");
    }
  });

  it("names the quoting fix for a request with dash-words", async () => {
    const run = await runBuiltCli(["list", "all", "files", "-la"], { env: home.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("cmdai 'list all files -la'");
    expect(run.stderr).toContain("cmdai -- list all files -la");
  });
});

describe("config set", () => {
  it("blames the argument and suggests the nearest choice", async () => {
    const run = await runBuiltCli(["config", "set", "backend", "olama"], { env: home.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Invalid value "olama" for backend');
    expect(run.stderr).toContain('Did you mean "ollama"');
    expect(run.stderr).not.toContain("config.toml");
    expect(fs.existsSync(path.join(home.env.XDG_CONFIG_HOME ?? "", "cmdai", "config.toml"))).toBe(false);
  });

  it("keeps comments, order and blank lines, and leaves no temporary file", async () => {
    const folder = path.join(home.env.XDG_CONFIG_HOME ?? "", "cmdai");
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, "config.toml");
    const original = [
      "# my config",
      "",
      "# which backend",
      'backend = "embedded"  # the default',
      "",
      "[ollama]",
      "# where it runs",
      'host = "127.0.0.1:11434"',
      "",
      "[ui]",
      'color = "auto"',
      "",
    ].join("\n");
    fs.writeFileSync(file, original);
    for (const [key, value] of [
      ["backend", "ollama"],
      ["ollama.model", "qwen"],
      ["ui.color", "never"],
    ] as const) {
      expect((await runBuiltCli(["config", "set", key, value], { env: home.env })).code).toBe(0);
    }
    expect(fs.readFileSync(file, "utf8")).toBe(
      original
        .replace('backend = "embedded"', 'backend = "ollama"')
        .replace('host = "127.0.0.1:11434"', 'host = "127.0.0.1:11434"\nmodel = "qwen"')
        .replace('color = "auto"', 'color = "never"'),
    );
    expect(fs.readdirSync(folder)).toEqual(["config.toml"]);
  });
});

describe("subcommands", () => {
  it("list their actions when given none", async () => {
    for (const [subcommand, action] of [
      ["server", "status"],
      ["models", "pull"],
      ["guard", "install"],
    ] as const) {
      const run = await runBuiltCli([subcommand], { env: home.env });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`cmdai ${subcommand} ${action}`);
    }
  });

  it("print YAML with -o yaml, and JSON with --json kept as an alias", async () => {
    for (const args of [
      ["models", "list"],
      ["history"],
      ["config", "show"],
      ["guard", "status"],
      ["server", "status"],
      ["check", "ls"],
    ]) {
      const yaml = await runBuiltCli([...args, "-o", "yaml"], { env: home.env });
      const json = await runBuiltCli([...args, "--json"], { env: home.env });
      expect(yaml.stdout.trimStart().startsWith("{")).toBe(false);
      // The recommendation's reason names the free RAM, which moves between the two runs.
      const withoutReason = (document: unknown): unknown =>
        JSON.parse(JSON.stringify(document).replace(/"reason":"fits in [^"]*"/, '"reason":""'));
      expect(withoutReason(parseYaml(yaml.stdout))).toEqual(withoutReason(JSON.parse(json.stdout)));
    }
  });

  it("reject an unknown output format", async () => {
    const run = await runBuiltCli(["history", "-o", "xml"], { env: home.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unknown output format "xml"');
  });
});

describe("a closed pipe", () => {
  it("ends `check --json -` quietly when the reader stops early", async () => {
    const child = spawn(process.execPath, [builtCli, "check", "--json", "-"], {
      env: { ...home.env, PATH: process.env.PATH },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    // Read the first answer, then close our end, as `| head -1` does.
    child.stdout.once("data", () => child.stdout.destroy());
    child.stdin.on("error", () => {
      // The CLI may be gone before all of stdin is written.
    });
    child.stdin.end("ls\n".repeat(20_000));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(stderr).not.toContain("EPIPE");
    expect(code).toBe(0);
  });
});

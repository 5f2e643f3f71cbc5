/**
 * cmdai run the way the README's first command runs it: through `npm exec` (what `npx` is), typed in bash or
 * fish. npm starts the program under its own `sh -c` wrapper, so the parent process is `sh` whatever the user's
 * shell; cmdai must look past npm (and must not take `$SHELL` for it: here it names a third shell), and its hints
 * must name `npx cmdai`, since no `cmdai` is on PATH.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtCli, makeTemporaryHome } from "../support/run-built-cli.js";

function hasProgram(program: string): boolean {
  return spawnSync(program, ["--version"], { stdio: "ignore" }).status === 0;
}

interface ShellRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Types `line` into `shell` (non-interactive, as a script), with npm on PATH. */
function runInShell(shell: string, line: string, cwd: string, env: NodeJS.ProcessEnv): Promise<ShellRun> {
  return new Promise((resolve, reject) => {
    // `; true`: without a second command bash would exec npm in its own place, and bash would not be an ancestor.
    const child = spawn(shell, ["-c", `${line}; true`], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("cmdai through npm exec", () => {
  const home = makeTemporaryHome();
  const project = path.join(home.root, "project");
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    expect(fs.existsSync(builtCli), "dist/ is missing: run `npm run build`").toBe(true);
    // A project with cmdai installed locally: npm exec finds node_modules/.bin/cmdai without the network.
    fs.mkdirSync(path.join(project, "node_modules", ".bin"), { recursive: true });
    fs.writeFileSync(path.join(project, "package.json"), '{ "name": "npx-project", "private": true }\n');
    fs.symlinkSync(builtCli, path.join(project, "node_modules", ".bin", "cmdai"));
    env = {
      ...home.env,
      PATH: process.env.PATH,
      NO_COLOR: "1",
      // A login shell that is neither of the shells the tests type in: detection must not fall back to it.
      SHELL: "/usr/bin/zsh",
      npm_config_cache: path.join(home.root, "npm-cache"),
      npm_config_update_notifier: "false",
    };
  });

  afterAll(() => {
    home.cleanup();
  });

  it.each(["bash", "fish"])(
    "targets %s when typed in it",
    async (shell) => {
      if (!hasProgram(shell)) {
        expect.fail(`${shell} is not installed (.ci/run installs it)`);
      }
      const run = await runInShell(shell, "npm exec --offline -- cmdai check --json 'ls -la'", project, env);
      expect(run.code, run.stderr).toBe(0);
      const verdict = JSON.parse(run.stdout.slice(run.stdout.indexOf("{"))) as {
        shell: string;
        level: string;
      };
      expect(verdict).toMatchObject({ shell, level: "safe" });
    },
    150_000,
  );

  it("names `npx cmdai` in hints", async () => {
    const run = await runInShell("bash", "npm exec --offline -- cmdai models rm no-such-model", project, env);
    expect(run.stderr).toContain("`npx cmdai ");
    expect(run.stderr).not.toMatch(/(^|[^x] )`cmdai /m);
  }, 150_000);
});

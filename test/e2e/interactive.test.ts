/**
 * The consent menu in a real terminal (tmux), against a loopback stand-in Ollama server and the real safety
 * engine; plus the non-interactive rules (pipes, --output json, -x, -y) through the built CLI.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeBuildFolder, useRequestWorkspace } from "../support/request-workspace.js";
import { builtCli, runBuiltCli } from "../support/run-built-cli.js";
import { hasTmux, TmuxSession } from "../support/tmux.js";

const workspace = useRequestWorkspace();
let session: TmuxSession | undefined;

/** Make the stand-in answer every generation request with `command`. */
function answer(command: string, explanation?: string): void {
  workspace.ollama.setScript([
    JSON.stringify(explanation === undefined ? { command } : { command, explanation }),
  ]);
}

function cliEnv(): NodeJS.ProcessEnv {
  return {
    ...workspace.home.env,
    OLLAMA_HOST: workspace.ollama.url,
    NO_COLOR: "1",
    PATH: process.env.PATH ?? "/usr/bin:/bin",
  };
}

/** Start `cmdai --backend ollama --model m --shell bash <request>` in a tmux pane. */
async function startMenu(request = "write hello to a file", extra: string[] = []): Promise<TmuxSession> {
  session = await TmuxSession.start({
    command: [
      process.execPath,
      builtCli,
      "--backend",
      "ollama",
      "--model",
      "m",
      "--shell",
      "bash",
      ...extra,
      request,
    ],
    env: cliEnv(),
    cwd: workspace.workdir,
  });
  return session;
}

function historyEntries(): {
  command: string;
  exitCode: number;
  level: string;
  decision: string;
  edited?: boolean;
}[] {
  const file = path.join(workspace.home.root, "state", "cmdai", "history.jsonl");
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map(
      (line) => JSON.parse(line) as { command: string; exitCode: number; level: string; decision: string },
    );
}

afterEach(async () => {
  await session?.kill();
  session = undefined;
});

// Each test starts the CLI (and the safety engine) in a real terminal: allow for slow, busy CI machines.
describe.skipIf(!hasTmux())("the consent menu in a terminal", { timeout: 120_000 }, () => {
  it("shows the command, its risk and the shell, runs nothing before a key, runs on r and exits 0", async () => {
    answer("echo hello-from-cmdai > FILE");
    const terminal = await startMenu();
    const screen = await terminal.waitFor("r run");
    expect(screen).toContain("echo hello-from-cmdai > FILE");
    expect(screen).toMatch(/MODERATE|SAFE/);
    expect(screen).toContain("shell: bash");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fs.existsSync(path.join(workspace.workdir, "FILE"))).toBe(false);
    await terminal.sendKeys("r");
    expect(await terminal.waitForExit()).toBe(0);
    expect(fs.readFileSync(path.join(workspace.workdir, "FILE"), "utf8")).toBe("hello-from-cmdai\n");
    expect(historyEntries()).toMatchObject([
      { command: "echo hello-from-cmdai > FILE", exitCode: 0, level: "moderate", decision: "allow" },
    ]);
  });

  it("returns the command's own exit code", async () => {
    answer('sh -c "exit 7"');
    const terminal = await startMenu("fail with seven");
    await terminal.waitFor("r run");
    await terminal.sendKeys("Enter");
    expect(await terminal.waitForExit()).toBe(7);
    expect(historyEntries()).toMatchObject([{ command: 'sh -c "exit 7"', exitCode: 7 }]);
  });

  it("edits the command, judges the edit again, and runs the edit", async () => {
    answer("echo hello-from-cmdai > FILE");
    const terminal = await startMenu();
    await terminal.waitFor("r run");
    await terminal.sendKeys("e");
    await terminal.waitFor("edit> echo hello-from-cmdai > FILE");
    // Ctrl-W deletes the last word (FILE); then the new name is typed in its place.
    await terminal.sendKeys("C-w");
    await terminal.type("EDITED");
    await terminal.sendKeys("Enter");
    await terminal.waitFor("$ echo hello-from-cmdai > EDITED");
    await terminal.sendKeys("r");
    expect(await terminal.waitForExit()).toBe(0);
    expect(fs.existsSync(path.join(workspace.workdir, "FILE"))).toBe(false);
    expect(fs.readFileSync(path.join(workspace.workdir, "EDITED"), "utf8")).toBe("hello-from-cmdai\n");
    expect(historyEntries()).toMatchObject([{ command: "echo hello-from-cmdai > EDITED", edited: true }]);
  });

  it("revises with the previous command and the feedback in the request", async () => {
    workspace.ollama.setScript((request) =>
      JSON.stringify({
        command: request.rawBody.includes("say goodbye instead")
          ? "echo goodbye > FILE"
          : "echo hello > FILE",
      }),
    );
    const terminal = await startMenu();
    await terminal.waitFor("r run");
    await terminal.sendKeys("v");
    await terminal.waitFor("what should change?>");
    await terminal.type("say goodbye instead");
    await terminal.sendKeys("Enter");
    await terminal.waitFor("$ echo goodbye > FILE");
    const revision = workspace.ollama.generationRequests().at(-1);
    expect(revision?.rawBody).toContain("echo hello > FILE");
    await terminal.sendKeys("r");
    expect(await terminal.waitForExit()).toBe(0);
    expect(fs.readFileSync(path.join(workspace.workdir, "FILE"), "utf8")).toBe("goodbye\n");
  });

  it("explains on x", async () => {
    workspace.ollama.setScript((_request, index) =>
      JSON.stringify(
        index === 0
          ? { command: "ls -la" }
          : {
              command: "ls -la",
              explanation: "ls lists the folder; -l long format; -a includes hidden files",
            },
      ),
    );
    const terminal = await startMenu("list everything");
    await terminal.waitFor("r run");
    await terminal.sendKeys("x");
    await terminal.waitFor("-a includes hidden files");
    await terminal.sendKeys("q");
    expect(await terminal.waitForExit()).toBe(4);
  });

  it("q cancels: nothing runs, exit 4", async () => {
    answer("echo hello-from-cmdai > FILE");
    const terminal = await startMenu();
    await terminal.waitFor("r run");
    await terminal.sendKeys("q");
    expect(await terminal.waitForExit()).toBe(4);
    expect(fs.existsSync(path.join(workspace.workdir, "FILE"))).toBe(false);
    expect(historyEntries()).toEqual([]);
  });

  it("Ctrl-C cancels cleanly with 130", async () => {
    answer("echo hello-from-cmdai > FILE");
    const terminal = await startMenu();
    await terminal.waitFor("r run");
    await terminal.sendKeys("C-c");
    expect(await terminal.waitForExit()).toBe(130);
    expect(fs.existsSync(path.join(workspace.workdir, "FILE"))).toBe(false);
  });

  it("a confirm-level command runs only after a typed yes", async () => {
    fs.writeFileSync(path.join(workspace.workdir, "marker"), "secret");
    answer("shred -u ./marker");
    const terminal = await startMenu("destroy the marker file");
    await terminal.waitFor("r run (type yes)");
    await terminal.sendKeys("Enter");
    await terminal.waitFor("Enter runs only");
    await terminal.sendKeys("r");
    await terminal.waitFor("type yes to run this high-risk command>");
    await terminal.type("no");
    await terminal.sendKeys("Enter");
    await terminal.waitFor("Not confirmed");
    expect(fs.existsSync(path.join(workspace.workdir, "marker"))).toBe(true);
    await terminal.sendKeys("r");
    await terminal.type("yes");
    await terminal.sendKeys("Enter");
    expect(await terminal.waitForExit()).toBe(0);
    expect(fs.existsSync(path.join(workspace.workdir, "marker"))).toBe(false);
    expect(historyEntries()).toMatchObject([
      { command: "shred -u ./marker", level: "high", decision: "confirm" },
    ]);
  });

  it("a blocked command cannot be run by any key", async () => {
    answer("chmod -R 000 ~; touch ran");
    const terminal = await startMenu("lock my home");
    const screen = await terminal.waitFor("q cancel");
    expect(screen).toContain("[CRITICAL] blocked");
    expect(screen).not.toContain("r run");
    await terminal.sendKeys("r");
    await terminal.waitFor("will not run");
    await terminal.sendKeys("Enter", "r");
    await terminal.type("yes");
    await terminal.sendKeys("Enter");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fs.existsSync(path.join(workspace.workdir, "ran"))).toBe(false);
    await terminal.sendKeys("Escape");
    await terminal.sendKeys("q");
    expect(await terminal.waitForExit()).toBe(3);
    expect(fs.existsSync(path.join(workspace.workdir, "ran"))).toBe(false);
    expect(historyEntries()).toEqual([]);
  });

  it("Enter does not run a command that deletes files; r does", async () => {
    const build = makeBuildFolder(workspace.workdir, 30);
    answer("rm -r build");
    const terminal = await startMenu("tidy up the build output");
    const screen = await terminal.waitFor("q cancel");
    expect(screen).toContain("preview: deletes 30 files");
    expect(screen).toContain("r run ·");
    expect(screen).not.toContain("(or Enter)");
    await terminal.sendKeys("Enter");
    await terminal.waitFor("Enter runs only safe commands: press r to run this one (it deletes 30 files");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fs.readdirSync(build)).toHaveLength(30);
    await terminal.sendKeys("r");
    expect(await terminal.waitForExit()).toBe(0);
    expect(fs.existsSync(build)).toBe(false);
    expect(historyEntries()).toMatchObject([{ command: "rm -r build", level: "moderate" }]);
  });

  it("-x at a terminal asks before a command that deletes files: n keeps them (exit 4), y runs it", async () => {
    const build = makeBuildFolder(workspace.workdir, 30);
    answer("rm -r build");
    let terminal = await startMenu("tidy up the build output", ["-x"]);
    await terminal.waitFor("It deletes 30 files (30 B) in build. Run it? [y/N]");
    await terminal.type("n");
    await terminal.sendKeys("Enter");
    expect(await terminal.waitForExit()).toBe(4);
    expect(fs.readdirSync(build)).toHaveLength(30);
    await terminal.kill();
    terminal = await startMenu("tidy up the build output", ["-x"]);
    await terminal.waitFor("Run it? [y/N]");
    await terminal.type("y");
    await terminal.sendKeys("Enter");
    expect(await terminal.waitForExit()).toBe(0);
    expect(fs.existsSync(build)).toBe(false);
  });
});

describe("without a terminal, or with --output json|yaml, cmdai never prompts", { timeout: 120_000 }, () => {
  const base = ["--backend", "ollama", "--model", "m", "--shell", "bash"];

  it.each([
    ["echo hello-from-cmdai", 0, "allow", "none"],
    ["echo hello-from-cmdai > FILE", 4, "allow", "key"],
    ["shred -u ./marker", 4, "confirm", "typed-yes"],
    ["chmod -R 000 ~; touch ran", 3, "block", "never"],
  ])("json: %s exits %i and runs nothing", async (command, exitCode, decision, requirement) => {
    answer(command);
    fs.writeFileSync(path.join(workspace.workdir, "marker"), "x");
    const run = await runBuiltCli([...base, "-o", "json", "do it"], {
      env: cliEnv(),
      cwd: workspace.workdir,
    });
    expect(run.code).toBe(exitCode);
    const document = JSON.parse(run.stdout) as {
      command: string;
      executed: boolean;
      risk: { decision: string };
      consent: { requirement: string; reason: string };
    };
    expect(document).toMatchObject({
      command,
      executed: false,
      risk: { decision },
      consent: { requirement },
    });
    expect(fs.readdirSync(workspace.workdir)).toEqual(["marker"]);
  });

  it("plain output to a pipe is only the command; exit 0 for a safe one, 4 for one that writes a file", async () => {
    answer("echo hello-from-cmdai");
    const safe = await runBuiltCli([...base, "say hello"], { env: cliEnv(), cwd: workspace.workdir });
    expect(safe.code).toBe(0);
    expect(safe.stdout).toBe("echo hello-from-cmdai\n");
    expect(safe.stderr).toContain("[SAFE] allowed");
    answer("echo hello-from-cmdai > FILE");
    const writes = await runBuiltCli([...base, "write hello"], { env: cliEnv(), cwd: workspace.workdir });
    expect(writes.code).toBe(4);
    expect(writes.stdout).toBe("echo hello-from-cmdai > FILE\n");
    expect(writes.stderr).toContain("[MODERATE] needs confirmation");
    expect(writes.stderr).toContain("cmdai: needs your confirmation: it ");
    expect(fs.existsSync(path.join(workspace.workdir, "FILE"))).toBe(false);
  });

  it("-x runs a safe command at once and logs it; the exit code is the command's", async () => {
    answer('sh -c "exit 6"');
    const run = await runBuiltCli([...base, "-x", "-o", "json", "do it"], {
      env: cliEnv(),
      cwd: workspace.workdir,
    });
    expect(run.code).toBe(6);
    expect(JSON.parse(run.stdout)).toMatchObject({
      executed: true,
      exitCode: 6,
      consent: { requirement: "none" },
    });
    expect(historyEntries()).toMatchObject([{ command: 'sh -c "exit 6"', exitCode: 6 }]);
  });

  it("-x without a terminal does not run a command that deletes files (exit 4, why on stderr); -x -y does", async () => {
    const build = makeBuildFolder(workspace.workdir, 30);
    answer("rm -r build");
    const refused = await runBuiltCli([...base, "-x", "tidy up the build output"], {
      env: cliEnv(),
      cwd: workspace.workdir,
    });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(
      "cmdai: not run: it deletes 30 files (30 B) in build, it needs your confirmation and there is no terminal to ask (-y answers yes).",
    );
    expect(fs.readdirSync(build)).toHaveLength(30);
    expect(historyEntries()).toEqual([]);
    const confirmed = await runBuiltCli([...base, "-x", "-y", "tidy up the build output"], {
      env: cliEnv(),
      cwd: workspace.workdir,
    });
    expect(confirmed.code).toBe(0);
    expect(fs.existsSync(build)).toBe(false);
  });

  it("-x alone does not run a confirm-level command (exit 4); -x -y does", async () => {
    answer("shred -u ./marker");
    fs.writeFileSync(path.join(workspace.workdir, "marker"), "x");
    const refused = await runBuiltCli([...base, "-x", "-o", "json", "do it"], {
      env: cliEnv(),
      cwd: workspace.workdir,
    });
    expect(refused.code).toBe(4);
    expect(fs.existsSync(path.join(workspace.workdir, "marker"))).toBe(true);
    const confirmed = await runBuiltCli([...base, "-x", "-y", "do it"], {
      env: cliEnv(),
      cwd: workspace.workdir,
    });
    expect(confirmed.code).toBe(0);
    expect(fs.existsSync(path.join(workspace.workdir, "marker"))).toBe(false);
  });

  it("nothing runs a blocked command, not even -x -y (exit 3), and it says why", async () => {
    answer("chmod -R 000 ~; touch ran");
    const run = await runBuiltCli([...base, "-x", "-y", "do it"], { env: cliEnv(), cwd: workspace.workdir });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("cmdai: blocked: critical-risk commands never run.");
    expect(fs.existsSync(path.join(workspace.workdir, "ran"))).toBe(false);
  });

  it("blocks a command it cannot parse when there is no terminal to confirm it, and says so", async () => {
    answer("echo $(( 1 + ");
    const run = await runBuiltCli([...base, "-x", "-y", "do sums"], {
      env: cliEnv(),
      cwd: workspace.workdir,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      "cmdai: blocked: the command could not be parsed and there is no terminal to confirm it.",
    );
  });

  it("history.enabled = false keeps the audit log empty", async () => {
    fs.mkdirSync(path.dirname(workspace.home.configFile), { recursive: true });
    fs.writeFileSync(workspace.home.configFile, "[history]\nenabled = false\n");
    answer("echo hello-from-cmdai > FILE");
    const run = await runBuiltCli([...base, "-x", "-y", "do it"], { env: cliEnv(), cwd: workspace.workdir });
    expect(run.code).toBe(0);
    expect(fs.existsSync(path.join(workspace.workdir, "FILE"))).toBe(true);
    expect(historyEntries()).toEqual([]);
  });
});

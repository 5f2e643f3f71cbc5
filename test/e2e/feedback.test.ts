/**
 * What cmdai shows while a person waits (issue 16 §1), through the built CLI: the status line and the command
 * streamed from a stand-in Ollama that answers slowly, in a real terminal (tmux), then replaced by the final
 * rendering; and none of it on stdout, with --output json, or without a terminal. Plus the one-line notice
 * when a configured backend falls back to another (§6). No durations are asserted: only order and content.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useRequestWorkspace } from "../support/request-workspace.js";
import { builtCli, runBuiltCli } from "../support/run-built-cli.js";
import { hasTmux, TmuxSession } from "../support/tmux.js";

const workspace = useRequestWorkspace();
let session: TmuxSession | undefined;

const COMMAND = "echo alpha bravo charlie delta echo foxtrot";

/** The stand-in streams the answer in 6-character chunks, each after a pause: a slow model. */
function answerSlowly(chunkDelayMs = 250): void {
  workspace.ollama.setScript([
    { kind: "answer", content: JSON.stringify({ command: COMMAND }), chunkDelayMs },
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

const base = ["--backend", "ollama", "--model", "m", "--shell", "bash"];

afterEach(async () => {
  await session?.kill();
  session = undefined;
});

describe.skipIf(!hasTmux())("live feedback in a terminal", { timeout: 120_000 }, () => {
  it("shows a status line and the command as it streams, then only the final rendering", async () => {
    answerSlowly();
    session = await TmuxSession.start({
      command: [process.execPath, builtCli, ...base, "say the alphabet"],
      env: cliEnv(),
      cwd: workspace.workdir,
    });
    await session.waitFor(/generating… \d+s/);
    // Part of the command, live, before the menu is drawn.
    const streaming = await session.waitFor(/\$ echo alpha(?! bravo charlie delta echo foxtrot)/);
    expect(streaming).not.toContain("r run");
    const final = await session.waitFor("r run");
    expect(final).toContain(`$ ${COMMAND}`);
    expect(final).not.toContain("generating…");
    // The streamed line was replaced, not left above the result.
    expect(final.split("echo alpha").length - 1).toBe(1);
    await session.sendKeys("q");
    expect(await session.waitForExit()).toBe(4);
  });

  it("writes none of it to stdout", async () => {
    answerSlowly(100);
    const out = path.join(workspace.workdir, "..", "out.txt");
    session = await TmuxSession.start({
      command: [
        "sh",
        "-c",
        `exec "$0" "$1" ${base.join(" ")} "say it" > "$2"`,
        process.execPath,
        builtCli,
        out,
      ],
      env: cliEnv(),
      cwd: workspace.workdir,
    });
    await session.waitForExit();
    expect(fs.readFileSync(out, "utf8")).toBe(`${COMMAND}\n`);
  });

  it("shows nothing live with --output json, even at a terminal", async () => {
    answerSlowly(150);
    session = await TmuxSession.start({
      command: [process.execPath, builtCli, ...base, "-o", "json", "say it"],
      env: cliEnv(),
      cwd: workspace.workdir,
    });
    await session.waitForExit();
    const screen = await session.screen();
    expect(screen).toContain(`"command": "${COMMAND}"`);
    expect(screen).not.toContain("generating");
  });
});

describe("without a terminal", { timeout: 120_000 }, () => {
  it("prints no status or streamed text, plain or JSON", async () => {
    answerSlowly(50);
    const plain = await runBuiltCli([...base, "say it"], { env: cliEnv(), cwd: workspace.workdir });
    expect(plain.stdout).toBe(`${COMMAND}\n`);
    expect(plain.stderr).not.toContain("generating");
    expect(plain.stderr).not.toContain("\u001b[");
    const json = await runBuiltCli([...base, "-o", "json", "say it"], {
      env: cliEnv(),
      cwd: workspace.workdir,
    });
    expect((JSON.parse(json.stdout) as { command: string }).command).toBe(COMMAND);
    expect(json.stderr).not.toContain("generating");
  });

  it("names a fallback from the configured backend in one line", async () => {
    workspace.ollama.setScript([JSON.stringify({ command: "echo from-ollama" })]);
    fs.mkdirSync(path.dirname(workspace.home.configFile), { recursive: true });
    fs.writeFileSync(
      workspace.home.configFile,
      'backend = "openai"\nfallback = ["ollama"]\n[openai]\nbase_url = "http://127.0.0.1:9/v1"\n',
    );
    const run = await runBuiltCli(["--model", "m", "--shell", "bash", "say it"], {
      env: cliEnv(),
      cwd: workspace.workdir,
    });
    expect(run.stdout).toBe("echo from-ollama\n");
    const notice = run.stderr.split("\n").filter((line) => line.includes("using ollama instead"));
    expect(notice).toHaveLength(1);
    expect(notice[0]).toMatch(/^cmdai: warning: openai could not answer \(.+\); using ollama instead\.$/);
  });
});

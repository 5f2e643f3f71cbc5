/**
 * `cmdai init` snippets, for real: bash, zsh and fish run in tmux with the snippet loaded; a request typed on
 * the command line becomes the generated command in the line buffer when the hotkey is pressed (answered by
 * the stand-in Ollama server, judged by the real safety engine), and a command run from the menu lands in the
 * shell's own history.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeOllama } from "../support/fake-ollama-server.js";
import type { FakeServer } from "../support/fake-server-script.js";
import { builtCli, makeTemporaryHome, runBuiltCli } from "../support/run-built-cli.js";
import { hasTmux, TmuxSession } from "../support/tmux.js";

type InitShell = "bash" | "zsh" | "fish";

let ollama: FakeServer;
let home: ReturnType<typeof makeTemporaryHome>;
let workdir: string;
let session: TmuxSession | undefined;

function hasProgram(program: string): boolean {
  return spawnSync(program, ["--version"], { stdio: "ignore" }).status === 0;
}

beforeAll(async () => {
  ollama = await startFakeOllama({
    models: ["m"],
    script: [JSON.stringify({ command: "echo hello-from-cmdai > FILE" })],
  });
});
afterAll(async () => {
  await ollama.close();
});
beforeEach(() => {
  home = makeTemporaryHome();
  workdir = path.join(home.root, "work");
  fs.mkdirSync(workdir);
});
afterEach(async () => {
  await session?.kill();
  session = undefined;
  home.cleanup();
});

/** A `cmdai` on the PATH that runs the built CLI, as an installed one would. */
function installCmdai(): string {
  const bin = path.join(home.root, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, "cmdai"),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(builtCli)} "$@"\n`,
    { mode: 0o755 },
  );
  return bin;
}

/** Start an interactive `shell` in tmux with only the cmdai snippet in its startup file. */
async function startShell(shell: InitShell): Promise<TmuxSession> {
  const bin = installCmdai();
  const env: NodeJS.ProcessEnv = {
    ...home.env,
    PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    OLLAMA_HOST: ollama.url,
    CMDAI_BACKEND: "ollama",
    CMDAI_MODEL: "m",
    NO_COLOR: "1",
    LANG: "C.UTF-8",
  };
  let command: string[];
  switch (shell) {
    case "bash": {
      const rc = path.join(home.root, "bashrc");
      fs.writeFileSync(rc, `PS1='ready$ '\nHISTFILE=/dev/null\neval "$(cmdai init bash)"\n`);
      command = ["bash", "--noprofile", "--rcfile", rc, "-i"];
      break;
    }
    case "zsh": {
      const zdotdir = path.join(home.root, "zdotdir");
      fs.mkdirSync(zdotdir);
      fs.writeFileSync(
        path.join(zdotdir, ".zshrc"),
        `PS1='ready$ '\nHISTSIZE=100\neval "$(cmdai init zsh)"\n`,
      );
      env.ZDOTDIR = zdotdir;
      command = ["zsh", "-i"];
      break;
    }
    case "fish": {
      const configDirectory = path.join(home.root, "config", "fish");
      fs.mkdirSync(configDirectory, { recursive: true });
      fs.writeFileSync(
        path.join(configDirectory, "config.fish"),
        "set -g fish_greeting\nfunction fish_prompt; echo -n 'ready$ '; end\ncmdai init fish | source\n",
      );
      command = ["fish", "-i"];
      break;
    }
  }
  session = await TmuxSession.start({ command, env, cwd: workdir });
  await session.waitFor("ready$");
  return session;
}

describe("cmdai init prints snippets that parse", () => {
  for (const shell of ["bash", "zsh", "fish"] as const) {
    it.skipIf(!hasProgram(shell))(shell, async () => {
      const run = await runBuiltCli(["init", shell], { env: home.env });
      expect(run.code).toBe(0);
      const file = path.join(home.root, `snippet.${shell}`);
      fs.writeFileSync(file, run.stdout);
      const check = spawnSync(shell, ["-n", file], { encoding: "utf8" });
      expect(check.stderr).toBe("");
      expect(check.status).toBe(0);
    });
  }

  it("powershell", async () => {
    const run = await runBuiltCli(["init", "powershell"], { env: home.env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Set-PSReadLineKeyHandler -Chord 'Ctrl+g'");
  });

  it("uses ui.hotkey from the config", async () => {
    fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
    fs.writeFileSync(home.configFile, '[ui]\nhotkey = "\\\\M-j"\n');
    const run = await runBuiltCli(["init", "zsh"], { env: home.env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("bindkey -M emacs '^[j' __cmdai_hotkey");
  });

  it("rejects an unknown shell with exit 2", async () => {
    const run = await runBuiltCli(["init", "tcsh"], { env: home.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("tcsh");
  });
});

describe.skipIf(!hasTmux())("the init snippets in a real shell", { timeout: 120_000 }, () => {
  for (const shell of ["bash", "zsh", "fish"] as const) {
    it.skipIf(!hasProgram(shell))(`${shell}: the hotkey puts the command in the line buffer`, async () => {
      const terminal = await startShell(shell);
      await terminal.type("write hello to a file");
      await terminal.sendKeys("C-g");
      await terminal.waitFor(/ready\$ echo hello-from-cmdai > FILE/);
      // It writes a file: inserted, with the warning that it needs the user's confirmation (exit 4).
      await terminal.waitFor("[MODERATE] needs confirmation");
      // In the buffer, not run: only Enter runs it, in the user's own shell.
      expect(fs.existsSync(path.join(workdir, "FILE"))).toBe(false);
      await terminal.sendKeys("Enter");
      await terminal.type('echo done-4""2');
      await terminal.sendKeys("Enter");
      await terminal.waitFor("done-42");
      expect(fs.readFileSync(path.join(workdir, "FILE"), "utf8")).toBe("hello-from-cmdai\n");
    });

    it.skipIf(!hasProgram(shell))(
      `${shell}: the hotkey says why a high-risk command needs care`,
      async () => {
        ollama.setScript([JSON.stringify({ command: "git reset --hard" })]);
        try {
          const terminal = await startShell(shell);
          await terminal.type("throw away my changes");
          await terminal.sendKeys("C-g");
          await terminal.waitFor("[HIGH] needs confirmation");
          await terminal.waitFor("Throws away every uncommitted change");
          // The shell redraws its line with the command once cmdai has exited: wait for that screen, not the first.
          const screen = await terminal.waitFor(/ready\$ git reset --hard/);
          expect(screen).toContain("[HIGH] needs confirmation");
        } finally {
          ollama.setScript([JSON.stringify({ command: "echo hello-from-cmdai > FILE" })]);
        }
      },
    );

    it.skipIf(!hasProgram(shell))(
      `${shell}: a command run from the menu lands in the shell's history`,
      async () => {
        const terminal = await startShell(shell);
        await terminal.type("cmdai write hello to a file");
        await terminal.sendKeys("Enter");
        await terminal.waitFor("r run");
        await terminal.sendKeys("r");
        await terminal.waitFor(/ready\$ *$/m);
        expect(fs.existsSync(path.join(workdir, "FILE"))).toBe(true);
        fs.rmSync(path.join(workdir, "FILE"));
        // Recall the previous history entry and run it again.
        await terminal.sendKeys("Up");
        await terminal.waitFor(/ready\$ echo hello-from-cmdai > FILE/);
        // One further back is the request itself: it is kept in the history too.
        await terminal.sendKeys("Up");
        await terminal.waitFor(/ready\$ cmdai write hello to a file *$/m);
        await terminal.sendKeys("Down");
        await terminal.waitFor(/ready\$ echo hello-from-cmdai > FILE *$/m);
        await terminal.sendKeys("Enter");
        await terminal.type('echo done-4""2');
        await terminal.sendKeys("Enter");
        await terminal.waitFor("done-42");
        expect(fs.existsSync(path.join(workdir, "FILE"))).toBe(true);
      },
    );
  }
});

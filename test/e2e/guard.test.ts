/** Guard mode through the built CLI: an agent's hook payload on stdin, and the hook installed in a temp HOME. */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTemporaryHome, repositoryRoot, runBuiltCli } from "../support/run-built-cli.js";

const fixture = (name: string): string =>
  fs.readFileSync(path.join(repositoryRoot, "test", "fixtures", "hooks", name), "utf8");

interface ClaudeAnswer {
  hookSpecificOutput: { hookEventName: string; permissionDecision: string; permissionDecisionReason: string };
}

let home: ReturnType<typeof makeTemporaryHome>;
beforeEach(() => {
  home = makeTemporaryHome();
});
afterEach(() => {
  home.cleanup();
});

describe("cmdai check --hook", () => {
  it("denies Claude Code's rm -rf ~ with a reason, and logs it as the agent's", async () => {
    const run = await runBuiltCli(["check", "--hook", "claude-code"], {
      env: home.env,
      input: fixture("claude-code/bash-rm-home.json"),
    });
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout) as ClaudeAnswer;
    expect(answer.hookSpecificOutput.hookEventName).toBe("PreToolUse");
    expect(answer.hookSpecificOutput.permissionDecision).toBe("deny");
    expect(answer.hookSpecificOutput.permissionDecisionReason).toMatch(/home directory/);
    const history = await runBuiltCli(["history", "--json"], { env: home.env });
    expect(JSON.parse(history.stdout)).toMatchObject([
      { command: "rm -rf ~", source: "agent:claude-code", decision: "block", exitCode: 3 },
    ]);
  });

  it("allows ls -la, and passes other tools through silently", async () => {
    const allowed = await runBuiltCli(["check", "--hook", "claude-code"], {
      env: home.env,
      input: fixture("claude-code/bash-ls.json"),
    });
    expect(allowed.code).toBe(0);
    expect((JSON.parse(allowed.stdout) as ClaudeAnswer).hookSpecificOutput.permissionDecision).toBe("allow");
    const other = await runBuiltCli(["check", "--hook=claude-code"], {
      env: home.env,
      input: fixture("claude-code/write-file.json"),
    });
    expect(other).toMatchObject({ code: 0, stdout: "", stderr: "" });
  });

  it("asks, and explains on stderr, when the payload is malformed or empty", async () => {
    for (const input of ['{"tool_name": "Bash", "tool_input": ', ""]) {
      const run = await runBuiltCli(["check", "--hook", "claude-code"], { env: home.env, input });
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as ClaudeAnswer).hookSpecificOutput.permissionDecision).toBe("ask");
      expect(run.stderr).toMatch(/cmdai: guard: .*answering "ask" \(fail closed\)/);
    }
  });

  it("speaks Gemini CLI's protocol and the generic one, and follows --safety", async () => {
    const gemini = await runBuiltCli(["check", "--hook", "gemini-cli"], {
      env: home.env,
      input: fixture("gemini-cli/shell-git-push-force.json"),
    });
    expect(JSON.parse(gemini.stdout)).toMatchObject({ decision: "ask" });
    const strict = await runBuiltCli(["check", "--safety", "strict", "--hook", "gemini-cli"], {
      env: home.env,
      input: fixture("gemini-cli/shell-git-push-force.json"),
    });
    expect(JSON.parse(strict.stdout)).toMatchObject({ decision: "deny" });
    const generic = await runBuiltCli(["check", "--hook", "json"], {
      env: home.env,
      input: '{"command":"rm -rf /","shell":"bash"}',
    });
    expect(generic.code).toBe(3);
    expect(JSON.parse(generic.stdout)).toMatchObject({ decision: "deny", level: "critical" });
    // Through commander rather than the fast path (another flag given): the same answer.
    const viaCommander = await runBuiltCli(["check", "--json", "--hook", "json"], {
      env: home.env,
      input: '{"command":"rm -rf /","shell":"bash"}',
    });
    expect(viaCommander).toMatchObject({ code: 3, stdout: generic.stdout });
  });

  it("follows [guard] in the config file", async () => {
    fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
    fs.writeFileSync(home.configFile, '[guard]\nhigh = "deny"\n');
    const run = await runBuiltCli(["check", "--hook", "claude-code"], {
      env: home.env,
      input: fixture("claude-code/bash-git-reset-hard.json"),
    });
    expect((JSON.parse(run.stdout) as ClaudeAnswer).hookSpecificOutput.permissionDecision).toBe("deny");
  });

  it("asks, and says why, when the configuration does not load", async () => {
    fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
    fs.writeFileSync(home.configFile, "safety = [\n");
    const run = await runBuiltCli(["check", "--hook", "claude-code", "-c", home.configFile], {
      env: home.env,
      input: fixture("claude-code/bash-ls.json"),
    });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as ClaudeAnswer).hookSpecificOutput.permissionDecision).toBe("ask");
    expect(run.stderr).toMatch(/configuration could not be loaded .*Invalid TOML/);
  });

  it("rejects an unknown hook format with a usage error", async () => {
    const run = await runBuiltCli(["check", "--hook", "cursor"], { env: home.env, input: "{}" });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown hook format "cursor"/);
  });
});

describe("cmdai guard", () => {
  it("installs the Claude Code hook once in a temp HOME, and uninstall restores the file", async () => {
    const file = path.join(home.root, ".claude", "settings.json");
    const original =
      '{\n  "model": "opus",\n  "hooks": {\n    "Stop": [{ "hooks": [{ "type": "command", "command": "./done.sh" }] }]\n  }\n}\n';
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, original);

    const first = await runBuiltCli(["guard", "install", "claude-code", "--user"], { env: home.env });
    expect(first.code).toBe(0);
    const installed = fs.readFileSync(file, "utf8");
    const settings = JSON.parse(installed) as {
      model: string;
      hooks: { Stop: unknown[]; PreToolUse: { matcher: string; hooks: { command: string }[] }[] };
    };
    expect(settings.model).toBe("opus");
    expect(settings.hooks.Stop).toHaveLength(1);
    expect(settings.hooks.PreToolUse).toHaveLength(1);
    const command = settings.hooks.PreToolUse[0]?.hooks[0]?.command ?? "";
    expect(command).toContain(process.execPath);
    expect(command).toMatch(/dist\/cli\/main\.js'? check --hook claude-code$/);

    const second = await runBuiltCli(["guard", "install", "claude-code", "--user"], { env: home.env });
    expect(second.stdout).toMatch(/nothing changed/);
    expect(fs.readFileSync(file, "utf8")).toBe(installed);

    const status = await runBuiltCli(["guard", "status", "claude-code"], { env: home.env });
    expect(status.stdout).toMatch(/Claude Code\s+user\s+installed\s/);

    const removed = await runBuiltCli(["guard", "uninstall", "claude-code", "--user"], { env: home.env });
    expect(removed.code).toBe(0);
    expect(fs.readFileSync(file, "utf8")).toBe(original);
  });

  it.skipIf(process.platform === "win32")(
    "runs the installed hook command as the agent would, without cmdai on PATH",
    async () => {
      await runBuiltCli(["guard", "install", "claude-code"], { env: home.env });
      const file = path.join(home.root, ".claude", "settings.json");
      const settings = JSON.parse(fs.readFileSync(file, "utf8")) as {
        hooks: { PreToolUse: { hooks: { command: string }[] }[] };
      };
      const command = settings.hooks.PreToolUse[0]?.hooks[0]?.command ?? "";
      const { spawnSync } = await import("node:child_process");
      const result = spawnSync("/bin/sh", ["-c", command], {
        input: fixture("claude-code/bash-rm-home.json"),
        env: { ...home.env, PATH: "/nonexistent" },
        encoding: "utf8",
      });
      expect(result.status).toBe(0);
      expect((JSON.parse(result.stdout) as ClaudeAnswer).hookSpecificOutput.permissionDecision).toBe("deny");
    },
  );

  it("refuses a settings file that is not JSON, leaving it untouched", async () => {
    const file = path.join(home.root, ".gemini", "settings.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "{ not json");
    const run = await runBuiltCli(["guard", "install", "gemini-cli"], { env: home.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is not valid JSON/);
    expect(fs.readFileSync(file, "utf8")).toBe("{ not json");
  });
});

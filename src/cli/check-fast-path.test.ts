import { PassThrough } from "node:stream";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { UsageError } from "../errors.js";
import { CHECK_OPTIONS } from "./check-options.js";
import type { CliIo } from "./io.js";

const calls = vi.hoisted(() => ({ list: [] as unknown[][] }));

vi.mock("./check-hook-entry.js", () => ({
  runHookFromArguments: (...parameters: unknown[]) => {
    calls.list.push(["hook", ...parameters.slice(0, 2)]);
    return Promise.resolve(0);
  },
}));

vi.mock("./check-entry.js", () => ({
  runCheckFromArguments: (...parameters: unknown[]) => {
    calls.list.push(parameters.slice(0, 2));
    const command = parameters[0];
    if (command === "fail") return Promise.reject(new UsageError("cmdai check needs a command to judge."));
    return Promise.resolve(0);
  },
}));

const { parseCheckArgumentsFast, runCheckFast } = await import("./check-fast-path.js");
const { runCli } = await import("./run-cli.js");

function testIo(): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    cwd: "/",
    out: () => out,
    err: () => err,
  };
}

beforeEach(() => {
  calls.list = [];
});

const FAST_FORMS: string[][] = [
  ["check", "ls -la"],
  ["check", "--json", "rm -rf ~"],
  ["check", "rm -rf ~", "--json"],
  ["check", "-s", "fish", "ls"],
  ["check", "--shell", "powershell", "Remove-Item -Recurse C:\\"],
  ["check", "--shell=zsh", "--safety=strict", "ls"],
  ["check", "--safety", "permissive", "--json", "-c", "/tmp/cmdai.toml", "ls"],
  ["check", "--config=/tmp/x.toml", "ls"],
  ["check", "--json", "-"],
  ["check", "--", "-rf"],
  ["check", "--json", "--", "--help"],
  ["check"],
  ["check", ""],
  ["check", "--preview", "rm -rf build"],
  ["check", "rm -rf build", "--json", "--preview"],
  ["check", "--hook", "claude-code"],
  ["check", "--hook=gemini-cli", "--safety", "strict", "-c", "/tmp/x.toml"],
  ["check", "--config", "/tmp/x.toml", "--hook", "json"],
  // Every option of the one table, in each name it goes by: both parsers are built from it.
  ...CHECK_OPTIONS.flatMap((option) => {
    const sample = { shell: "zsh", safety: "strict", hook: "json", config: "/tmp/x.toml", output: "yaml" };
    const words = option.value === undefined ? [] : [sample[option.key]];
    const command = option.key === "hook" ? [] : ["ls"];
    return [option.long, ...(option.short === undefined ? [] : [option.short])].map((name) => [
      "check",
      name,
      ...words,
      ...command,
    ]);
  }),
];

describe("parseCheckArgumentsFast", () => {
  it.each(FAST_FORMS)("reads %j exactly as commander does", async (...argv) => {
    const fast = parseCheckArgumentsFast(argv);
    expect(fast).toBeDefined();
    await runCli(argv, testIo());
    await runCheckFast(argv, testIo());
    expect(calls.list).toHaveLength(2);
    expect(calls.list[1]).toEqual(calls.list[0]);
    if (fast?.options.hook === undefined) expect([fast?.command, fast?.options]).toEqual(calls.list[0]);
    else expect(calls.list[0]?.[0]).toBe("hook");
  });

  it.each([
    [["ls"]],
    [["-v", "check", "ls"]],
    [["check", "--help"]],
    [["check", "-h"]],
    [["check", "--shell"]],
    [["check", "--shell", "--json", "ls"]],
    [["check", "-sbash", "ls"]],
    [["check", "--unknown", "ls"]],
    [["check", "ls", "-la"]],
    [["check", "rm", "-rf"]],
    [["check", "one", "two"]],
    [["check", "--hook", "claude-code", "ls"]],
    [["check", "--hook"]],
  ])("leaves %j to commander", (argv) => {
    expect(parseCheckArgumentsFast(argv)).toBeUndefined();
  });
});

describe("runCheckFast", () => {
  it("runs the check and returns its exit code", async () => {
    await expect(runCheckFast(["check", "ls"], testIo())).resolves.toBe(0);
    expect(calls.list).toEqual([["ls", {}]]);
  });

  it("reports errors as the full program does: JSON on stdout with --json, text on stderr otherwise", async () => {
    const jsonIo = testIo();
    await expect(runCheckFast(["check", "--json", "fail"], jsonIo)).resolves.toBe(2);
    expect(JSON.parse(jsonIo.out())).toMatchObject({ error: { code: "usage" } });
    const textIo = testIo();
    await expect(runCheckFast(["check", "fail"], textIo)).resolves.toBe(2);
    expect(textIo.err()).toContain("needs a command to judge");
    expect(textIo.out()).toBe("");
  });

  it("declines what it cannot read, without running anything", async () => {
    await expect(runCheckFast(["check", "--help"], testIo())).resolves.toBeUndefined();
    expect(calls.list).toEqual([]);
  });
});

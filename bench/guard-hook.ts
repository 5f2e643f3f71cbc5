/**
 * The round trip of an agent's hook call through the built CLI — spawn `cmdai check --hook claude-code`, write a
 * PreToolUse payload to its stdin, read the answer — against a bare `node -e 0` spawned the same way, side by
 * side (interleaved runs, median), so machine noise hits both equally. Every command an agent runs waits on
 * this. Goal: ≤ 2.5× `node -e 0`. Payloads: `ls -la` (the fast lexer judges it), a command the lexer declines
 * (the bash grammar loads), and `rm -rf ~` (denied, so an audit line is written); `cmdai check 'ls -la'` runs
 * alongside as the reference (the same lazy path, the command in argv).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./support/median.js";
import type { BenchResult } from "./support/bench-result.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist", "cli", "main.js");

function payload(command: string): string {
  return JSON.stringify({
    session_id: "bench",
    transcript_path: "/tmp/bench.jsonl",
    cwd: root,
    permission_mode: "default",
    hook_event_name: "PreToolUse",
    tool_name: "Bash",
    tool_input: { command, description: "bench" },
    tool_use_id: "toolu_bench",
  });
}

function timeOnce(args: string[], input: string, env: NodeJS.ProcessEnv, expected?: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { input, env, encoding: "utf8" });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (expected !== undefined && !result.stdout.includes(`"permissionDecision":"${expected}"`)) {
    throw new Error(`${args.join(" ")} answered ${result.stdout || result.stderr} instead of ${expected}`);
  }
  return elapsed;
}

export function run(): Promise<BenchResult[]> {
  if (!fs.existsSync(cli)) throw new Error("Build first: npm run build");
  const runs = Number(process.env.BENCH_GUARD_RUNS ?? 21);
  // A private home, so the audit lines of the denied payload land in a temp folder and no config is read.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-bench-guard-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, "config"),
    XDG_STATE_HOME: path.join(home, "state"),
    NO_COLOR: "1",
  };
  const hook = [cli, "check", "--hook", "claude-code"];
  const candidates = [
    { name: "hook: ls -la (allow)", input: payload("ls -la"), expected: "allow" },
    {
      name: "hook: for loop (grammar loads)",
      input: payload('for f in *.log; do echo "$f"; done'),
      expected: "allow",
    },
    { name: "hook: rm -rf ~ (deny + audit)", input: payload("rm -rf ~"), expected: "deny" },
  ];
  const baseline: number[] = [];
  // `cmdai check 'ls -la'` (the same lazy path, command in argv): what the hook adds on top of it.
  const reference: number[] = [];
  const check = [cli, "check", "ls -la"];
  const samples = new Map<string, number[]>(candidates.map((candidate) => [candidate.name, []]));
  try {
    for (let warmup = 0; warmup < 3; warmup++) {
      timeOnce(["-e", "0"], "", env);
      for (const candidate of candidates) timeOnce(hook, candidate.input, env, candidate.expected);
    }
    for (let index = 0; index < runs; index++) {
      baseline.push(timeOnce(["-e", "0"], "", env));
      reference.push(timeOnce(check, "", env));
      for (const candidate of candidates) {
        samples.get(candidate.name)?.push(timeOnce(hook, candidate.input, env, candidate.expected));
      }
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
  const baselineMedian = median(baseline);
  const checkMedian = median(reference);
  const results: BenchResult[] = [
    { metric: "node -e 0", value: Math.round(baselineMedian), unit: "ms", detail: `median of ${runs}` },
    {
      metric: "cmdai check 'ls -la' / node -e 0",
      value: Math.round((checkMedian / baselineMedian) * 100) / 100,
      unit: "×",
      detail: `reference: ${Math.round(checkMedian)} ms, median of ${runs}`,
    },
  ];
  for (const candidate of candidates) {
    const value = median(samples.get(candidate.name) ?? []);
    results.push(
      { metric: candidate.name, value: Math.round(value), unit: "ms", detail: `median of ${runs}` },
      {
        metric: `${candidate.name} / node -e 0`,
        value: Math.round((value / baselineMedian) * 100) / 100,
        unit: "×",
        detail: "goal ≤ 2.5×",
      },
    );
  }
  return Promise.resolve(results);
}

/**
 * Time-to-command as a user sees it, through the built CLI, on the synthetic Qwen2.5-1.5B-shaped Q4_K_M model
 * (2 threads, a fixed answer bound): a fresh process without the server (cold, then with the saved prompt
 * states, in the same folder and in a new one), and through the warm model server (median of 5 after it
 * started). Each figure comes with the tokens the run really evaluated and generated (from `--verbose`), and
 * peak RSS of the in-process run and of the server. Goals on 2 cores: warm ≤ 1.5 s; cold ≤ load time + 2 s;
 * RSS ≤ model + 1 GB.
 * Run alone: `BENCH_ONLY=warm-server npm run bench`.
 *
 * Random weights write arbitrary text: the answer is bounded by `max_command_length` (BENCH_ANSWER_CHARS,
 * default 80 characters, about 30 tokens of the synthetic vocabulary, whose tokens are 1–3 characters).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchModel } from "./support/bench-model.js";
import { findLlamaBench, LLAMA_BENCH_MISSING_HINT } from "./support/llama-bench-binary.js";
import { measureLlamaFloor } from "./support/llama-floor.js";
import { phaseMs, requestPhases } from "./support/cold-phases.js";
import { median } from "./support/median.js";
import type { BenchResult } from "./support/bench-result.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist", "cli", "main.js");
const ANSWER_CHARS = Number(process.env.BENCH_ANSWER_CHARS ?? 80);
const REQUEST = "list the ten largest files in this folder";
/** Different requests for the warm runs: a repeated one would find all but its last token in the cache. */
const WARM_REQUESTS = [
  "show which process listens on port 8080",
  "count the lines of every markdown file here",
  "find files changed in the last two days",
  "compress the logs folder into a tarball",
  "print my disk usage by top-level folder",
];

/** Sent to the new server before the timed warm requests. */
const WARM_UP_REQUEST = "show the current date and time";

/** Writes the process's peak RSS (kB) to $CMDAI_BENCH_RSS_FILE when it exits. */
const RSS_HOOK = `data:text/javascript,${encodeURIComponent(
  'import fs from "node:fs"; process.on("exit", () => fs.writeFileSync(process.env.CMDAI_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));',
)}`;

interface RunDocument {
  command?: string;
  timingsMs?: Record<string, number>;
  error?: { message: string };
}

interface CliRun {
  ms: number;
  document: RunDocument;
  /** From `--verbose`: prompt tokens, of which cached, and answer tokens. */
  promptTokens?: number;
  cachedTokens?: number;
  answerTokens?: number;
  /** From `--verbose`: the model's own share of the answer time (embedded, in-process or in the server). */
  promptEvalMs?: number;
  answerMs?: number;
  peakRssMb?: number;
  stderr: string;
}

/** The tokens a run evaluated (prompt not in the cache) and generated. */
function describeRun(run: CliRun): string {
  if (run.document.error !== undefined) return `failed: ${run.document.error.message}`;
  const timings = run.document.timingsMs ?? {};
  const evaluated = (run.promptTokens ?? 0) - (run.cachedTokens ?? 0);
  return (
    `load ${timings.load ?? "?"} ms, generate ${timings.generate ?? "?"} ms; ` +
    `${evaluated} prompt tokens evaluated (${run.cachedTokens ?? "?"} cached), ${run.answerTokens ?? "?"} answer tokens`
  );
}

/**
 * §4 of the time-to-command issue: the warm request against llama.cpp's own time for the same tokens at the
 * same depths (llama-bench, measured right after the warm requests with the server stopped), and where the
 * difference goes: the client, cmdai's work around the model in the server, and the model's prompt and
 * answer time beyond llama-bench's. Medians over the warm requests.
 */
function warmOverhead(
  modelPath: string,
  warm: CliRun[],
  typical: CliRun,
  stopServer: () => void,
): BenchResult[] {
  const program = findLlamaBench();
  if (program === undefined) {
    return [
      {
        metric: "llama-bench.missing",
        value: 2,
        unit: "rows",
        detail: `ratio.warm_to_llama_floor, cli.warm_overhead: ${LLAMA_BENCH_MISSING_HINT}`,
      },
    ];
  }
  stopServer();
  const tokens = {
    cachedTokens: typical.cachedTokens ?? 0,
    evaluatedTokens: (typical.promptTokens ?? 0) - (typical.cachedTokens ?? 0),
    answerTokens: typical.answerTokens ?? 0,
  };
  const floor = measureLlamaFloor(program, { modelPath, threads: 2, repetitions: 3, tokens });
  if ("error" in floor) return [{ metric: "llama-bench", value: 0, unit: "", detail: floor.error }];
  const floorMs = floor.promptMs + floor.answerMs;
  const wallMs = median(warm.map((run) => run.ms));
  const part = (name: string, of: (run: CliRun) => number): BenchResult => ({
    metric: "cli.warm_overhead_part",
    value: Math.round(median(warm.map(of))),
    unit: "ms",
    detail: name,
  });
  const generate = (run: CliRun): number => run.document.timingsMs?.generate ?? 0;
  const promptEval = (run: CliRun): number => run.promptEvalMs ?? 0;
  const answer = (run: CliRun): number => run.answerMs ?? 0;
  const strictFloorMs =
    Math.min(floor.promptMs, median(warm.map(promptEval))) +
    Math.min(floor.answerMs, median(warm.map(answer)));
  return [
    {
      metric: "llama-bench.warm_floor",
      value: Math.round(floorMs),
      unit: "ms",
      detail: `llama-bench ${floor.tests}, t=2, median of 3: prompt ${Math.round(floor.promptMs)} ms, answer ${Math.round(floor.answerMs)} ms (the warm request's tokens at its depths)`,
    },
    {
      metric: "ratio.warm_to_llama_floor",
      value: Math.round((wallMs / floorMs) * 100) / 100,
      unit: "×",
      detail: `warm ${Math.round(wallMs)} ms (median) vs llama.cpp's ${Math.round(floorMs)} ms for the same tokens; goal ≤ 1.15×`,
    },
    {
      metric: "cli.warm_overhead",
      value: Math.round(wallMs - floorMs),
      unit: "ms",
      detail:
        "what cmdai adds to llama.cpp's own time for the same tokens; goal ≤ 150 ms. Its parts (medians, so they need not add up exactly):",
    },
    part(
      "client: Node's start, cmdai's modules, settings, socket, safety check, output, exit (wall − server's answer time)",
      (run) => run.ms - generate(run),
    ),
    part(
      "server, around the model: prompt rendering, cache reuse, grammar, reply (answer time − model time)",
      (run) => generate(run) - promptEval(run) - answer(run),
    ),
    part(
      `model, prompt beyond llama-bench's ${Math.round(floor.promptMs)} ms (small batch through node-llama-cpp, first token's sampling)`,
      (run) => promptEval(run) - floor.promptMs,
    ),
    part(
      `model, answer beyond llama-bench's ${Math.round(floor.answerMs)} ms (sampling, grammar, node-llama-cpp's per-token path)`,
      (run) => answer(run) - floor.answerMs,
    ),
    {
      // llama-bench is not always the faster at a few tokens (its pp33 at a 382-token depth took 860 ms where
      // node-llama-cpp took 670): with each part's floor the lower of the two, a negative part counts as zero.
      metric: "cli.warm_overhead_strict",
      value: Math.round(wallMs - strictFloorMs),
      unit: "ms",
      detail: `as cli.warm_overhead, each part's floor the lower of llama-bench's and ours (${Math.round(strictFloorMs)} ms): ${Math.round((wallMs / strictFloorMs) * 100) / 100}× the floor`,
    },
  ];
}

export async function run(): Promise<BenchResult[]> {
  if (!fs.existsSync(cli)) throw new Error("Build first: npm run build");
  const model = await benchModel();
  const modelMb = Math.round(fs.statSync(model).size / 2 ** 20);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-bench-warm-"));
  const rssFile = path.join(home, "rss");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, "config"),
    XDG_CACHE_HOME: path.join(home, "cache"),
    XDG_STATE_HOME: path.join(home, "state"),
    XDG_RUNTIME_DIR: path.join(home, "runtime"),
    NO_COLOR: "1",
    CMDAI_BENCH_RSS_FILE: rssFile,
  };
  fs.mkdirSync(path.join(home, "runtime"), { recursive: true, mode: 0o700 });
  const configFile = path.join(home, "config", "cmdai", "config.toml");
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  const writeConfig = (keepAlive: number): void => {
    fs.writeFileSync(
      configFile,
      `[embedded]\nthreads = 2\nseed = 1\nmax_tokens = 96\nmax_command_length = ${ANSWER_CHARS}\nkeep_alive = ${keepAlive}\n`,
    );
  };
  const request = (text = REQUEST, cwd = root): CliRun => {
    fs.rmSync(rssFile, { force: true });
    const started = performance.now();
    const result = spawnSync(
      process.execPath,
      ["--import", RSS_HOOK, cli, "--model", model, "-o", "json", "--dry-run", "-v", text],
      { env, cwd, encoding: "utf8", timeout: 300_000 },
    );
    const ms = performance.now() - started;
    const usage = /(\d+) prompt tokens \((\d+) cached\), (\d+) answer tokens/.exec(result.stderr);
    const modelTime = /model time: prompt (\d+) ms, answer (\d+) ms/.exec(result.stderr);
    const rssKb = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, "utf8")) : undefined;
    return {
      ms,
      stderr: result.stderr,
      document: JSON.parse(result.stdout || "{}") as RunDocument,
      ...(usage === null
        ? {}
        : { promptTokens: Number(usage[1]), cachedTokens: Number(usage[2]), answerTokens: Number(usage[3]) }),
      ...(modelTime === null ? {} : { promptEvalMs: Number(modelTime[1]), answerMs: Number(modelTime[2]) }),
      ...(rssKb === undefined ? {} : { peakRssMb: Math.round(rssKb / 1024) }),
    };
  };
  const serverPeakRssMb = (): number | undefined => {
    const status = spawnSync(process.execPath, [cli, "server", "status", "--json"], {
      env,
      encoding: "utf8",
    });
    try {
      const parsed = JSON.parse(status.stdout) as { servers: { pid: number }[] };
      const pid = parsed.servers[0]?.pid;
      if (pid === undefined) return undefined;
      const text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = /VmHWM:\s+(\d+) kB/.exec(text)?.[1];
      return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
    } catch {
      return undefined;
    }
  };
  try {
    writeConfig(0);
    const cold = request();
    // Same folder: the saved states of the system prompt and of this folder's working-directory line.
    const coldSaved = request();
    // A folder cmdai has not answered in yet: only the system prompt's state applies.
    const newFolder = fs.mkdtempSync(path.join(home, "another-project-"));
    const coldNewFolder = request(REQUEST, newFolder);
    writeConfig(600);
    const starting = request();
    // The first request answered in-process and started the server as it ended; once it listens, one request
    // it is not timed on waits for its load, as a person's next request a few seconds later would not.
    const deadline = Date.now() + 120_000;
    while (serverPeakRssMb() === undefined && Date.now() < deadline) spawnSync("sleep", ["0.2"]);
    request(WARM_UP_REQUEST);
    const warm = WARM_REQUESTS.map((text) => request(text));
    const serverRss = serverPeakRssMb();
    const typicalWarm =
      [...warm].sort((a, b) => a.ms - b.ms)[Math.floor(WARM_REQUESTS.length / 2)] ?? starting;
    const overhead = coldSaved.ms - (coldSaved.document.timingsMs?.load ?? 0);
    const coldPhases = requestPhases(coldSaved.stderr, coldSaved.ms);
    const weightsMs = phaseMs(coldPhases, "weights");
    const results: BenchResult[] = [
      {
        metric: "cli.time_to_command_cold",
        value: Math.round(cold.ms),
        unit: "ms",
        detail: `fresh process, no saved state; ${describeRun(cold)}`,
      },
      {
        metric: "cli.time_to_command_cold_saved_state",
        value: Math.round(coldSaved.ms),
        unit: "ms",
        detail: `fresh process; ${describeRun(coldSaved)}`,
      },
      {
        metric: "cli.cold_beyond_load",
        value: Math.round(overhead),
        unit: "ms",
        detail:
          "cold with saved state minus its model load (import, llama.cpp start, weights); goal ≤ 2000 ms",
      },
      {
        metric: "cli.time_to_command_cold_new_folder",
        value: Math.round(coldNewFolder.ms),
        unit: "ms",
        detail: `fresh process in a folder without a saved state of its own (the system prompt's applies); ${describeRun(coldNewFolder)}`,
      },
      {
        metric: "cli.cold_beyond_load_new_folder",
        value: Math.round(coldNewFolder.ms - (coldNewFolder.document.timingsMs?.load ?? 0)),
        unit: "ms",
        detail: "the same, minus its model load; goal ≤ 2000 ms",
      },
      ...coldPhases.phases.map(([name, ms]): BenchResult => ({
        metric: "cli.cold_phase",
        value: ms,
        unit: "ms",
        detail: `${name} (cold, saved state)`,
      })),
      {
        metric: "cli.cold_phase",
        value: coldPhases.restMs,
        unit: "ms",
        detail: "the rest: writing the result, exit, and what no phase names",
      },
      ...(weightsMs === undefined
        ? []
        : [
            {
              metric: "cli.cold_beyond_weights",
              value: Math.round(coldSaved.ms - weightsMs),
              unit: "ms",
              detail: `cold with saved state minus reading the weights (${weightsMs} ms): everything else, node-llama-cpp's import and llama.cpp's start included; goal ≤ 2000 ms`,
            },
          ]),
      {
        metric: "cli.time_to_command_server_start",
        value: Math.round(starting.ms),
        unit: "ms",
        detail: `first request with the server on: answered in-process, starts the server as it ends; ${describeRun(starting)}`,
      },
      {
        metric: "ratio.server_start_to_cold",
        value: Math.round((starting.ms / coldSaved.ms) * 100) / 100,
        unit: "×",
        detail: `the first request with the server on (${Math.round(starting.ms)} ms) vs a cold in-process request with the saved state (${Math.round(coldSaved.ms)} ms); goal ≤ 1.0×`,
      },
      {
        metric: "cli.time_to_command_warm_server",
        value: Math.round(median(warm.map((run) => run.ms))),
        unit: "ms",
        detail: `median of ${WARM_REQUESTS.length} (${warm.map((run) => Math.round(run.ms)).join(", ")}), goal ≤ 1500 ms; ${describeRun(typicalWarm)}`,
      },
      {
        metric: "cli.warm_client_overhead",
        value: Math.round(median(warm.map((run) => run.ms - (run.document.timingsMs?.generate ?? 0)))),
        unit: "ms",
        detail:
          "warm wall time minus the server's own answer time (median): Node's start, cmdai's modules, settings, socket, safety check, output, exit",
      },
      {
        metric: "cli.warm_prompt_tokens_evaluated",
        value: (typicalWarm.promptTokens ?? 0) - (typicalWarm.cachedTokens ?? 0),
        unit: "tokens",
        detail: "request tokens the warm server had to evaluate (the rest was cached)",
      },
      {
        metric: "cli.warm_answer_tokens",
        value: typicalWarm.answerTokens ?? 0,
        unit: "tokens",
        detail: `answer bound ${ANSWER_CHARS} characters`,
      },
      {
        metric: "cli.peak_rss_in_process",
        value: coldSaved.peakRssMb ?? 0,
        unit: "MiB",
        detail: `fresh process inferring in-process; model file ${modelMb} MiB, goal ≤ ${modelMb + 1024} MiB (file + 1 GiB)`,
      },
    ];
    results.push(
      ...warmOverhead(model, warm, typicalWarm, () => {
        spawnSync(process.execPath, [cli, "server", "stop"], { env, stdio: "ignore" });
      }),
    );
    if (serverRss !== undefined) {
      results.push({
        metric: "cli.peak_rss_server",
        value: serverRss,
        unit: "MiB",
        detail: `the warm model server after ${WARM_REQUESTS.length + 1} requests (VmHWM)`,
      });
    }
    return results;
  } finally {
    spawnSync(process.execPath, [cli, "server", "stop"], { env, stdio: "ignore" });
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Where a request's time goes, read from the `--verbose` lines the CLI, core and the embedded backend write
 * (`started in`, `safety engine ready in`, `load phases:`, `generation phases:`, `judged in`, `preview: … (N ms)`).
 * Phases that run side by side (node-llama-cpp's import and llama.cpp's start beside the model check) count
 * once, as the longer of the two; the safety engine loads while the backend works and is not counted; what no
 * line names (writing the result, exit) is the rest of the wall time.
 */

export interface RequestPhases {
  /** Phase name → milliseconds, in the order they happen. */
  phases: [string, number][];
  /** Wall time minus every named phase: output, exit and what no line covers. */
  restMs: number;
}

/** llama.cpp's start: getLlama with its binary test, or the addon that passed it before (start-llama.ts). */
const LLAMA_START = "llama.cpp start (getLlama, or the addon it tested before)";

const PATTERNS: [string, RegExp][] = [
  ["node and cmdai's modules", /started in (\d+) ms/],
  ["settings", /settings read in (\d+) ms/],
  ["safety engine load (beside the backend)", /safety engine ready in (\d+) ms/],
  ["import node-llama-cpp", /load phases: import (\d+) ms/],
  [LLAMA_START, /llama\.cpp start (\d+) ms/],
  ["model file check (beside them)", /model check (\d+) ms/],
  ["weights", /weights (\d+) ms/],
  ["chat wrapper", /chat wrapper (\d+) ms/],
  ["render the prompt", /generation phases: render (\d+) ms/],
  ["createContext", /, context (\d+) ms/],
  ["system prefix (saved state or evaluated)", /, prefix (\d+) ms/],
  ["grammar", /, grammar (\d+) ms/],
  ["prompt evaluation", /, prompt \d+ tokens (\d+) ms/],
  ["generation", /, answer \d+ more tokens (\d+) ms/],
  ["safety check", /judged in (\d+) ms/],
  ["effect preview", /preview: .* \((\d+) ms\)\n/],
];

/**
 * The phases of one request from its stderr, and the rest of `wallMs`. A phase the run did not log is left
 * out (a warm request has no load).
 */
export function requestPhases(stderr: string, wallMs: number): RequestPhases {
  const phases: [string, number][] = [];
  for (const [name, pattern] of PATTERNS) {
    const match = pattern.exec(stderr);
    if (match?.[1] !== undefined) phases.push([name, Number(match[1])]);
  }
  const value = (name: string): number => phases.find(([phase]) => phase === name)?.[1] ?? 0;
  const beside = new Set([
    "safety engine load (beside the backend)",
    "import node-llama-cpp",
    LLAMA_START,
    "model file check (beside them)",
  ]);
  const sequential = phases.filter(([name]) => !beside.has(name)).reduce((sum, [, ms]) => sum + ms, 0);
  const runtimeStart = Math.max(
    value("import node-llama-cpp") + value(LLAMA_START),
    value("model file check (beside them)"),
  );
  return { phases, restMs: Math.max(0, Math.round(wallMs - sequential - runtimeStart)) };
}

/** The named phase's milliseconds, or undefined when the run did not log it. */
export function phaseMs(phases: RequestPhases, name: string): number | undefined {
  return phases.phases.find(([phase]) => phase === name)?.[1];
}

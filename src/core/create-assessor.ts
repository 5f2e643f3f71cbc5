/** Builds the pipeline's assessor from the `[safety]` config: the safety engine, loaded once per run. */
import { safetyPolicyOf } from "../config/safety-policy.js";
import type { SafetyConfig } from "../config/schema.js";
import type { Assessment } from "../safety/types.js";
import type { ShellName } from "../shells.js";

export type Assessor = (
  command: string,
  options: { shell: ShellName; request?: string; interactive: boolean },
) => Assessment;

/** The safety engine as a plain function, loaded and warmed up (the bash grammar loads here, ~40 ms). */
export async function createAssessor(safety: SafetyConfig): Promise<Assessor> {
  const { createSafetyEngine } = await import("../safety/safety-engine.js");
  const engine = await createSafetyEngine(safetyPolicyOf(safety));
  // V8 compiles each function on its first call: the first verdict took ~40 ms here, the next ones 3–6 ms.
  // A request loads the engine while the model answers, so one throwaway verdict over the engine's main paths
  // (pipeline, quoting, a deletion, the catalogue, the request's intent) moves that cost off the wait.
  engine.assess('find . -name "*.log" -mtime +7 | xargs rm -f > "$HOME/out"', {
    shell: "bash",
    request: "show old logs",
    interactive: false,
  });
  return (command, options) => engine.assess(command, options);
}

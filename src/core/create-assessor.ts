/** Builds the pipeline's assessor from the `[safety]` config: the safety engine, loaded once per run. */
import { safetyPolicyOf } from "../config/safety-policy.js";
import type { SafetyConfig } from "../config/schema.js";
import type { Assessment } from "../safety/types.js";
import type { ShellName } from "../shells.js";

export type Assessor = (
  command: string,
  options: { shell: ShellName; request?: string; interactive: boolean },
) => Assessment;

/** The safety engine as a plain function (the bash grammar loads here, ~40 ms). */
export async function createAssessor(safety: SafetyConfig): Promise<Assessor> {
  const { createSafetyEngine } = await import("../safety/safety-engine.js");
  const engine = await createSafetyEngine(safetyPolicyOf(safety));
  return (command, options) => engine.assess(command, options);
}

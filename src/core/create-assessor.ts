// MERGE-PENDING: replaced by the safety engine when its branch lands.
import type { SafetyConfig } from "../config/schema.js";
import { CmdaiError, ExitCode } from "../errors.js";
import type { Assessment } from "../safety/types.js";
import type { ShellName } from "../shells.js";

export type Assessor = (
  command: string,
  options: { shell: ShellName; request?: string; interactive: boolean },
) => Assessment;

export function createAssessor(safety: SafetyConfig): Promise<Assessor> {
  return Promise.reject(
    new CmdaiError("internal", ExitCode.internal, `safety engine (${safety.mode}) not merged yet`),
  );
}

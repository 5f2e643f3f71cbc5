/**
 * The shape of `cmdai doctor`'s findings. Each check is an independent async function returning one or more
 * results; the runner isolates them (a throw or a hang becomes a `warn` line, never a crash).
 */
import type { Config } from "../../config/schema.js";
import type { PathEnvironment } from "../../config/paths.js";

/** `ok`: works. `warn`: absent or not set up, cmdai still runs. `fail`: broken, something must be fixed. */
export type DoctorStatus = "ok" | "warn" | "fail";

/** One line of the report. */
export interface DoctorResult {
  /** Stable identifier, e.g. `node`, `llama`, `ollama` (used by `--json` consumers and tests). */
  id: string;
  /** Short human label, e.g. "Node.js". */
  title: string;
  status: DoctorStatus;
  /** What was found, one line. */
  message: string;
  /** How to fix it; present on every `warn` and `fail`. */
  fix?: string | undefined;
  /** Extra facts (paths, versions, sizes) for `--json` and verbose output. */
  details?: Record<string, unknown> | undefined;
}

/** What every check receives. */
export interface DoctorContext {
  /** The effective configuration (defaults when the config file is broken: the config check reports that). */
  config: Config;
  /** Where the config file is and whether it loaded. */
  configFile: { path: string; exists: boolean; error?: string | undefined; hint?: string | undefined };
  /** Non-fatal config problems (unknown keys). */
  configWarnings: string[];
  env: NodeJS.ProcessEnv;
  paths: PathEnvironment;
  /** Milliseconds a network probe may take. Default 1,500. */
  networkTimeoutMs: number;
}

/** A check: returns its results; may throw (the runner turns that into a `warn`). */
export interface DoctorCheck {
  id: string;
  title: string;
  /** Milliseconds before the runner gives up on this check. */
  timeoutMs: number;
  run: (context: DoctorContext) => Promise<DoctorResult | DoctorResult[]>;
}

/** The whole report. */
export interface DoctorReport {
  /** False when any result is `fail`. */
  ok: boolean;
  counts: Record<DoctorStatus, number>;
  results: DoctorResult[];
}

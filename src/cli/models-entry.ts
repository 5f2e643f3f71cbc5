/** `cmdai models <action> [ref]` from argv: load config, wire Ctrl-C to cancellation, run the command. */
import { loadConfig } from "../config/load-config.js";
import { currentPathEnvironment } from "../config/paths.js";
import { InterruptedError, UsageError } from "../errors.js";
import { parseModelReference } from "../models/model-reference.js";
import { MODELS_ACTIONS, runModelsCommand, type ModelsAction } from "./commands/models.js";
import type { CliIo } from "./io.js";

const ACTIONS: readonly ModelsAction[] = MODELS_ACTIONS;

export interface ModelsArguments {
  json?: boolean;
  offline?: boolean;
  config?: string;
  output?: string | undefined;
  /** import: `--as <id>`. */
  as?: string | undefined;
  /** import: `--link`. */
  link?: boolean | undefined;
  /** import: `--force`. */
  force?: boolean | undefined;
}

/** Whether `pull` was given a file on disk (which it imports rather than downloads). */
function isLocalPath(reference: string | undefined, cwd: string): boolean {
  try {
    return reference !== undefined && parseModelReference(reference, cwd).kind === "local";
  } catch {
    return false;
  }
}

export async function runModelsFromArguments(
  action: string,
  reference: string | undefined,
  options: ModelsArguments,
  io: CliIo,
): Promise<number> {
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`Unknown models action "${action}".`, {
      hint: `Use one of: ${ACTIONS.join(", ")} (e.g. cmdai models pull qwen2.5-coder-1.5b).`,
    });
  }
  const paths = { ...currentPathEnvironment(), env: io.env };
  const loaded = await loadConfig({
    configFile: options.config,
    flags: { offline: options.offline },
    env: io.env,
    paths,
  });
  for (const warning of loaded.warnings) io.stderr.write(`cmdai: warning: ${warning}\n`);
  const controller = new AbortController();
  const onInterrupt = (): void => {
    controller.abort(new InterruptedError());
  };
  process.on("SIGINT", onInterrupt);
  try {
    return await runModelsCommand(
      {
        action: action as ModelsAction,
        reference,
        json: options.json === true || options.output === "json" || options.output === "yaml",
        offline: options.offline,
        config: loaded.config,
        signal: controller.signal,
        paths,
        as: options.as,
        link: options.link,
        force: options.force,
      },
      io,
    );
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    // An import leaves nothing half-written behind; a download keeps its .part to resume.
    const importing = action === "import" || (action === "pull" && isLocalPath(reference, io.cwd));
    throw new InterruptedError(
      importing
        ? "Interrupted: nothing was imported."
        : "Interrupted: the partial download is kept and resumes next time.",
    );
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

/**
 * The main command: `cmdai [options] <request...>`. Loads config, detects the shell, runs the core pipeline,
 * then presents the verdict and runs the command only with consent.
 */
import { loadConfig, type ConfigFlags } from "../config/load-config.js";
import { currentPathEnvironment } from "../config/paths.js";
import type { OutputFormat } from "../config/schema.js";
import { BackendPool } from "../core/backend-pool.js";
import { createAssessor } from "../core/create-assessor.js";
import { detectShell, readParentProcessName } from "../core/detect-shell.js";
import { gatherContext } from "../core/gather-context.js";
import {
  generateCommand,
  MAX_REQUEST_LENGTH,
  validateRequest,
  type CommandOutcome,
} from "../core/generate-command.js";
import { ExitCode, InterruptedError, UsageError, isAbortError } from "../errors.js";
import { runInShell } from "../exec/run-in-shell.js";
import type { ShellName } from "../shells.js";
import { shouldUseColor } from "./colors.js";
import type { CliIo } from "./io.js";
import { asCmdaiError, errorDocument, resultDocument, writeDocument, writeErrorText } from "./output.js";
import { presentOutcome } from "./present-outcome.js";
import type { RequestCommandOptions } from "./run-cli.js";

/** Read the request from stdin (when piped), bounded so a huge input fails fast instead of filling memory. */
async function readRequestFromStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buffer);
    length += buffer.length;
    if (length > MAX_REQUEST_LENGTH * 4) break;
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function resolveRequestText(parts: string[], io: CliIo): Promise<string> {
  if (parts.length > 0) return parts.join(" ");
  if (io.stdin.isTTY !== true) return readRequestFromStdin(io);
  throw new UsageError("No request given.", {
    hint: 'Describe what you want, e.g. cmdai "list the ten largest files here" (cmdai --help for more).',
  });
}

function configFlags(options: RequestCommandOptions): ConfigFlags {
  return {
    backend: options.backend,
    model: options.model,
    shell: options.shell,
    safety: options.safety,
    output: options.output,
    timeout: options.timeout,
    offline: options.offline === true ? true : undefined,
  };
}

/** Decide the process exit code for a verdict when the command is not run. */
export function exitCodeForDecision(outcome: CommandOutcome, dryRun: boolean): number {
  if (dryRun) return ExitCode.ok;
  switch (outcome.risk.decision) {
    case "allow":
      return ExitCode.ok;
    case "confirm":
      return ExitCode.confirmationNeeded;
    case "block":
      return ExitCode.blocked;
  }
}

export async function runRequestCommand(
  parts: string[],
  options: RequestCommandOptions,
  io: CliIo,
): Promise<number> {
  const startedAt = performance.now();
  const verbose = options.verbose === true;
  const log = (line: string): void => {
    if (verbose) io.stderr.write(`cmdai: ${line}\n`);
  };
  const paths = { ...currentPathEnvironment(), env: io.env };
  const loaded = loadConfig({ configFile: options.config, flags: configFlags(options), env: io.env, paths });
  for (const warning of loaded.warnings) io.stderr.write(`cmdai: warning: ${warning}\n`);
  const { config } = loaded;
  const format: OutputFormat = config.output;
  const shell: ShellName =
    config.shell ??
    detectShell({ env: io.env, platform: process.platform, parentProcessName: readParentProcessName() });
  const interactive = io.stdin.isTTY === true && io.stderr.isTTY === true;
  const color = shouldUseColor(config.ui.color, io.stderr, io.env);
  const controller = new AbortController();
  const onInterrupt = (): void => {
    controller.abort(new InterruptedError());
  };
  process.on("SIGINT", onInterrupt);
  const pool = new BackendPool({
    config,
    env: io.env,
    paths,
    log,
    assumeYes: options.yes === true,
    modelOverride: loaded.modelOverride,
  });
  try {
    const request = validateRequest(await resolveRequestText(parts, io));
    const assess = await createAssessor(config.safety);
    const outcome = await generateCommand(
      {
        request,
        shell,
        config,
        backendIsExplicit:
          loaded.sources.get("backend")?.kind === "flag" || loaded.sources.get("backend")?.kind === "env",
        wantExplanation: options.explain === true,
        interactive,
        signal: controller.signal,
      },
      {
        createBackend: (name) => pool.get(name),
        assess,
        gatherContext: (target) => gatherContext({ shell: target, cwd: io.cwd, env: io.env }),
        log,
        now: () => performance.now(),
      },
    );
    log(
      `answered by ${outcome.backend} (${outcome.model}) in ${Math.round(performance.now() - startedAt)} ms; ` +
        `level ${outcome.risk.level}, decision ${outcome.risk.decision}`,
    );
    const execution = await presentOutcome(outcome, {
      io,
      format,
      color,
      interactive,
      execute: options.execute === true,
      assumeYes: options.yes === true,
      dryRun: options.dryRun === true,
      run: (command) =>
        runInShell({ shell, command, cwd: io.cwd, env: io.env, stdoutToStderr: format !== "plain" }),
    });
    const exitCode = execution.executed
      ? execution.exitCode
      : exitCodeForDecision(outcome, options.dryRun === true);
    if (format !== "plain") {
      await writeDocument(
        io.stdout,
        format,
        resultDocument(outcome, {
          executed: execution.executed,
          exitCode,
          totalMs: performance.now() - startedAt,
        }),
      );
    }
    return exitCode;
  } catch (error) {
    const typed = asCmdaiError(
      isAbortError(error) || controller.signal.aborted ? new InterruptedError() : error,
    );
    if (format === "plain") {
      writeErrorText(io, typed, { verbose });
    } else {
      if (verbose) writeErrorText(io, typed, { verbose });
      await writeDocument(
        io.stdout,
        format,
        errorDocument(typed, { shell, backend: config.backend, totalMs: performance.now() - startedAt }),
      );
    }
    return typed.exitCode;
  } finally {
    process.off("SIGINT", onInterrupt);
    await pool.disposeAll();
  }
}

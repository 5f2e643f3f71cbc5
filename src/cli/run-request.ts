/**
 * The main command: `cmdai [options] <request...>`. Loads config, detects the shell, runs the core pipeline,
 * then presents the verdict and runs the command only with consent: the interactive menu when a person is at
 * a terminal (stdin, stdout and stderr are TTYs, plain output, no `-x` / `--dry-run`), else the
 * non-interactive rules of `present-outcome.ts`. Every command that runs is written to the audit log.
 */
import { cliEntryScript } from "./entry-script.js";
import { formatBytes } from "../models/catalog.js";
import { createDownloadProgressRenderer } from "./download-progress.js";
import { packageVersion } from "./version.js";
import fs from "node:fs";
import path from "node:path";
import { loadConfig, type ConfigFlags } from "../config/load-config.js";
import { currentPathEnvironment, historyFilePath, type PathEnvironment } from "../config/paths.js";
import type { Config, OutputFormat } from "../config/schema.js";
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
import { copyWithSystemTool, osc52Sequence } from "../exec/clipboard.js";
import { appendHistoryEntry } from "../exec/history.js";
import { runInShell } from "../exec/run-in-shell.js";
import type { ShellName } from "../shells.js";
import { shouldUseColor } from "./colors.js";
import type { CliIo } from "./io.js";
import {
  attachPreview,
  BACKGROUND_PREVIEW_BUDGET,
  DOCUMENT_PREVIEW_MS,
  INTERACTIVE_PREVIEW_MS,
} from "./attach-preview.js";
import { asCmdaiError, errorDocument, resultDocument, writeDocument, writeErrorText } from "./output.js";
import { runMenu, type MenuCallbacks } from "./menu/run-menu.js";
import { askLine, presentOutcome } from "./present-outcome.js";
import { recordExecutedCommand } from "./shell-init/executed-command-file.js";

/** Options of the main command, as commander parses them. */
export interface RequestCommandOptions {
  shell?: string;
  backend?: string;
  model?: string;
  safety?: string;
  output?: string;
  execute?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  explain?: boolean;
  timeout?: string;
  config?: string;
  verbose?: boolean;
  offline?: boolean;
  version?: boolean;
}

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

/**
 * The PowerShell program to run commands with: `pwsh` (PowerShell 7) when it is on the PATH, else Windows
 * PowerShell (`powershell.exe`) on Windows, else `pwsh` (so the error names what to install).
 */
export function findPowerShellProgram(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  const directories = (env.PATH ?? env.Path ?? "").split(platform === "win32" ? ";" : ":");
  const names = platform === "win32" ? ["pwsh.exe"] : ["pwsh"];
  for (const directory of directories) {
    if (directory === "") continue;
    for (const name of names) {
      try {
        if (fs.statSync(path.join(directory, name)).isFile()) return "pwsh";
      } catch {
        // not in this folder
      }
    }
  }
  return platform === "win32" ? "powershell.exe" : "pwsh";
}

/** A signal that aborts when either does (AbortSignal.any needs Node 20.3). */
function eitherSignal(first: AbortSignal, second: AbortSignal): AbortSignal {
  const combined = new AbortController();
  for (const signal of [first, second]) {
    if (signal.aborted) combined.abort(signal.reason);
    else {
      signal.addEventListener(
        "abort",
        () => {
          combined.abort(signal.reason);
        },
        { once: true },
      );
    }
  }
  return combined.signal;
}

interface ExecuteOptions {
  io: CliIo;
  config: Config;
  paths: PathEnvironment;
  format: OutputFormat;
  edited: boolean;
}

/**
 * Run a consented command in its shell, tell the shell wrapper (for its history), and append it with its
 * verdict and exit code to the audit log. A log that cannot be written is a warning, never a failure.
 */
async function executeOutcome(outcome: CommandOutcome, options: ExecuteOptions): Promise<number> {
  const { io } = options;
  recordExecutedCommand(io.env, outcome.command);
  const time = new Date().toISOString();
  const exitCode = await runInShell({
    shell: outcome.shell,
    command: outcome.command,
    cwd: io.cwd,
    env: io.env,
    powershellProgram:
      outcome.shell === "powershell" ? findPowerShellProgram(io.env, process.platform) : undefined,
    stdoutToStderr: options.format !== "plain",
  });
  if (options.config.history.enabled) {
    const file = historyFilePath(options.paths);
    try {
      await appendHistoryEntry(file, {
        time,
        request: outcome.request,
        command: outcome.command,
        shell: outcome.shell,
        level: outcome.risk.level,
        decision: outcome.risk.decision,
        exitCode,
        backend: outcome.backend,
        model: outcome.model,
        ...(options.edited ? { edited: true } : {}),
      });
    } catch (error) {
      io.stderr.write(
        `cmdai: warning: could not write the history to ${file}: ${(error as Error).message}\n`,
      );
    }
  }
  return exitCode;
}

/** The built CLI entry that runs `cmdai server run`; absent when running from sources (no warm server). */
function warmServerEntry(): string | undefined {
  const entry = cliEntryScript();
  return fs.existsSync(entry) ? entry : undefined;
}

/** First run: ask before downloading hundreds of MB, showing size and destination. */
async function confirmDownload(
  io: CliIo,
  info: { reference: string; sizeBytes?: number | undefined; destination: string },
): Promise<boolean> {
  const size = info.sizeBytes === undefined ? "" : ` (${formatBytes(info.sizeBytes)})`;
  io.stderr.write(`cmdai: the model ${info.reference}${size} is not downloaded yet.\n`);
  const answer = await askLine(io, `Download it to ${info.destination}? [y/N] `);
  return /^\s*y(es)?\s*$/i.test(answer ?? "");
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
  const loaded = await loadConfig({
    configFile: options.config,
    flags: configFlags(options),
    env: io.env,
    paths,
  });
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
  const pool = new BackendPool(
    {
      config,
      env: io.env,
      paths,
      log,
      assumeYes: options.yes === true,
      modelOverride: loaded.modelOverride,
      onProgress: createDownloadProgressRenderer(io.stderr).onProgress,
      confirmDownload: interactive ? (info) => confirmDownload(io, info) : undefined,
      warmServerEntry: warmServerEntry(),
    },
    { version: packageVersion(), cwd: io.cwd },
  );
  try {
    const request = validateRequest(await resolveRequestText(parts, io));
    const assess = await createAssessor(config.safety);
    // Preview what the command would touch: exact for programs (JSON/YAML), quick for a person.
    const previewOptions = {
      cwd: io.cwd,
      env: io.env,
      timeMs: format === "plain" ? INTERACTIVE_PREVIEW_MS : DOCUMENT_PREVIEW_MS,
      log,
    };
    const withPreview = (chosen: CommandOutcome): Promise<CommandOutcome> =>
      config.ui.preview ? attachPreview(chosen, previewOptions) : Promise.resolve(chosen);
    const generated = await generateCommand(
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
    const outcome = await withPreview(generated);
    const usage = outcome.usage;
    log(
      `answered by ${outcome.backend} (${outcome.model}) in ${Math.round(performance.now() - startedAt)} ms; ` +
        (usage === undefined
          ? ""
          : `${usage.promptTokens} prompt tokens (${usage.cachedPromptTokens ?? 0} cached), ` +
            `${usage.answerTokens} answer tokens; `) +
        `level ${outcome.risk.level}, decision ${outcome.risk.decision}`,
    );
    const editedCommands = new Set<string>();
    const execute = (chosen: CommandOutcome): Promise<number> =>
      executeOutcome(chosen, { io, config, paths, format, edited: editedCommands.has(chosen.command) });
    const showMenu =
      format === "plain" &&
      interactive &&
      io.stdout.isTTY === true &&
      options.execute !== true &&
      options.dryRun !== true;
    if (showMenu) {
      const callbacks: MenuCallbacks = {
        assess: (command) => {
          editedCommands.add(command);
          return withPreview({
            ...outcome,
            command,
            explanation: undefined,
            risk: assess(command, { shell, request, interactive: true }),
            preview: undefined,
          });
        },
        regenerate: (regeneration, signal) =>
          generateCommand(
            {
              request,
              shell,
              // Revise and explain ask the backend that answered, reusing its loaded model.
              config: { ...config, backend: outcome.backend },
              backendIsExplicit: true,
              wantExplanation: regeneration.wantExplanation,
              interactive,
              revision: regeneration.revision,
              signal: eitherSignal(controller.signal, signal),
            },
            {
              createBackend: (name) => pool.get(name),
              assess,
              gatherContext: (target) => gatherContext({ shell: target, cwd: io.cwd, env: io.env }),
              log,
              now: () => performance.now(),
            },
          ).then(withPreview),
        refinePreview: (shown, signal) =>
          attachPreview(
            { ...shown, preview: undefined },
            { ...previewOptions, ...BACKGROUND_PREVIEW_BUDGET, signal },
          ),
        copy: async (command) => {
          const tool = await copyWithSystemTool(command, { env: io.env });
          if (tool !== undefined) return tool;
          io.stderr.write(osc52Sequence(command));
          return "OSC 52 terminal escape";
        },
      };
      const choice = await runMenu(outcome, { io, color, assumeYes: options.yes === true, callbacks });
      switch (choice.action) {
        case "run":
          return await execute(choice.outcome);
        case "copied":
          return ExitCode.ok;
        case "cancel":
        case "interrupt":
          return choice.exitCode;
      }
    }
    const execution = await presentOutcome(outcome, {
      io,
      format,
      color,
      // Never prompt when the output is for a program (--output json|yaml).
      interactive: interactive && format === "plain",
      execute: options.execute === true,
      assumeYes: options.yes === true,
      dryRun: options.dryRun === true,
      run: () => execute(outcome),
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

/**
 * The main command, `cmdai [options] <request...>`: argv and stdin in, core's request flow
 * (`core/request-flow.ts`) in the middle with the terminal injected (`request-terminal.ts`), and the output
 * document and exit code out. A person at a terminal gets the consent menu (stdin, stdout and stderr are TTYs,
 * plain output, no `-x` / `--dry-run`); everyone else the plain path. Consent is core's `decideConsent`.
 */
import fs from "node:fs";
import type { ConfigFlags } from "../config/load-config.js";
import { runRequest } from "../core/request-flow.js";
import { loadRequestSetup } from "../core/request-setup.js";
import { InterruptedError, UsageError } from "../errors.js";
import { shouldUseColor } from "./colors.js";
import { cliEntryScript } from "./entry-script.js";
import type { CliIo } from "./io.js";
import { asCmdaiError, errorDocument, resultDocument, writeDocument, writeErrorText } from "./output.js";
import { MAX_REQUEST_LENGTH } from "../core/generate-command.js";
import { LiveStatus } from "./live-status.js";
import { requestCallbacks } from "./request-terminal.js";
import { withInvocationHint } from "./report-error.js";
import { packageVersion } from "./version.js";

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

/** The built CLI entry that runs `cmdai server run`; absent when running from sources (no warm server). */
function warmServerEntry(): string | undefined {
  const entry = cliEntryScript();
  return fs.existsSync(entry) ? entry : undefined;
}

/** Run the main command; resolves with the exit code (the command's own when it ran). */
export async function runRequestCommand(
  parts: string[],
  options: RequestCommandOptions,
  io: CliIo,
): Promise<number> {
  const startedAt = performance.now();
  const verbose = options.verbose === true;
  const setup = await loadRequestSetup({
    configFile: options.config,
    flags: configFlags(options),
    env: io.env,
    cwd: io.cwd,
  });
  for (const warning of setup.warnings) io.stderr.write(`cmdai: warning: ${warning}\n`);
  if (verbose) {
    // performance.now() counts from the process's start: Node itself and cmdai's modules come before startedAt.
    io.stderr.write(
      `cmdai: started in ${Math.round(startedAt)} ms, settings read in ${Math.round(performance.now() - startedAt)} ms\n`,
    );
  }
  const format = setup.config.output;
  const terminal = io.stdin.isTTY === true && io.stderr.isTTY === true;
  const color = shouldUseColor(setup.config.ui.color, io.stderr, io.env);
  // What is happening, live on stderr: only for a person (plain output, a terminal that moves its cursor).
  const live =
    format === "plain" && io.stderr.isTTY === true && io.env.TERM !== "dumb"
      ? new LiveStatus({ stream: io.stderr, color })
      : undefined;
  const controller = new AbortController();
  const onInterrupt = (): void => {
    controller.abort(new InterruptedError());
  };
  process.on("SIGINT", onInterrupt);
  try {
    const request = await resolveRequestText(parts, io);
    const result = await runRequest(
      setup,
      {
        request,
        explain: options.explain === true,
        execute: options.execute === true,
        yes: options.yes === true,
        dryRun: options.dryRun === true,
        terminal,
        signal: controller.signal,
        embedded: { version: packageVersion(), warmServerEntry: warmServerEntry() },
      },
      {
        ...requestCallbacks({
          io,
          plain: format === "plain",
          color,
          verbose,
          terminal,
          menu: terminal && io.stdout.isTTY === true,
          live,
        }),
        // The document is written as soon as the result is known, before the model is freed.
        finished:
          format === "plain"
            ? undefined
            : (finished) =>
                writeDocument(
                  io.stdout,
                  format,
                  resultDocument(finished, { totalMs: performance.now() - startedAt }),
                ),
      },
    );
    return result.exitCode;
  } catch (error) {
    live?.close();
    const typed = withInvocationHint(asCmdaiError(error), io.env);
    if (format === "plain" || verbose) writeErrorText(io, typed, { verbose });
    if (format !== "plain") {
      const context = {
        shell: setup.shell,
        backend: setup.config.backend,
        totalMs: performance.now() - startedAt,
      };
      await writeDocument(io.stdout, format, errorDocument(typed, context));
    }
    return typed.exitCode;
  } finally {
    live?.close();
    process.off("SIGINT", onInterrupt);
  }
}

/**
 * The terminal side of a request, as the callbacks core's request flow asks for: the command and its verdict
 * (only the command on stdout, so `$(cmdai …)` works; everything for people on stderr), the questions `-x`
 * asks at a terminal, the first-run download question, download progress, and the menu. Consent itself is
 * decided in core (`decideConsent`); this module only words and asks what it was told to.
 */
import readline from "node:readline";
import { declinedExitCode } from "../core/consent.js";
import type { RequestCallbacks } from "../core/request-flow.js";
import type { ChooseModelSource } from "../core/first-run-source.js";
import { copyWithSystemTool, osc52Sequence } from "../exec/clipboard.js";
import { formatBytes } from "../format-bytes.js";
import { painter } from "./colors.js";
import { createDownloadProgressRenderer } from "./download-progress.js";
import type { CliIo } from "./io.js";
import { invocationName } from "./invocation-name.js";
import { describeStep, type LiveStatus } from "./live-status.js";
import { runMenu } from "./menu/run-menu.js";
import { describeVerdict } from "./render-verdict.js";

/** A clause as a sentence: "it deletes files" → "It deletes files". */
function sentence(clause: string): string {
  return clause.charAt(0).toUpperCase() + clause.slice(1);
}

/** Ask a question on stderr and read one line from stdin. */
export function askLine(io: CliIo, question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const reader = readline.createInterface({
      input: io.stdin,
      output: io.stderr,
      terminal: io.stdin.isTTY === true,
    });
    let answered = false;
    reader.question(question, (answer) => {
      answered = true;
      reader.close();
      resolve(answer);
    });
    reader.once("close", () => {
      if (!answered) resolve(undefined);
    });
    reader.once("SIGINT", () => {
      reader.close();
    });
  });
}

/**
 * The first-run question when a model server is running here: each server found, then the download (not
 * offered offline). Enter takes the first server: it answers now, the download takes minutes.
 */
function chooseModelSource(io: CliIo, live: LiveStatus | undefined): ChooseModelSource {
  return async (offer) => {
    live?.clear();
    // Only a first run asks: discovery's module (and the backends it names) stays off every other request.
    const { describeServer, switchCommands } = await import("../backends/discover-local-servers.js");
    const program = invocationName(io.env);
    const lines = [`cmdai: no model is downloaded yet, but a model server is running on this machine:`];
    offer.servers.forEach((server, index) => {
      lines.push(`  ${index + 1}) use ${describeServer(server)}`);
    });
    const download = offer.download;
    if (download !== undefined) {
      const size = download.sizeBytes === undefined ? "" : ` (${formatBytes(download.sizeBytes)})`;
      lines.push(
        `  ${offer.servers.length + 1}) download ${download.reference}${size} to ${download.destination}`,
      );
    }
    io.stderr.write(`${lines.join("\n")}\n`);
    const count = offer.servers.length + (download === undefined ? 0 : 1);
    const answer = (await askLine(io, `Choose 1-${count} (Enter: 1, n: cancel): `))?.trim().toLowerCase();
    if (answer === undefined || /^(n|no|q)$/.test(answer)) return { kind: "cancel" };
    const index = answer === "" ? 0 : Number(answer) - 1;
    const server = Number.isInteger(index) ? offer.servers[index] : undefined;
    if (server !== undefined) {
      io.stderr.write(
        `cmdai: using ${server.product} for this request; to keep it: ${switchCommands(server, program).join(" && ")}\n`,
      );
      return { kind: "server", server };
    }
    if (download !== undefined && index === offer.servers.length) return { kind: "download" };
    io.stderr.write(`cmdai: "${answer}" is not one of the choices; nothing chosen.\n`);
    return { kind: "cancel" };
  };
}

/** Options of {@link requestCallbacks}. */
export interface RequestTerminalOptions {
  io: CliIo;
  /** Plain output (the command and verdict are printed); JSON/YAML documents are written by the caller. */
  plain: boolean;
  color: boolean;
  verbose: boolean;
  /** stdin and stderr are terminals: the download question can be asked. */
  terminal: boolean;
  /** stdout is a terminal too: the menu can be shown. */
  menu: boolean;
  /**
   * The status line and the streamed command on stderr; given only for plain output on a terminal's stderr.
   * Everything else drawn here clears it first.
   */
  live?: LiveStatus | undefined;
}

/** The callbacks core's request flow draws and asks through. */
export function requestCallbacks(options: RequestTerminalOptions): RequestCallbacks {
  const { io, color, live } = options;
  const paint = painter(color);
  const download = createDownloadProgressRenderer(io.stderr);
  return {
    log: (line) => {
      if (!options.verbose) return;
      live?.clear();
      io.stderr.write(`cmdai: ${line}\n`);
    },
    warn: (line) => {
      live?.clear();
      io.stderr.write(`cmdai: warning: ${line}\n`);
    },
    onProgress: (event) => {
      const step = describeStep(event);
      if (step === undefined) {
        live?.clear();
        download.onProgress(event);
      } else {
        // Steps are shown only as the live line (not in logs, not without a terminal).
        live?.startStep(step);
      }
    },
    onCommandText: live === undefined ? undefined : (command) => live.showCommand(command),
    confirmDownload: options.terminal
      ? async (info) => {
          live?.clear();
          const size = info.sizeBytes === undefined ? "" : ` (${formatBytes(info.sizeBytes)})`;
          io.stderr.write(`cmdai: the model ${info.reference}${size} is not downloaded yet.\n`);
          const answer = await askLine(io, `Download it to ${info.destination}? [y/N] `);
          return /^\s*y(es)?\s*$/i.test(answer ?? "");
        }
      : undefined,
    chooseModelSource: options.terminal ? chooseModelSource(io, live) : undefined,
    render: (outcome, consent) => {
      live?.close();
      if (!options.plain) return;
      io.stdout.write(`${outcome.command}\n`);
      if (outcome.explanation !== undefined)
        io.stderr.write(`${paint.dim("explanation:")} ${paint.dim(outcome.explanation)}\n`);
      io.stderr.write(describeVerdict(outcome, consent, color));
      const refused = consent.action === "refuse" || (consent.action === "show" && consent.exitCode !== 0);
      if (refused) io.stderr.write(`cmdai: ${consent.reason}.\n`);
    },
    confirm: async (outcome, consent) => {
      live?.close();
      const question =
        consent.action === "askTypedYes"
          ? `${sentence(consent.reason)}. Type ${paint.bold("yes")} to run this ${outcome.risk.level}-risk command: `
          : `${sentence(consent.reason)}. Run it? [y/N] `;
      const answer = (await askLine(io, question))?.trim().toLowerCase();
      const given = consent.action === "askTypedYes" ? answer === "yes" : answer === "y" || answer === "yes";
      if (!given) io.stderr.write(`cmdai: not confirmed; not run (exit ${declinedExitCode(consent)}).\n`);
      return given;
    },
    menu: options.menu
      ? async (outcome, session) => {
          live?.close();
          const result = await runMenu(outcome, {
            io,
            color,
            session,
            copy: async (command) => {
              const tool = await copyWithSystemTool(command, { env: io.env });
              if (tool !== undefined) return tool;
              io.stderr.write(osc52Sequence(command));
              return "OSC 52 terminal escape";
            },
          });
          return result.action === "run"
            ? { action: "run", outcome: result.outcome }
            : {
                action: "leave",
                outcome: result.outcome,
                exitCode: result.action === "copied" ? 0 : result.exitCode,
              };
        }
      : undefined,
  };
}

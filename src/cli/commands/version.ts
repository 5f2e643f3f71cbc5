/**
 * `cmdai --version [--verbose]`: the bare version, or (verbose) the versions of everything that decides how
 * cmdai behaves here: node-llama-cpp, its llama.cpp release and prebuilt binaries, Node.js and the platform.
 */
import os from "node:os";
import { readLlamaInstallation } from "../../core/doctor/llama-installation.js";
import { ExitCode } from "../../errors.js";
import type { CliIo } from "../io.js";
import { packageVersion } from "../version.js";

export interface VersionCommandOptions {
  /** `--verbose`: library, llama.cpp, Node.js and platform versions too. Default: the version alone. */
  verbose?: boolean | undefined;
  /** `--output json|yaml` or `--json`: print the verbose report as JSON. Default: text. */
  json?: boolean | undefined;
}

/** Everything `--version --verbose` reports. */
export interface VersionReport {
  cmdai: string;
  nodeLlamaCpp: string | null;
  llamaCpp: { release: string | null; repository: string | null };
  prebuiltBinaries: string[];
  node: string;
  platform: { os: NodeJS.Platform; arch: string; release: string };
}

/** Gather the verbose version report (reads files only; never loads the native addon). */
export function versionReport(): VersionReport {
  const llama = readLlamaInstallation();
  return {
    cmdai: packageVersion(),
    nodeLlamaCpp: llama?.version ?? null,
    llamaCpp: { release: llama?.llamaCppRelease ?? null, repository: llama?.llamaCppRepository ?? null },
    prebuiltBinaries: llama?.prebuiltBinaries ?? [],
    node: process.versions.node,
    platform: { os: process.platform, arch: process.arch, release: os.release() },
  };
}

/** Print the version; with `verbose`, the whole report. */
export function runVersionCommand(options: VersionCommandOptions, io: CliIo): Promise<number> {
  if (options.verbose !== true) {
    io.stdout.write(`${packageVersion()}\n`);
    return Promise.resolve(ExitCode.ok);
  }
  const report = versionReport();
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return Promise.resolve(ExitCode.ok);
  }
  const llamaCpp =
    report.llamaCpp.release === null
      ? "unknown"
      : `${report.llamaCpp.release}${report.llamaCpp.repository === null ? "" : ` (${report.llamaCpp.repository})`}`;
  const lines = [
    `cmdai ${report.cmdai}`,
    `node-llama-cpp ${report.nodeLlamaCpp ?? "not installed"}`,
    `llama.cpp ${llamaCpp}`,
    `prebuilt binaries ${report.prebuiltBinaries.length > 0 ? report.prebuiltBinaries.join(", ") : "none for this platform"}`,
    `node ${report.node}`,
    `platform ${report.platform.os} ${report.platform.arch} ${report.platform.release}`,
  ];
  io.stdout.write(`${lines.join("\n")}\n`);
  return Promise.resolve(ExitCode.ok);
}

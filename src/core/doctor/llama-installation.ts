/**
 * node-llama-cpp's installed version, the llama.cpp release it was built from, and which prebuilt binary
 * packages are installed, all read from files on disk so `--version --verbose` never loads the native addon.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** What is installed of node-llama-cpp. */
export interface LlamaInstallation {
  /** node-llama-cpp's package version, e.g. "3.21.1". */
  version: string;
  /** The llama.cpp release tag its binaries were built from (`llama/llama.cpp.info.json`), e.g. "v0.4.0". */
  llamaCppRelease: string | undefined;
  /** The llama.cpp repository that tag belongs to, e.g. "ggml-org/llama.cpp". */
  llamaCppRepository: string | undefined;
  /** Prebuilt binary packages installed for this platform, e.g. ["linux-x64", "linux-x64-cuda"]. */
  prebuiltBinaries: string[];
  /** Where the package lives. */
  directory: string;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
  } catch {
    return undefined;
  }
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === "string" ? field : undefined;
}

/** The folder of the package `name` that contains `resolvedFile` (walks up to its package.json). */
function packageRoot(resolvedFile: string, name: string): string | undefined {
  let current = path.dirname(resolvedFile);
  for (;;) {
    if (stringField(readJson(path.join(current, "package.json")), "name") === name) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** The platform-package names node-llama-cpp may use here (`linux-x64`, `mac-arm64-metal`, `win-x64-cuda` …). */
export function prebuiltPackageNames(platform: NodeJS.Platform, arch: string): string[] {
  const prefix = platform === "darwin" ? "mac" : platform === "win32" ? "win" : platform;
  const base = `${prefix}-${arch}`;
  if (platform === "darwin") return [`${base}-metal`, base];
  return [base, `${base}-cuda`, `${base}-cuda-ext`, `${base}-vulkan`];
}

/** Read node-llama-cpp's installation from disk; undefined when it is not installed. */
export function readLlamaInstallation(
  from: string = import.meta.url,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): LlamaInstallation | undefined {
  const require = createRequire(from);
  let directory: string | undefined;
  try {
    directory = packageRoot(require.resolve("node-llama-cpp"), "node-llama-cpp");
  } catch {
    return undefined;
  }
  if (directory === undefined) return undefined;
  const version = stringField(readJson(path.join(directory, "package.json")), "version") ?? "unknown";
  const info = readJson(path.join(directory, "llama", "llama.cpp.info.json"));
  const release =
    stringField(info, "tag") ??
    stringField(readJson(path.join(directory, "llama", "binariesGithubRelease.json")), "release");
  // Platform packages are resolved from node-llama-cpp's own location, as it does itself.
  const fromLlama = createRequire(path.join(directory, "package.json"));
  const prebuiltBinaries = prebuiltPackageNames(platform, arch).filter((name) => {
    try {
      fromLlama.resolve(`@node-llama-cpp/${name}`);
      return true;
    } catch {
      return false;
    }
  });
  return {
    version,
    llamaCppRelease: release,
    llamaCppRepository: stringField(info, "llamaCppGithubRepo"),
    prebuiltBinaries,
    directory,
  };
}

/**
 * Distribution smoke test: build the release tarball (`scripts/pack-release.ts`, node-llama-cpp bundled without
 * its CUDA/Vulkan packages), check what it holds, install it into a fresh global prefix as a user would (this
 * platform's prebuilt llama.cpp package, install scripts as npm runs them), print the installed size, and run the
 * installed `cmdai`, a request through the embedded backend included. Also checks that the workflows parse and
 * the Homebrew formula is valid Ruby (when ruby is installed). The slowest test in the suite.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtCli, repositoryRoot } from "../support/run-built-cli.js";
import { testModelPath } from "../support/test-model.js";

const isWindows = process.platform === "win32";
const INSTALL_TIMEOUT_MS = 300_000;
/** The goal for a default install on a CPU-only machine. */
const INSTALLED_SIZE_LIMIT_BYTES = 250 * 1024 * 1024;

function directorySize(directory: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const entryPath = path.join(directory, entry.name);
    if (entry.isDirectory()) total += directorySize(entryPath);
    else if (entry.isFile()) total += fs.statSync(entryPath).size;
  }
  return total;
}

interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a program to completion (npm and the installed shim are .cmd files on Windows, hence the shell). */
function runProgram(
  program: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      isWindows ? `"${program}"` : program,
      args.map((arg) => (isWindows ? `"${arg}"` : arg)),
      {
        cwd: options.cwd,
        env: { ...process.env, NO_COLOR: "1", ...options.env },
        shell: isWindows,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("npm package", () => {
  let workspace: string;
  let tarball: string;
  let packedFiles: string[];
  let manifest: { name: string; version: string };

  beforeAll(async () => {
    expect(fs.existsSync(builtCli), "dist/ is missing: run `npm run build` (npm test does it)").toBe(true);
    manifest = JSON.parse(
      fs.readFileSync(path.join(repositoryRoot, "package.json"), "utf8"),
    ) as typeof manifest;
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-pack-"));
    const pack = await runProgram(
      process.execPath,
      [
        path.join(repositoryRoot, "node_modules", "tsx", "dist", "cli.mjs"),
        "scripts/pack-release.ts",
        "--destination",
        workspace,
      ],
      { cwd: repositoryRoot, timeoutMs: 240_000 },
    );
    expect(pack.code, pack.stderr).toBe(0);
    tarball = pack.stdout.trim().split("\n").at(-1) ?? "";
    const list = await runProgram("tar", ["-tzf", tarball], { cwd: workspace, timeoutMs: 60_000 });
    expect(list.code, list.stderr).toBe(0);
    packedFiles = list.stdout
      .split("\n")
      .filter((line) => line !== "" && !line.endsWith("/"))
      .map((line) => line.replace(/^package\//, ""));
  }, 300_000);

  afterAll(() => {
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it("holds the built CLI, README, LICENSE, notices and docs, and no tests, fixtures, sources or models", () => {
    expect(fs.existsSync(tarball)).toBe(true);
    for (const required of [
      "package.json",
      "README.md",
      "LICENSE",
      "THIRD_PARTY_NOTICES.md",
      "docs/install.md",
      "dist/cli/main.js",
    ]) {
      expect(packedFiles).toContain(required);
    }
    // The bundled node-llama-cpp is a dependency tree of its own; cmdai's own files are the rest.
    const ownFiles = packedFiles.filter((file) => !file.startsWith("node_modules/"));
    expect(packedFiles).toContain("node_modules/node-llama-cpp/package.json");
    expect(packedFiles.filter((file) => file.startsWith("node_modules/@node-llama-cpp/"))).toEqual([]);
    const forbidden = ownFiles.filter(
      (file) =>
        /(^|\/)(test|tests|__tests__|fixtures|bench)\//.test(file) ||
        /\.test\.[cm]?[jt]s$/.test(file) ||
        /\.gguf$/i.test(file) ||
        /^src\//.test(file) ||
        /\.tgz$/.test(file),
    );
    expect(forbidden).toEqual([]);
  });

  it(
    "installs into a fresh global prefix under 250 MiB, and the installed cmdai answers --version, check and a request",
    async () => {
      const prefix = path.join(workspace, "prefix");
      // --prefer-offline: CI has just run `npm ci`, so every dependency is in npm's cache. Nothing else is
      // overridden: the platform's prebuilt package and the install scripts are what a user gets.
      const install = await runProgram(
        "npm",
        [
          "install",
          "--global",
          tarball,
          "--prefix",
          prefix,
          "--prefer-offline",
          "--no-audit",
          "--no-fund",
          "--loglevel=error",
        ],
        { cwd: workspace, timeoutMs: INSTALL_TIMEOUT_MS },
      );
      expect(install.code, install.stderr).toBe(0);
      const installedCli = isWindows ? path.join(prefix, "cmdai.cmd") : path.join(prefix, "bin", "cmdai");
      expect(fs.existsSync(installedCli)).toBe(true);
      const home = path.join(workspace, "home");
      const env: NodeJS.ProcessEnv = {
        HOME: home,
        USERPROFILE: home,
        XDG_CONFIG_HOME: path.join(home, "config"),
        XDG_CACHE_HOME: path.join(home, "cache"),
        XDG_STATE_HOME: path.join(home, "state"),
      };

      const version = await runProgram(installedCli, ["--version"], {
        cwd: workspace,
        env,
        timeoutMs: 60_000,
      });
      expect(version.code, version.stderr).toBe(0);
      expect(version.stdout.trim()).toBe(manifest.version);

      const check = await runProgram(installedCli, ["check", "--json", "ls"], {
        cwd: workspace,
        env,
        timeoutMs: 60_000,
      });
      expect(check.code, check.stderr).toBe(0);
      const verdict = JSON.parse(check.stdout) as { command: string; level: string; decision: string };
      expect(verdict).toMatchObject({ command: "ls", level: "safe", decision: "allow" });

      // The embedded backend must find this platform's prebuilt binary from the installed tree: a request runs.
      const request = await runProgram(
        installedCli,
        ["--model", testModelPath(), "--dry-run", "-o", "json", "list the files here"],
        { cwd: workspace, env, timeoutMs: 120_000 },
      );
      expect(request.code, request.stderr).not.toBe(5);
      const answer = JSON.parse(request.stdout) as { command?: unknown; risk?: unknown };
      expect(typeof answer.command).toBe("string");
      expect(answer.risk).toBeDefined();

      const installedBytes = directorySize(prefix);
      const platformPackages = fs.readdirSync(
        path.join(
          isWindows ? prefix : path.join(prefix, "lib"),
          "node_modules",
          "cmdai",
          "node_modules",
          "@node-llama-cpp",
        ),
      );
      process.stdout.write(
        `installed size: ${(installedBytes / 1024 / 1024).toFixed(1)} MiB in ${prefix} (prebuilt packages: ${platformPackages.join(", ")})\n`,
      );
      expect(platformPackages.some((name) => /cuda|vulkan/.test(name))).toBe(false);
      expect(installedBytes).toBeLessThanOrEqual(INSTALLED_SIZE_LIMIT_BYTES);
    },
    INSTALL_TIMEOUT_MS + 60_000,
  );
});

describe("release files", () => {
  const workflowsDir = path.join(repositoryRoot, ".github", "workflows");

  function readWorkflow(name: string): Record<string, unknown> {
    return parseYaml(fs.readFileSync(path.join(workflowsDir, name), "utf8")) as Record<string, unknown>;
  }

  it("has a CI workflow testing ubuntu, macos and windows on Node 20 and 22", () => {
    const ci = readWorkflow("ci.yml");
    const text = JSON.stringify(ci);
    for (const expected of ["ubuntu-latest", "macos-latest", "windows-latest", "npm test"]) {
      expect(text).toContain(expected);
    }
    expect(text).toMatch(/"node-version":\[(20,22|"20","22")\]|"node":\[(20,22|"20","22")\]/);
  });

  it("has a release workflow on version tags that publishes to npm with provenance", () => {
    const release = readWorkflow("release.yml");
    expect(JSON.stringify(release.on)).toContain("v*");
    const text = fs.readFileSync(path.join(workflowsDir, "release.yml"), "utf8");
    expect(text).toMatch(/npm publish [^\n]*--provenance/);
    expect(text).toMatch(/id-token: write/);
    expect(text).toMatch(/sha256/i);
    expect(text).toContain("packaging/homebrew/cmdai.rb");
  });

  it("has a Homebrew formula installing the npm tarball, with a test block", () => {
    const formula = path.join(repositoryRoot, "packaging", "homebrew", "cmdai.rb");
    const text = fs.readFileSync(formula, "utf8");
    expect(text).toMatch(/^class Cmdai < Formula$/m);
    expect(text).toMatch(/url "https:\/\/registry\.npmjs\.org\/cmdai\/-\/cmdai-\d+\.\d+\.\d+\.tgz"/);
    expect(text).toMatch(/sha256 "[0-9a-f]{64}"/);
    expect(text).toContain('depends_on "node"');
    expect(text).toContain("std_npm_args");
    expect(text).toMatch(/test do[\s\S]*--version[\s\S]*check/);
    const ruby = spawnSync("ruby", ["-c", formula], { encoding: "utf8" });
    if (ruby.error === undefined) expect(ruby.status, ruby.stderr).toBe(0);
  });

  it("bumps the formula's url and sha256 with the release script, and refuses a malformed hash", () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-formula-"));
    try {
      const copy = path.join(folder, "cmdai.rb");
      fs.copyFileSync(path.join(repositoryRoot, "packaging", "homebrew", "cmdai.rb"), copy);
      const script = path.join(repositoryRoot, "packaging", "homebrew", "update-formula.mjs");
      const sha256 = "ab".repeat(32);
      const bump = spawnSync(process.execPath, [script, copy, "9.8.7", sha256], { encoding: "utf8" });
      expect(bump.status, bump.stderr).toBe(0);
      const text = fs.readFileSync(copy, "utf8");
      expect(text).toContain('url "https://registry.npmjs.org/cmdai/-/cmdai-9.8.7.tgz"');
      expect(text).toContain(`sha256 "${sha256}"`);
      expect(text).toMatch(/^class Cmdai < Formula$/m);
      const refused = spawnSync(process.execPath, [script, copy, "9.8.8", "not-a-hash"], {
        encoding: "utf8",
      });
      expect(refused.status).toBe(2);
      expect(fs.readFileSync(copy, "utf8")).toBe(text);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

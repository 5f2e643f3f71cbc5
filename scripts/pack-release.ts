/**
 * `npm run pack:release`: the tarball cmdai publishes. Plain `npm pack` would leave node-llama-cpp to npm, and npm
 * installs every optional dependency whose `os`/`cpu` match, with no way to tell a CPU-only machine from one
 * with a GPU: on Linux x64 that is ~540 MB of CUDA and 80 MB of Vulkan binaries nobody asked for.
 *
 * So the published package bundles node-llama-cpp *without* its optional dependencies (npm never fetches a
 * bundled package's own dependencies), and lists the CPU/Metal prebuilt packages as cmdai's own
 * optionalDependencies (package.json): npm picks the one for the platform, and node-llama-cpp finds it by walking
 * up `node_modules` from its own folder. GPU packages installed next to cmdai (docs/install.md) are found the
 * same way.
 *
 * Steps: `npm pack` the repository as it is, unpack it into a staging folder, mark node-llama-cpp as bundled and
 * node-llama-cpp's postinstall as skipped (it would build llama.cpp from source, ~10 min, when a prebuilt does not
 * load; cmdai never builds at run time and `cmdai doctor` names the problem instead), install the production
 * dependencies there without optional ones or scripts, and pack the staging folder.
 *
 * Usage: `tsx scripts/pack-release.ts [--destination DIR]`; prints the tarball's path on stdout.
 * `npm run build` first (the tarball holds dist/ as it is).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const isWindows = process.platform === "win32";
/** The one dependency whose optional dependencies npm must not choose. */
const BUNDLED = "node-llama-cpp";

function fail(message: string): never {
  process.stderr.write(`pack-release: ${message}\n`);
  process.exit(1);
}

function parseDestination(args: readonly string[]): string {
  if (args.length === 0) return repositoryRoot;
  if (args.length === 2 && args[0] === "--destination" && args[1] !== undefined) return path.resolve(args[1]);
  fail(`unknown arguments ${args.join(" ")} (use --destination DIR)`);
}

/** Runs npm and returns its stdout; npm's own progress goes to our stderr. */
function npm(args: readonly string[], cwd: string): string {
  const result = spawnSync(isWindows ? "npm.cmd" : "npm", args, {
    cwd,
    encoding: "utf8",
    shell: isWindows,
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined) fail(`npm could not start: ${result.error.message}`);
  if (result.status !== 0)
    fail(`npm ${args.join(" ")} exited with ${String(result.status ?? result.signal)}`);
  return result.stdout;
}

/** `npm pack --json` prints npm's notices before the JSON array; the file name is in the array. */
function packedFileName(stdout: string): string {
  const [entry] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { filename: string }[];
  if (entry === undefined) fail("npm pack printed no tarball");
  return path.basename(entry.filename);
}

function unpack(tarball: string, into: string): void {
  const result = spawnSync("tar", ["-xzf", tarball, "-C", into], { stdio: "inherit" });
  if (result.status !== 0) fail(`tar could not unpack ${tarball}`);
}

interface Manifest {
  dependencies?: Record<string, string>;
  bundleDependencies?: string[];
  config?: Record<string, unknown>;
}

const destination = parseDestination(process.argv.slice(2));
if (!fs.existsSync(path.join(repositoryRoot, "dist", "cli", "main.js")))
  fail("dist/ is missing: run npm run build");
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-pack-release-"));
try {
  // --ignore-scripts: `prepare` would rebuild dist/, which the caller has just built.
  const plain = packedFileName(
    npm(["pack", "--json", "--ignore-scripts", "--pack-destination", workspace], repositoryRoot),
  );
  unpack(path.join(workspace, plain), workspace);
  const stage = path.join(workspace, "package");
  const manifestPath = path.join(stage, "package.json");
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as Manifest;
  if (manifest.dependencies?.[BUNDLED] === undefined) fail(`package.json does not depend on ${BUNDLED}`);
  manifest.bundleDependencies = [BUNDLED];
  manifest.config = { ...manifest.config, nodeLlamaCppPostinstall: "skip" };
  fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  // The lock file pins what the tests ran against; npm does not pack it, so it is copied in for the install.
  fs.copyFileSync(path.join(repositoryRoot, "package-lock.json"), path.join(stage, "package-lock.json"));
  npm(
    [
      "install",
      "--omit=dev",
      "--omit=optional",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
    ],
    stage,
  );
  const bundledPlatformPackages = path.join(stage, "node_modules", "@node-llama-cpp");
  if (fs.existsSync(bundledPlatformPackages))
    fail(`${bundledPlatformPackages} was installed; it must not be bundled`);
  fs.rmSync(path.join(stage, "package-lock.json"));
  // A bundled package's dependencies are taken to be inside the bundle: were node-llama-cpp still to list its
  // platform packages, npm would create cmdai's own optional ones as empty folders. Its list goes; cmdai's stays.
  const bundledManifestPath = path.join(stage, "node_modules", BUNDLED, "package.json");
  const bundledManifest = JSON.parse(fs.readFileSync(bundledManifestPath, "utf8")) as Record<string, unknown>;
  delete bundledManifest.optionalDependencies;
  fs.writeFileSync(bundledManifestPath, `${JSON.stringify(bundledManifest, null, 2)}\n`);
  // Development scripts mean nothing in an installed package, and npm would list `prepare` as a script to allow.
  const released = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as Record<string, unknown>;
  delete released.scripts;
  delete released.devDependencies;
  fs.writeFileSync(manifestPath, `${JSON.stringify(released, null, 2)}\n`);
  fs.mkdirSync(destination, { recursive: true });
  const tarballName = packedFileName(
    npm(["pack", "--json", "--ignore-scripts", "--pack-destination", destination], stage),
  );
  process.stdout.write(`${path.join(destination, tarballName)}\n`);
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}

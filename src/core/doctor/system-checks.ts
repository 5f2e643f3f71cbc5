/** Checks of the runtime itself: Node.js version, platform, CPU threads, and the config file. */
import os from "node:os";
import type { DoctorCheck, DoctorResult } from "./doctor-check.js";

/** The oldest Node.js major version cmdai supports (package.json `engines`). */
export const MINIMUM_NODE_MAJOR = 20;

/** Node.js version against `engines`. */
export function nodeVersionResult(version: string = process.versions.node): DoctorResult {
  const major = Number(version.split(".")[0]);
  if (Number.isFinite(major) && major >= MINIMUM_NODE_MAJOR) {
    return {
      id: "node",
      title: "Node.js",
      status: "ok",
      message: `Node.js ${version}`,
      details: { version },
    };
  }
  return {
    id: "node",
    title: "Node.js",
    status: "fail",
    message: `Node.js ${version} is too old: cmdai needs ${MINIMUM_NODE_MAJOR} or newer.`,
    fix: `Install Node.js ${MINIMUM_NODE_MAJOR} LTS or newer (https://nodejs.org), then reinstall cmdai.`,
    details: { version, minimumMajor: MINIMUM_NODE_MAJOR },
  };
}

export const nodeCheck: DoctorCheck = {
  id: "node",
  title: "Node.js",
  timeoutMs: 1000,
  run: () => Promise.resolve(nodeVersionResult()),
};

export const platformCheck: DoctorCheck = {
  id: "platform",
  title: "Platform",
  timeoutMs: 1000,
  run: () =>
    Promise.resolve({
      id: "platform",
      title: "Platform",
      status: "ok",
      message: `${process.platform} ${process.arch} (${os.release()})`,
      details: { platform: process.platform, arch: process.arch, release: os.release() },
    }),
};

export const threadsCheck: DoctorCheck = {
  id: "threads",
  title: "CPU threads",
  timeoutMs: 1000,
  run: ({ config }) => {
    const cores = os.availableParallelism();
    const configured = config.embedded.threads;
    if (configured !== undefined && configured > cores) {
      return Promise.resolve({
        id: "threads",
        title: "CPU threads",
        status: "warn",
        message: `embedded.threads = ${configured} but only ${cores} cores are available; oversubscribed threads make generation many times slower.`,
        fix: `cmdai config set embedded.threads ${cores}`,
        details: { cores, configured },
      });
    }
    return Promise.resolve({
      id: "threads",
      title: "CPU threads",
      status: "ok",
      message: `${configured ?? cores} of ${cores} cores${configured === undefined ? " (default: all)" : ""}`,
      details: { cores, configured: configured ?? null },
    });
  },
};

export const configCheck: DoctorCheck = {
  id: "config",
  title: "Config",
  timeoutMs: 1000,
  run: ({ configFile, configWarnings }) => {
    if (configFile.error !== undefined) {
      return Promise.resolve({
        id: "config",
        title: "Config",
        status: "fail",
        message: configFile.error,
        fix: configFile.hint ?? `Fix or remove ${configFile.path} (\`cmdai config show\` names the bad key).`,
        details: { file: configFile.path },
      });
    }
    if (configWarnings.length > 0) {
      return Promise.resolve({
        id: "config",
        title: "Config",
        status: "warn",
        message: `${configFile.path}: ${configWarnings.join("; ")}`,
        fix: "Remove or correct the keys named above (see docs/configuration.md).",
        details: { file: configFile.path, warnings: configWarnings },
      });
    }
    return Promise.resolve({
      id: "config",
      title: "Config",
      status: "ok",
      message: configFile.exists
        ? `${configFile.path} is valid`
        : `no config file (defaults apply): ${configFile.path}`,
      details: { file: configFile.path, exists: configFile.exists },
    });
  },
};

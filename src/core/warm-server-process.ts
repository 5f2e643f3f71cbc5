/**
 * The body of the background `cmdai server run` process: build the embedded backend from the spec the client
 * passed, load the model, and serve until idle.
 */
import fs from "node:fs";
import path from "node:path";
import { currentPathEnvironment, runtimeDir, type PathEnvironment } from "../config/paths.js";
import { serveBackend } from "../backends/warm-server/serve-backend.js";
import {
  startingMarkerPath,
  WARM_SERVER_SPEC_VARIABLE,
  type WarmServerSpec,
} from "../backends/warm-server/warm-backend.js";
import type { WarmServerStatus } from "../backends/warm-server/protocol.js";
import { serverStatus, stopServer } from "../backends/warm-server/warm-client.js";
import { UsageError } from "../errors.js";

/** Read and check the spec handed over in the environment. */
export function readWarmServerSpec(env: NodeJS.ProcessEnv): WarmServerSpec {
  const text = env[WARM_SERVER_SPEC_VARIABLE];
  if (text === undefined || text === "") {
    throw new UsageError(
      "`cmdai server run` is started by cmdai itself when the embedded backend needs it.",
      {
        hint: 'Run a request (cmdai "…"); use `cmdai server status` or `cmdai server stop` to manage the server.',
      },
    );
  }
  const spec = JSON.parse(text) as WarmServerSpec;
  if (
    typeof spec.socketPath !== "string" ||
    typeof spec.modelPath !== "string" ||
    typeof spec.key !== "string"
  ) {
    throw new UsageError(`Malformed ${WARM_SERVER_SPEC_VARIABLE}.`);
  }
  return spec;
}

/** Serve until the idle timeout or a stop request; resolves when done. */
export async function runWarmServer(
  spec: WarmServerSpec,
  options: { version: string; env: NodeJS.ProcessEnv },
): Promise<void> {
  const { createEmbeddedBackend } = await import("../backends/embedded/embedded-backend.js");
  const env = Object.fromEntries(
    Object.entries(options.env).filter(([name]) => name !== WARM_SERVER_SPEC_VARIABLE),
  );
  const backend = createEmbeddedBackend(
    {
      config: spec.config,
      env,
      paths: { ...currentPathEnvironment(), env },
      log: () => undefined,
      assumeYes: false,
      modelOverride: spec.modelPath,
    },
    // A resident process: keep one copy of the weights, not the copy plus the mapped file.
    { readWeightsIntoMemory: true },
  );
  const server = await serveBackend({
    backend,
    socketPath: spec.socketPath,
    key: spec.key,
    version: options.version,
    idleTimeoutMs: spec.idleTimeoutMs,
    watchedFiles: [spec.modelPath],
  });
  // Listening: a client waiting on the marker can send its request now (it queues behind the load).
  const marker = startingMarkerPath(spec.socketPath);
  try {
    if (fs.readFileSync(marker, "utf8") === String(process.pid)) fs.rmSync(marker, { force: true });
  } catch {
    // No marker: started by hand or by an older client.
  }
  // The model loads now, not on the first request; a load that fails fails that request with its error.
  await backend.prepare?.().catch(() => undefined);
  await server.closed;
}

/** Every running warm server of this user: the sockets in the runtime folder that answer. */
export async function listWarmServers(
  paths: PathEnvironment,
): Promise<{ socketPath: string; status: WarmServerStatus }[]> {
  const directory = runtimeDir(paths);
  let names: string[];
  try {
    names = fs.readdirSync(directory).filter((name) => name.startsWith("server-") && name.endsWith(".sock"));
  } catch {
    return [];
  }
  const found = await Promise.all(
    names.map(async (name) => {
      const socketPath = path.join(directory, name);
      const status = await serverStatus(socketPath);
      return status === undefined ? undefined : { socketPath, status };
    }),
  );
  return found.filter((entry) => entry !== undefined);
}

/** Stop every running warm server; returns how many stopped. */
export async function stopWarmServers(paths: PathEnvironment): Promise<number> {
  const servers = await listWarmServers(paths);
  const stopped = await Promise.all(servers.map((server) => stopServer(server.socketPath)));
  return stopped.filter(Boolean).length;
}

/**
 * `BackendSettings` for the server backends' tests: defaults from the real config schema, the given config
 * overrides and environment, a temp-free path environment (server backends touch no files), and a log that
 * collects lines so tests can check what `--verbose` would show.
 */
import { configSchema } from "../../src/config/schema.js";
import type { BackendSettings } from "../../src/backends/backend.js";

export interface ServerSettingsOptions {
  /** Partial config file contents, e.g. `{ timeout: 3, ollama: { host } }`. */
  config?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  modelOverride?: string;
}

export function serverSettings(
  options: ServerSettingsOptions = {},
): BackendSettings & { logLines: string[] } {
  const logLines: string[] = [];
  const env = options.env ?? {};
  return {
    config: configSchema.parse(options.config ?? {}),
    env,
    paths: { env, platform: "linux", homedir: "/nonexistent-home" },
    log: (line) => {
      logLines.push(line);
    },
    assumeYes: false,
    ...(options.modelOverride === undefined ? {} : { modelOverride: options.modelOverride }),
    logLines,
  };
}

/** A loopback port with nothing listening (taken from the OS, then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

/** `cmdai config show | get | set | path`. */
import { describeSource, getAtPath, loadConfig, type LoadedConfig } from "../../config/load-config.js";
import { configFilePath, currentPathEnvironment } from "../../config/paths.js";
import { configSchema } from "../../config/schema.js";
import { documentKeys } from "../../config/schema-introspection.js";
import { normaliseKey, setConfigValue } from "../../config/write-config.js";
import { ConfigError, ExitCode } from "../../errors.js";
import type { CliIo } from "../io.js";

export interface ConfigCommandOptions {
  config?: string | undefined;
  json?: boolean | undefined;
}

async function load(options: ConfigCommandOptions, io: CliIo): Promise<LoadedConfig> {
  const loaded = await loadConfig({
    configFile: options.config,
    env: io.env,
    paths: { ...currentPathEnvironment(), env: io.env },
  });
  for (const warning of loaded.warnings) io.stderr.write(`cmdai: warning: ${warning}\n`);
  return loaded;
}

function formatValue(value: unknown): string {
  if (value === undefined) return "(not set)";
  if (typeof value === "string") return JSON.stringify(value);
  return JSON.stringify(value);
}

/** Print every key's effective value and where it came from. */
export async function runConfigShow(options: ConfigCommandOptions, io: CliIo): Promise<number> {
  const loaded = await load(options, io);
  const rows = documentKeys(configSchema).map(({ key }) => {
    const path = key.split(".");
    const value = getAtPath(loaded.config, path);
    const source =
      loaded.sources.get(key) ??
      [...loaded.sources.entries()].find(([sourceKey]) => key.startsWith(`${sourceKey}.`))?.[1];
    return { key: key === "safety.mode" ? "safety" : key, value, source: describeSource(source) };
  });
  if (options.json === true) {
    io.stdout.write(
      `${JSON.stringify({ file: loaded.file.path, fileExists: loaded.file.exists, config: loaded.config, sources: Object.fromEntries(rows.map((row) => [row.key, row.source])) }, null, 2)}\n`,
    );
    return Promise.resolve(ExitCode.ok);
  }
  io.stdout.write(
    `# config file: ${loaded.file.path}${loaded.file.exists ? "" : " (not present: defaults apply)"}\n`,
  );
  const width = Math.max(...rows.map((row) => row.key.length));
  for (const row of rows) {
    io.stdout.write(`${row.key.padEnd(width)}  ${formatValue(row.value)}  # ${row.source}\n`);
  }
  return Promise.resolve(ExitCode.ok);
}

/** Print one effective value. */
export async function runConfigGet(key: string, options: ConfigCommandOptions, io: CliIo): Promise<number> {
  const loaded = await load(options, io);
  const path = normaliseKey(key);
  const known = documentKeys(configSchema).some(
    (entry) => entry.key === path.join(".") || entry.key.startsWith(`${path.join(".")}.`),
  );
  if (!known) {
    throw new ConfigError("config_invalid", `Unknown config key "${key}".`, {
      key,
      hint: "Run `cmdai config show` to list the keys.",
    });
  }
  const value = getAtPath(loaded.config, path);
  io.stdout.write(typeof value === "string" ? `${value}\n` : `${JSON.stringify(value ?? null)}\n`);
  return Promise.resolve(ExitCode.ok);
}

/** Validate and write one value. */
export function runConfigSet(
  key: string,
  value: string,
  options: ConfigCommandOptions,
  io: CliIo,
): Promise<number> {
  const file = options.config ?? configFilePath({ ...currentPathEnvironment(), env: io.env });
  const written = setConfigValue(file, key, value);
  io.stderr.write(`cmdai: set ${written.key} = ${JSON.stringify(written.value)} in ${written.file}\n`);
  return Promise.resolve(ExitCode.ok);
}

/** Print the config file path. */
export function runConfigPath(options: ConfigCommandOptions, io: CliIo): Promise<number> {
  io.stdout.write(`${options.config ?? configFilePath({ ...currentPathEnvironment(), env: io.env })}\n`);
  return Promise.resolve(ExitCode.ok);
}

/**
 * Loads the effective configuration: defaults < config file < environment < flags, validated by the one zod
 * schema. Records where every value came from (for `cmdai config show`). Loading never writes anything.
 */
import fs from "node:fs";
import type { z } from "zod";
import { ConfigError, UsageError } from "../errors.js";
import { cacheDir, configFilePath, currentPathEnvironment, type PathEnvironment } from "./paths.js";
import { SAFETY_MODES } from "../safety/types.js";
import { SHELL_NAMES } from "../shells.js";
import { BACKEND_NAMES, COLOR_CHOICES } from "./choices.js";
import { defaultConfig } from "./defaults.js";
import type { Config, configSchema } from "./schema.js";
import {
  defaultValidatedConfigCache,
  validateWithCache,
  type ValidatedConfigCache,
} from "./validated-config-cache.js";

type ConfigSchema = typeof configSchema;

/** Where one effective value came from. */
export type ConfigSource =
  | { kind: "default" }
  | { kind: "file"; file: string; line?: number | undefined }
  | { kind: "env"; variable: string }
  | { kind: "flag"; flag: string };

/** Values given on the command line; each overrides file and environment. */
export interface ConfigFlags {
  backend?: string | undefined;
  model?: string | undefined;
  shell?: string | undefined;
  safety?: string | undefined;
  output?: string | undefined;
  timeout?: string | number | undefined;
  offline?: boolean | undefined;
}

export interface LoadConfigOptions {
  /** `-c FILE`: must exist. Without it the default path is used, and a missing file means defaults. */
  configFile?: string | undefined;
  flags?: ConfigFlags | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  paths?: PathEnvironment | undefined;
  /**
   * Where validated configurations are remembered; `false` turns it off. Default: the cache folder, when the
   * build supplied a schema fingerprint (not when running from sources).
   */
  validationCache?: ValidatedConfigCache | false | undefined;
}

export interface LoadedConfig {
  config: Config;
  /** Dotted leaf key → where its value came from; keys absent here are defaults. */
  sources: Map<string, ConfigSource>;
  /** The config file consulted and whether it exists. */
  file: { path: string; exists: boolean };
  /** Unknown keys and other non-fatal problems, one line each. */
  warnings: string[];
  /** `--model` or `CMDAI_MODEL`, when given: wins over a backend's own model setting. */
  modelOverride: string | undefined;
}

type RawTable = Record<string, unknown>;

interface Layer {
  values: RawTable;
  sources: Map<string, ConfigSource>;
}

/** Environment variables mapped onto config keys. Tokens and endpoints are read by their own modules. */
const ENVIRONMENT_KEYS: readonly { variable: string; path: string[]; parse?: (value: string) => unknown }[] =
  [
    { variable: "CMDAI_BACKEND", path: ["backend"] },
    { variable: "CMDAI_MODEL", path: ["model"] },
    { variable: "CMDAI_SAFETY", path: ["safety", "mode"] },
    { variable: "CMDAI_SHELL", path: ["shell"] },
    { variable: "CMDAI_OUTPUT", path: ["output"] },
    { variable: "CMDAI_TIMEOUT", path: ["timeout"], parse: parseNumberLike },
    { variable: "OLLAMA_HOST", path: ["ollama", "host"] },
    { variable: "OPENAI_BASE_URL", path: ["openai", "base_url"] },
    { variable: "HF_HUB_OFFLINE", path: ["offline"], parse: parseBooleanLike },
    { variable: "CMDAI_OFFLINE", path: ["offline"], parse: parseBooleanLike },
  ];

const FLAG_KEYS: readonly { name: keyof ConfigFlags; flag: string; path: string[] }[] = [
  { name: "backend", flag: "--backend", path: ["backend"] },
  { name: "model", flag: "--model", path: ["model"] },
  { name: "shell", flag: "--shell", path: ["shell"] },
  { name: "safety", flag: "--safety", path: ["safety", "mode"] },
  { name: "output", flag: "--output", path: ["output"] },
  { name: "timeout", flag: "--timeout", path: ["timeout"] },
  { name: "offline", flag: "--offline", path: ["offline"] },
];

function parseNumberLike(value: string): unknown {
  const number = Number(value.trim());
  return value.trim() !== "" && Number.isFinite(number) ? number : value;
}

function parseBooleanLike(value: string): unknown {
  const normalized = value.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(normalized)) return true;
  if (["0", "false", "no", "off", ""].includes(normalized)) return false;
  return value;
}

function isTable(value: unknown): value is RawTable {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Set a nested value, creating tables on the way. */
export function setAtPath(target: RawTable, path: readonly string[], value: unknown): void {
  let current = target;
  path.slice(0, -1).forEach((segment) => {
    const next = current[segment];
    if (!isTable(next)) current[segment] = {};
    current = current[segment] as RawTable;
  });
  const last = path[path.length - 1];
  if (last !== undefined) current[last] = value;
}

/** Read a nested value. */
export function getAtPath(source: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = source;
  for (const segment of path) {
    if (isTable(current)) current = current[String(segment)];
    else if (Array.isArray(current) && typeof segment === "number") current = current[segment];
    else if (Array.isArray(current)) current = current[Number(segment)];
    else return undefined;
  }
  return current;
}

/** Leaf paths of a raw table (arrays and scalars are leaves). */
function leafPaths(table: RawTable, prefix: string[] = []): string[][] {
  return Object.entries(table).flatMap(([key, value]) =>
    isTable(value) && Object.keys(value).length > 0 ? leafPaths(value, [...prefix, key]) : [[...prefix, key]],
  );
}

function isOneOf<Choice extends string>(choices: readonly Choice[], value: string): value is Choice {
  return (choices as readonly string[]).includes(value);
}

/**
 * The configuration when every value set is one of its key's closed choices (`--shell fish`, `NO_COLOR`,
 * `CMDAI_SAFETY=strict`, `CMDAI_BACKEND`), else undefined. Each value is checked against the same list the
 * schema's enum is built from and set on the defaults by key, typed, so this is validation without the schema
 * library (~60–130 ms of start-up that `cmdai check` and agent hooks would pay on every call), not a way round it.
 */
function closedChoicesConfig(sources: ReadonlyMap<string, ConfigSource>, raw: RawTable): Config | undefined {
  const config: Config = defaultConfig();
  for (const key of sources.keys()) {
    const value = getAtPath(raw, key.split("."));
    if (typeof value !== "string") return undefined;
    if (key === "shell" && isOneOf(SHELL_NAMES, value)) config.shell = value;
    else if (key === "safety.mode" && isOneOf(SAFETY_MODES, value)) config.safety.mode = value;
    else if (key === "backend" && isOneOf(BACKEND_NAMES, value)) config.backend = value;
    else if (key === "ui.color" && isOneOf(COLOR_CHOICES, value)) config.ui.color = value;
    else return undefined;
  }
  return config;
}

function deepMerge(base: RawTable, overlay: RawTable): RawTable {
  const merged: RawTable = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const existing = merged[key];
    merged[key] = isTable(existing) && isTable(value) ? deepMerge(existing, value) : value;
  }
  return merged;
}

/** Line (1-based) where a key is assigned in TOML text, found by section header and key name. */
export function findKeyLine(text: string, path: readonly string[]): number | undefined {
  const leaf = path[path.length - 1];
  if (leaf === undefined) return undefined;
  const section = path.slice(0, -1).join(".");
  let currentSection = "";
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? "";
    const header = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line);
    if (header?.[1] !== undefined) {
      currentSection = header[1].replace(/\s+/g, "");
      continue;
    }
    const assignment = /^\s*"?([A-Za-z0-9_.-]+)"?\s*=/.exec(line);
    const key = assignment?.[1];
    if (key === undefined) continue;
    const fullKey = currentSection === "" ? key : `${currentSection}.${key}`;
    if (fullKey === [...path].join(".") || (currentSection === section && key === leaf)) return index + 1;
  }
  return undefined;
}

async function readFileLayer(
  filePath: string,
  mustExist: boolean,
): Promise<Layer & { exists: boolean; text: string }> {
  let text: string;
  try {
    text = fs.readFileSync(filePath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !mustExist) return { values: {}, sources: new Map(), exists: false, text: "" };
    if (code === "ENOENT") {
      throw new ConfigError("config_invalid", `Config file not found: ${filePath}`, {
        file: filePath,
        hint: "Check the path given to -c/--config, or run `cmdai config path` to see the default location.",
        cause: error,
      });
    }
    throw new ConfigError(
      "config_parse",
      `Cannot read config file ${filePath}: ${(error as Error).message}`,
      {
        file: filePath,
        hint: "Check the file's permissions.",
        cause: error,
      },
    );
  }
  // The TOML parser is loaded only when there is a file: nine modules less on every start-up without one.
  const { parse: parseToml } = await import("smol-toml");
  let parsed: RawTable;
  try {
    parsed = parseToml(text);
  } catch (error) {
    const { line, column } = error as { line?: number; column?: number };
    const reason =
      (error as Error).message.split("\n")[0]?.replace(/^Invalid TOML document:\s*/, "") ?? "invalid TOML";
    const where =
      line === undefined ? "" : ` at line ${line}${column === undefined ? "" : `, column ${column}`}`;
    throw new ConfigError("config_parse", `Invalid TOML in ${filePath}${where}: ${reason}`, {
      file: filePath,
      hint: `Fix the syntax on that line of ${filePath} (TOML: key = "value"), or move the file away to use the defaults.`,
      cause: error,
    });
  }
  // `safety = "strict"` is shorthand for `[safety] mode = "strict"`; normalise so layers merge key by key.
  const sources = new Map<string, ConfigSource>();
  if (typeof parsed.safety === "string") {
    sources.set("safety.mode", { kind: "file", file: filePath, line: findKeyLine(text, ["safety"]) });
    parsed.safety = { mode: parsed.safety };
  }
  for (const path of leafPaths(parsed)) {
    const key = path.join(".");
    if (!sources.has(key)) sources.set(key, { kind: "file", file: filePath, line: findKeyLine(text, path) });
  }
  return { values: parsed, sources, exists: true, text };
}

function environmentLayer(env: NodeJS.ProcessEnv): Layer {
  const values: RawTable = {};
  const sources = new Map<string, ConfigSource>();
  for (const { variable, path, parse } of ENVIRONMENT_KEYS) {
    const value = env[variable];
    if (value === undefined || (value.trim() === "" && variable !== "HF_HUB_OFFLINE")) continue;
    setAtPath(values, path, parse ? parse(value) : value);
    sources.set(path.join("."), { kind: "env", variable });
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") {
    setAtPath(values, ["ui", "color"], "never");
    sources.set("ui.color", { kind: "env", variable: "NO_COLOR" });
  }
  return { values, sources };
}

function flagLayer(flags: ConfigFlags): Layer {
  const values: RawTable = {};
  const sources = new Map<string, ConfigSource>();
  for (const { name, flag, path } of FLAG_KEYS) {
    const value = flags[name];
    if (value === undefined) continue;
    setAtPath(values, path, name === "timeout" && typeof value === "string" ? parseNumberLike(value) : value);
    sources.set(path.join("."), { kind: "flag", flag });
  }
  return { values, sources };
}

/** Human label of a source, e.g. `CMDAI_SAFETY`, `--safety`, `~/.config/cmdai/config.toml:3`. */
export function describeSource(source: ConfigSource | undefined): string {
  if (source === undefined) return "default";
  switch (source.kind) {
    case "default":
      return "default";
    case "file":
      return source.line === undefined ? source.file : `${source.file}:${source.line}`;
    case "env":
      return `environment ${source.variable}`;
    case "flag":
      return `flag ${source.flag}`;
  }
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_value":
      return `allowed: ${issue.values.map((value) => String(value)).join(", ")}`;
    case "invalid_type":
      return `expected ${issue.expected}`;
    case "too_small":
      return `must be at least ${String(issue.minimum)}`;
    case "too_big":
      return `must be at most ${String(issue.maximum)}`;
    default:
      return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  }
}

function displayKey(path: readonly PropertyKey[]): string {
  const key = path.map(String).join(".");
  return key === "safety.mode" ? "safety" : key;
}

function validationError(issue: z.core.$ZodIssue, raw: RawTable, sources: Map<string, ConfigSource>): Error {
  const path = issue.path.map(String);
  // A missing value deep in a table is reported against the nearest key that has a source.
  let source: ConfigSource | undefined;
  for (let length = path.length; length > 0 && source === undefined; length--) {
    source = sources.get(path.slice(0, length).join("."));
  }
  const value = getAtPath(raw, path);
  const shownValue = value === undefined ? "missing" : JSON.stringify(value);
  const key = displayKey(issue.path);
  const allowed = expectation(issue);
  if (source?.kind === "flag") {
    return new UsageError(`Invalid value ${shownValue} for ${source.flag}: ${allowed}.`, {
      hint: `Run \`cmdai --help\` to see what ${source.flag} accepts.`,
    });
  }
  if (source?.kind === "env") {
    return new ConfigError(
      "config_invalid",
      `Invalid value ${shownValue} for ${key} from ${source.variable}: ${allowed}.`,
      {
        key,
        hint: `Unset ${source.variable} or set it to a valid value.`,
      },
    );
  }
  const file = source?.kind === "file" ? source.file : undefined;
  const where = source?.kind === "file" ? ` in ${describeSource(source)}` : "";
  return new ConfigError("config_invalid", `Invalid value ${shownValue} for ${key}${where}: ${allowed}.`, {
    key,
    file,
    hint:
      file === undefined
        ? "Fix the value, or run `cmdai config show` to see the effective configuration."
        : `Edit ${file}, or run \`cmdai config set ${key} <value>\`.`,
  });
}

/** Validate raw values against the schema, throwing a typed error that names the key, value and what's allowed. */
export function validateConfig(
  schema: ConfigSchema,
  raw: RawTable,
  sources: Map<string, ConfigSource>,
): Config {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const [first] = result.error.issues;
  if (first === undefined) throw new ConfigError("config_invalid", "Invalid configuration.");
  throw validationError(first, raw, sources);
}

/**
 * Load the effective configuration. Never writes the config file (a successful validation is remembered in the
 * cache folder, see `validated-config-cache.ts`). When nothing is set (no file, no variables, no flags) the
 * defaults are returned without loading the schema library, which keeps `cmdai check` and friends quick.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const paths = options.paths ?? currentPathEnvironment();
  const env = options.env ?? paths.env;
  const warnings: string[] = [];
  const explicitFile =
    options.configFile ??
    (env.CMDAI_CONFIG !== undefined && env.CMDAI_CONFIG !== "" ? env.CMDAI_CONFIG : undefined);
  const filePath = explicitFile ?? configFilePath(paths);
  const fileLayer = await readFileLayer(filePath, explicitFile !== undefined);
  const layers = [fileLayer, environmentLayer(env), flagLayer(options.flags ?? {})];
  let raw: RawTable = {};
  const sources = new Map<string, ConfigSource>();
  for (const layer of layers) {
    raw = deepMerge(raw, layer.values);
    for (const [key, source] of layer.sources) sources.set(key, source);
  }
  let config = fileLayer.exists ? undefined : closedChoicesConfig(sources, raw);
  if (config === undefined) {
    const cache =
      options.validationCache === false
        ? undefined
        : (options.validationCache ?? defaultValidatedConfigCache(cacheDir(paths)));
    const validated = await validateWithCache(cache, { filePath, text: fileLayer.text, raw }, async () => {
      const [{ configSchema }, { findUnknownKeys }] = await Promise.all([
        import("./schema.js"),
        import("./schema-introspection.js"),
      ]);
      const found = findUnknownKeys(configSchema, fileLayer.values).map((unknownKey) => {
        const line = findKeyLine(fileLayer.text, unknownKey.split("."));
        return `Unknown config key "${unknownKey}" in ${filePath}${line === undefined ? "" : ` (line ${line})`} is ignored.`;
      });
      return { config: validateConfig(configSchema, raw, sources), warnings: found };
    });
    config = validated.config;
    warnings.push(...validated.warnings);
  }
  const modelOverride =
    options.flags?.model ??
    (env.CMDAI_MODEL !== undefined && env.CMDAI_MODEL !== "" ? env.CMDAI_MODEL : undefined);
  return { config, sources, file: { path: filePath, exists: fileLayer.exists }, warnings, modelOverride };
}

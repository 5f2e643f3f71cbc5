/**
 * `cmdai config set`: validate the new value against the schema (with the rest of the file), then write the
 * file atomically (temporary file + rename), so a failed or interrupted write never leaves a broken config.
 */
import fs from "node:fs";
import path from "node:path";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { ConfigError } from "../errors.js";
import { setAtPath, validateConfig, type ConfigSource } from "./load-config.js";
import { configSchema } from "./schema.js";
import { objectShape, schemaAtPath, unwrapSchema } from "./schema-introspection.js";

/** Keys as users type them; `safety` means `safety.mode`. */
export function normaliseKey(key: string): string[] {
  const path = key.trim().split(".");
  return path.length === 1 && path[0] === "safety" ? ["safety", "mode"] : path;
}

/** Convert the text typed on the command line into the type the schema expects at that key. */
export function parseValueForKey(pathSegments: readonly string[], text: string): unknown {
  const schema = schemaAtPath(configSchema, pathSegments);
  if (schema === undefined || objectShape(schema) !== undefined) {
    throw new ConfigError("config_invalid", `Unknown config key "${pathSegments.join(".")}".`, {
      key: pathSegments.join("."),
      hint: "Run `cmdai config show` to list the keys.",
    });
  }
  const type = (unwrapSchema(schema)._zod.def as { type: string }).type;
  if (type === "number") {
    const number = Number(text);
    return text.trim() !== "" && Number.isFinite(number) ? number : text;
  }
  if (type === "boolean") {
    if (/^(true|yes|on|1)$/i.test(text)) return true;
    if (/^(false|no|off|0)$/i.test(text)) return false;
    return text;
  }
  if (type === "array") {
    const trimmed = text.trim();
    if (trimmed.startsWith("[")) {
      try {
        return JSON.parse(trimmed) as unknown;
      } catch {
        return text;
      }
    }
    return trimmed === "" ? [] : trimmed.split(",").map((item) => item.trim());
  }
  return text;
}

/** Set one key in the config file, creating the file and its folder when needed. Returns the file written. */
export function setConfigValue(
  filePath: string,
  key: string,
  text: string,
): { file: string; key: string; value: unknown } {
  const pathSegments = normaliseKey(key);
  const value = parseValueForKey(pathSegments, text);
  let existing: Record<string, unknown> = {};
  if (fs.existsSync(filePath)) {
    try {
      existing = parseToml(fs.readFileSync(filePath, "utf8"));
    } catch (error) {
      throw new ConfigError("config_parse", `Cannot update ${filePath}: it is not valid TOML.`, {
        file: filePath,
        hint: "Fix the file by hand first (`cmdai config show` names the line).",
        cause: error,
      });
    }
  }
  if (typeof existing.safety === "string") existing.safety = { mode: existing.safety };
  setAtPath(existing, pathSegments, value);
  const dottedKey = pathSegments.join(".");
  const sources = new Map<string, ConfigSource>([[dottedKey, { kind: "file", file: filePath }]]);
  validateConfig(configSchema, existing, sources);
  const directory = path.dirname(filePath);
  const temporary = path.join(directory, `.${path.basename(filePath)}.${process.pid}.tmp`);
  try {
    fs.mkdirSync(directory, { recursive: true });
    fs.writeFileSync(temporary, `${stringifyToml(existing)}\n`, { mode: 0o600 });
    fs.renameSync(temporary, filePath);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new ConfigError("config_write", `Cannot write ${filePath}: ${(error as Error).message}`, {
      file: filePath,
      hint: "Check that the folder is writable, or pass another file with -c.",
      cause: error,
    });
  }
  return { file: filePath, key: dottedKey === "safety.mode" ? "safety" : dottedKey, value };
}

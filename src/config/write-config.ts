/**
 * `cmdai config set`: validate the new value against the schema (with the rest of the file), edit the file in
 * place (comments, order and blank lines kept, see `edit-toml.ts`), and write it atomically (temporary file +
 * rename), so a failed or interrupted write never leaves a broken config.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { ConfigError, UsageError } from "../errors.js";
import { setTomlValue } from "./edit-toml.js";
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
  checkValueForKey(pathSegments, key, value);
  let existing: Record<string, unknown> = {};
  let fileText = "";
  if (fs.existsSync(filePath)) {
    try {
      fileText = fs.readFileSync(filePath, "utf8");
      existing = parseToml(fileText);
    } catch (error) {
      throw new ConfigError("config_parse", `Cannot update ${filePath}: it is not valid TOML.`, {
        file: filePath,
        hint: "Fix the file by hand first (`cmdai config show` names the line).",
        cause: error,
      });
    }
  }
  // `safety = "strict"` at the top is the short form of [safety] mode: keep the form the file uses.
  const editPath =
    typeof existing.safety === "string" && dottedKeyOf(pathSegments) === "safety.mode"
      ? ["safety"]
      : pathSegments;
  if (typeof existing.safety === "string") existing.safety = { mode: existing.safety };
  setAtPath(existing, pathSegments, value);
  const dottedKey = pathSegments.join(".");
  const sources = new Map<string, ConfigSource>([[dottedKey, { kind: "file", file: filePath }]]);
  validateConfig(configSchema, existing, sources);
  const directory = path.dirname(filePath);
  const temporary = path.join(directory, `.${path.basename(filePath)}.${process.pid}.tmp`);
  try {
    fs.mkdirSync(directory, { recursive: true });
    fs.writeFileSync(temporary, editedText(fileText, editPath, value, existing), { mode: 0o600 });
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

function dottedKeyOf(pathSegments: readonly string[]): string {
  return pathSegments.join(".");
}

/**
 * The file's new text: edited in place when possible (comments, order and blank lines survive), and only when
 * the edit reads back as exactly the intended document; otherwise the whole document, rewritten.
 */
function editedText(text: string, editPath: readonly string[], value: unknown, intended: object): string {
  const edited = setTomlValue(text, editPath, value);
  if (edited !== undefined) {
    try {
      const reread = parseToml(edited);
      if (typeof reread.safety === "string") reread.safety = { mode: reread.safety };
      if (JSON.stringify(sortedKeys(reread)) === JSON.stringify(sortedKeys(intended))) return edited;
    } catch {
      // Fall through to a full rewrite.
    }
  }
  return `${stringifyToml(intended)}\n`;
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, inner]) => [key, sortedKeys(inner)]),
  );
}

/**
 * The value typed on the command line, checked on its own first: a bad one is the argument's fault, not the
 * file's, and a near miss of a choice (`olama`) names the choice (`ollama`).
 */
function checkValueForKey(pathSegments: readonly string[], key: string, value: unknown): void {
  const schema = schemaAtPath(configSchema, pathSegments);
  if (schema === undefined) return;
  const result = z.safeParse(schema, value);
  if (result.success) return;
  const options = (unwrapSchema(schema) as { options?: unknown }).options;
  const choices = Array.isArray(options) ? options.filter((option) => typeof option === "string") : [];
  const shown = JSON.stringify(value);
  const closest = typeof value === "string" ? closestChoice(value, choices) : undefined;
  const displayKey = dottedKeyOf(pathSegments) === "safety.mode" ? "safety" : dottedKeyOf(pathSegments);
  throw new UsageError(
    `Invalid value ${shown} for ${key}: ${choices.length > 0 ? `allowed: ${choices.join(", ")}` : (result.error.issues[0]?.message ?? "invalid")}.`,
    {
      hint:
        closest === undefined
          ? `Run \`cmdai config show\` to see the keys and their values.`
          : `Did you mean "${closest}"? cmdai config set ${displayKey} ${closest}`,
    },
  );
}

function closestChoice(text: string, choices: readonly string[]): string | undefined {
  let best: { choice: string; distance: number } | undefined;
  for (const choice of choices) {
    const distance = editDistance(text.toLowerCase(), choice.toLowerCase());
    if (best === undefined || distance < best.distance) best = { choice, distance };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(best.choice.length / 3))
    ? best.choice
    : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Set one key in TOML text in place, so the user's comments, key order and blank lines survive
 * `cmdai config set`. Handles the shapes a config file has: a top-level key, a key in a `[table]`, a dotted
 * top-level key (`ollama.host = …`). Returns undefined when the text has a shape it cannot edit safely (a
 * multi-line value, deeper tables); the caller then rewrites the whole document.
 */
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";

const HEADER = /^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(#.*)?$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The TOML text of a value, e.g. `"strict"`, `true`, `["a", "b"]`. */
export function tomlValueText(value: unknown): string {
  const line = stringifyToml({ v: value }).trim();
  return line.slice(line.indexOf("=") + 1).trim();
}

/** `key = value  # comment` → the comment part (with its leading spaces), or undefined if unreadable. */
function trailingComment(line: string, equals: number): string | undefined {
  const rest = line.slice(equals + 1);
  for (let index = 0; index <= rest.length; index++) {
    if (index < rest.length && rest[index] !== "#") continue;
    try {
      parseToml(`v = ${rest.slice(0, index)}`);
      const value = rest.slice(0, index);
      return rest.slice(value.trimEnd().length);
    } catch {
      // Not the end of the value yet (a # inside a string), or a multi-line value.
    }
  }
  return undefined;
}

function replaceValue(lines: string[], index: number, valueText: string): boolean {
  const line = lines[index] ?? "";
  const equals = line.indexOf("=");
  const comment = trailingComment(line, equals);
  if (comment === undefined) return false;
  lines[index] = `${line.slice(0, equals + 1)} ${valueText}${comment}`;
  return true;
}

/** Edit `text` so that `path` holds `value`; undefined when this text cannot be edited line by line. */
export function setTomlValue(text: string, path: readonly string[], value: unknown): string | undefined {
  if (path.length < 1 || path.length > 2) return undefined;
  const lines = text.split("\n");
  const valueText = tomlValueText(value);
  const headers = lines.flatMap((line, index) => {
    const match = HEADER.exec(line);
    return match?.[1] === undefined ? [] : [{ index, name: match[1] }];
  });
  const firstHeader = headers[0]?.index ?? lines.length;
  const keyLine = (key: string, from: number, to: number): number => {
    const pattern = new RegExp(`^\\s*(${escapeRegExp(key)}|"${escapeRegExp(key)}")\\s*=`);
    for (let index = from; index < to; index++) if (pattern.test(lines[index] ?? "")) return index;
    return -1;
  };
  const [table, key] = path.length === 2 ? [path[0] ?? "", path[1] ?? ""] : [undefined, path[0] ?? ""];
  if (table === undefined) {
    const index = keyLine(key, 0, firstHeader);
    if (index >= 0) return replaceValue(lines, index, valueText) ? lines.join("\n") : undefined;
    lines.splice(insertionPoint(lines, 0, firstHeader), 0, `${key} = ${valueText}`);
    return lines.join("\n");
  }
  const dotted = keyLine(`${table}.${key}`, 0, firstHeader);
  if (dotted >= 0) return replaceValue(lines, dotted, valueText) ? lines.join("\n") : undefined;
  const header = headers.find((entry) => entry.name === table);
  if (header === undefined) {
    const body = lines.join("\n").replace(/\n*$/, "");
    return `${body}${body === "" ? "" : "\n\n"}[${table}]\n${key} = ${valueText}\n`;
  }
  const end = headers.find((entry) => entry.index > header.index)?.index ?? lines.length;
  const index = keyLine(key, header.index + 1, end);
  if (index >= 0) return replaceValue(lines, index, valueText) ? lines.join("\n") : undefined;
  lines.splice(insertionPoint(lines, header.index + 1, end), 0, `${key} = ${valueText}`);
  return lines.join("\n");
}

/** After the last non-blank line of a section (so blank lines before the next table stay where they were). */
function insertionPoint(lines: readonly string[], from: number, to: number): number {
  let last = from;
  for (let index = from; index < to; index++) if ((lines[index] ?? "").trim() !== "") last = index + 1;
  return last;
}

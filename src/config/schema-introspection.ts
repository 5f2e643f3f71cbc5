/**
 * Reads the zod config schema as data: which keys exist (for unknown-key warnings and `config set`), their
 * types, defaults and descriptions (for generated docs and `config show`).
 */
import type { z } from "zod";

type AnySchema = z.core.$ZodType;

interface SchemaDefinition {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  out?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  options?: AnySchema[];
  entries?: Record<string, string>;
  defaultValue?: unknown;
  valueType?: AnySchema;
}

function definitionOf(schema: AnySchema): SchemaDefinition {
  return schema._zod.def;
}

/** Strip default/optional/preprocess wrappers down to the schema that describes the value's shape. */
export function unwrapSchema(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const definition = definitionOf(current);
    if (
      (definition.type === "default" || definition.type === "optional" || definition.type === "nullable") &&
      definition.innerType
    ) {
      current = definition.innerType;
    } else if (definition.type === "pipe" && definition.out) {
      current = definition.out;
    } else {
      return current;
    }
  }
}

/** The fields of an object schema, or undefined when the schema is not an object. */
export function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
  const inner = unwrapSchema(schema);
  const definition = definitionOf(inner);
  return definition.type === "object" ? definition.shape : undefined;
}

/** The schema of a dotted key (`embedded.threads`), or undefined when no such key exists. */
export function schemaAtPath(root: AnySchema, path: readonly string[]): AnySchema | undefined {
  let current: AnySchema | undefined = root;
  for (const segment of path) {
    if (current === undefined) return undefined;
    const shape = objectShape(current);
    if (shape === undefined) return undefined;
    current = shape[segment];
  }
  return current;
}

/** Dotted paths of keys present in `value` that the schema does not know. Records accept any key. */
export function findUnknownKeys(schema: AnySchema, value: unknown, prefix: string[] = []): string[] {
  if (typeof value !== "object" || value === null) return [];
  const inner = unwrapSchema(schema);
  const definition = definitionOf(inner);
  if (definition.type === "array" && definition.element && Array.isArray(value)) {
    const element = definition.element;
    return value.flatMap((item: unknown, index) =>
      findUnknownKeys(element, item, [...prefix, String(index)]),
    );
  }
  if (definition.type === "union" && definition.options) {
    const objectOption = definition.options.find((option) => objectShape(option) !== undefined);
    return objectOption ? findUnknownKeys(objectOption, value, prefix) : [];
  }
  if (definition.type !== "object" || definition.shape === undefined || Array.isArray(value)) return [];
  const shape = definition.shape;
  const unknown: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const childSchema = shape[key];
    if (childSchema === undefined) unknown.push([...prefix, key].join("."));
    else unknown.push(...findUnknownKeys(childSchema, child, [...prefix, key]));
  }
  return unknown;
}

/** One documented leaf key. */
export interface DocumentedKey {
  key: string;
  type: string;
  defaultValue: unknown;
  description: string;
}

function describeType(schema: AnySchema): string {
  const inner = unwrapSchema(schema);
  const definition = definitionOf(inner);
  switch (definition.type) {
    case "enum":
      return Object.values(definition.entries ?? {})
        .map((entry) => `"${entry}"`)
        .join(" | ");
    case "array":
      return definition.element ? `array of ${describeType(definition.element)}` : "array";
    case "record":
      return "table of strings";
    case "union":
      return (definition.options ?? []).map((option) => describeType(option)).join(" or ");
    case "object":
      return "table";
    default:
      return definition.type;
  }
}

function defaultOf(schema: AnySchema): unknown {
  let current: AnySchema | undefined = schema;
  while (current !== undefined) {
    const definition = definitionOf(current);
    if (definition.type === "default") {
      const value = definition.defaultValue;
      return typeof value === "function" ? (value as () => unknown)() : value;
    }
    current =
      definition.type === "optional" || definition.type === "nullable" ? definition.innerType : undefined;
  }
  return undefined;
}

function descriptionOf(schema: AnySchema): string {
  return (schema as { description?: string }).description ?? "";
}

/** Every leaf key of the schema, depth first, with type, default and description. */
export function documentKeys(schema: AnySchema, prefix: string[] = []): DocumentedKey[] {
  const shape = objectShape(schema);
  if (shape === undefined) return [];
  const keys: DocumentedKey[] = [];
  for (const [key, child] of Object.entries(shape)) {
    const path = [...prefix, key];
    if (objectShape(child) !== undefined) {
      keys.push(...documentKeys(child, path));
    } else {
      keys.push({
        key: path.join("."),
        type: describeType(child),
        defaultValue: defaultOf(child),
        description: descriptionOf(child),
      });
    }
  }
  return keys;
}

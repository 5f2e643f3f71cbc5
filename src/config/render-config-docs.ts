/** Renders `docs/configuration.md` from the config schema, so the docs can never drift from the code. */
import { configSchema } from "./schema.js";
import { documentKeys } from "./schema-introspection.js";

function formatDefault(value: unknown): string {
  if (value === undefined) return "—";
  if (typeof value === "object" && value !== null && Object.keys(value).length === 0)
    return Array.isArray(value) ? "`[]`" : "`{}`";
  return `\`${JSON.stringify(value)}\``;
}

/** The markdown document. */
export function renderConfigDocs(): string {
  const lines = [
    "# Configuration keys",
    "",
    "<!-- Generated from src/config/schema.ts by `npm run docs:config`; a test fails when this file is stale. -->",
    "",
    "File: `$XDG_CONFIG_HOME/cmdai/config.toml` (see the README for other platforms). Precedence: defaults < file <",
    "environment < flags. Dotted keys are TOML tables: `embedded.threads` is `threads` under `[embedded]`.",
    '`safety = "strict"` is shorthand for `[safety] mode = "strict"`.',
    "",
    "| key | type | default | description |",
    "|---|---|---|---|",
  ];
  for (const key of documentKeys(configSchema)) {
    const name = key.key === "safety.mode" ? "safety.mode (or safety)" : key.key;
    lines.push(
      `| \`${name}\` | ${key.type.replace(/\|/g, "\\|")} | ${formatDefault(key.defaultValue)} | ${key.description.replace(/\|/g, "\\|")} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

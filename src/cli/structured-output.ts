/**
 * `-o yaml` for the subcommands that print JSON: the command writes its JSON document (or JSON lines) to a
 * captured stdout, and the same data is printed as YAML, so every command gets both formats from one
 * rendering and the two can never disagree. Progress and messages on stderr pass through untouched.
 */
import { Writable } from "node:stream";
import type { OutputFormat } from "../config/choices.js";
import type { CliIo } from "./io.js";

/** Run `action` with the I/O it should print to; JSON and plain go straight through, YAML is converted. */
export async function runWithOutputFormat(
  format: OutputFormat,
  io: CliIo,
  action: (io: CliIo) => Promise<number>,
): Promise<number> {
  if (format !== "yaml") return action(io);
  const chunks: string[] = [];
  const captured = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(typeof chunk === "string" ? chunk : chunk.toString("utf8"));
      callback();
    },
  });
  let code: number;
  try {
    code = await action({ ...io, stdout: captured });
  } finally {
    await writeAsYaml(chunks.join(""), io);
  }
  return code;
}

async function writeAsYaml(text: string, io: CliIo): Promise<void> {
  if (text.trim() === "") return;
  const { stringify } = await import("yaml");
  let documents: unknown[];
  try {
    documents = [JSON.parse(text) as unknown];
  } catch {
    // JSON lines: one document each.
    documents = text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as unknown);
  }
  io.stdout.write(documents.map((document) => stringify(document)).join(documents.length > 1 ? "---\n" : ""));
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "smol-toml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { parseValueForKey, setConfigValue } from "./write-config.js";

let root: string;
let file: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-write-"));
  file = path.join(root, "sub", "config.toml");
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe("setConfigValue", () => {
  it("creates the file and folder, typed values included", () => {
    setConfigValue(file, "embedded.threads", "4");
    setConfigValue(file, "auto_download", "yes");
    setConfigValue(file, "fallback", "ollama, embedded");
    setConfigValue(file, "safety", "strict");
    expect(parse(fs.readFileSync(file, "utf8"))).toEqual({
      embedded: { threads: 4 },
      auto_download: true,
      fallback: ["ollama", "embedded"],
      safety: { mode: "strict" },
    });
  });

  it("keeps the file unchanged when the value is invalid", () => {
    setConfigValue(file, "backend", "ollama");
    const before = fs.readFileSync(file, "utf8");
    expect(() => setConfigValue(file, "backend", "nosuch")).toThrow(/allowed: embedded, ollama, openai/);
    expect(() => setConfigValue(file, "embedded.threads", "-1")).toThrow(UsageError);
    expect(fs.readFileSync(file, "utf8")).toBe(before);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["config.toml"]);
  });

  it("refuses unknown keys and whole tables", () => {
    expect(() => parseValueForKey(["nosuch"], "1")).toThrow(/Unknown config key "nosuch"/);
    expect(() => parseValueForKey(["embedded"], "1")).toThrow(/Unknown config key/);
  });

  it("refuses to rewrite a file that is not valid TOML", () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "backend = = 1\n");
    expect(() => setConfigValue(file, "backend", "ollama")).toThrow(/not valid TOML/);
    expect(fs.readFileSync(file, "utf8")).toBe("backend = = 1\n");
  });
});

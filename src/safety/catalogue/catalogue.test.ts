import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createSafetyEngine, type SafetyEngine } from "../safety-engine.js";
import { CATALOGUE_SOURCES, compileSpecification, EFFECTS, judgeByCatalogue } from "./catalogue.js";

/** `level<TAB>rule<TAB>command` rows: one per catalogue entry (most from tldr-pages examples, CC BY 4.0). */
const TABLE = readFileSync(join(import.meta.dirname, "catalogue-table.tsv"), "utf8")
  .split("\n")
  .filter((line) => line !== "" && !line.startsWith("#"))
  .map((line) => {
    const [level = "", rule = "", ...command] = line.split("\t");
    return { level, rule, command: command.join("\t") };
  });

const entries = Object.entries(CATALOGUE_SOURCES).flatMap(([file, source]) =>
  source
    .split("\n")
    .filter((line) => line.includes(" = "))
    .map((line) => ({
      file,
      names: line.slice(0, line.indexOf(" = ")).trim().split(/\s+/),
      specification: line.slice(line.indexOf(" = ") + 3).trim(),
    })),
);

let engine: SafetyEngine;
beforeAll(async () => {
  engine = await createSafetyEngine();
});

describe("the catalogue data", () => {
  it("compiles every entry, with known effects and valid patterns", () => {
    for (const entry of entries) expect(() => compileSpecification(entry.specification)).not.toThrow();
  });

  it("names each program once, as a plain word", () => {
    const seen = new Map<string, string>();
    for (const entry of entries)
      for (const name of entry.names) {
        expect(name).toMatch(/^[\w.+-]+$/);
        expect(seen.get(name), `${name} in ${entry.file} and ${seen.get(name) ?? ""}`).toBeUndefined();
        seen.set(name, entry.file);
      }
  });

  it("has a test row for every entry", () => {
    const tested = new Set(TABLE.map((row) => row.command.split(" ").find((word) => word !== "sudo")));
    for (const entry of entries)
      expect(
        entry.names.some((name) => tested.has(name)),
        entry.names.join(" "),
      ).toBe(true);
  });
});

describe("the catalogue's verdicts", () => {
  it.each(TABLE)("$level ($rule): $command", ({ level, rule, command }) => {
    const assessment = engine.assess(command, { shell: "bash", interactive: false });
    expect(assessment.level).toBe(level);
    if (level !== "safe") expect(assessment.reasons.map((reason) => reason.rule)).toContain(rule);
  });
});

describe("per-program knowledge, never a blanket flag rule", () => {
  const level = (command: string) => engine.assess(command, { shell: "bash", interactive: false }).level;

  it("reads where the program only reads, changes where it changes", () => {
    expect(level("ipcs -a")).toBe("safe");
    expect(level("nmcli device status")).toBe("safe");
    expect(level("nmcli connection up uuid")).toBe("moderate");
    expect(level("nmcli connection delete uuid")).toBe("high");
    expect(level("btrfs filesystem show")).toBe("safe");
    expect(level("btrfs subvolume delete path/to/subvolume")).toBe("high");
    expect(level("doctl compute droplet list")).toBe("safe");
    expect(level("doctl compute droplet delete droplet_id")).toBe("high");
  });

  it("knows where -h is help and where it is not", () => {
    expect(level("parted -h")).toBe("safe");
    expect(level("fdisk -h")).toBe("safe");
    expect(level("shutdown -h now")).toBe("high");
    expect(level("dropdb -h host db")).toBe("high");
    expect(level("parted /dev/sda rm 1")).not.toBe("safe");
  });

  it("rates an unknown subcommand of a known program moderate, not safe", () => {
    expect(level("jj frobnicate")).toBe("moderate");
    expect(judgeByCatalogue("jj", ["frobnicate"])?.byDefault).toBe(true);
  });

  it("never lets a read clause vouch for a command that also names a change", () => {
    expect(level("cryptsetup -v luksFormat /dev/sdb")).not.toBe("safe");
    expect(judgeByCatalogue("gsettings", ["get", "org.gnome.x", "y"])?.level).toBe("safe");
    expect(judgeByCatalogue("gsettings", ["set", "org.gnome.x", "y", "z"])?.level).toBe("moderate");
  });

  it("leaves what code-running options and wrappers found in place", () => {
    expect(level("ipcs -a")).toBe("safe");
    expect(level("ipcs -a > ~/.bashrc")).not.toBe("safe");
    expect(level("firefox --version; python3 -c 'import os; os.system(\"rm -rf ~\")'")).toBe("critical");
  });

  it("gives every effect a level and a reason", () => {
    for (const effect of Object.values(EFFECTS)) expect(effect.text.length).toBeGreaterThan(10);
  });
});

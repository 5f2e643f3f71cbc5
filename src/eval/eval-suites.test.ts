import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadEvalSuite, parseAlfaTsv, parseSuiteName } from "./eval-suites.js";
import { loadSetupManifest } from "./file-system-setup.js";

describe("evaluation suites", () => {
  it("loads NL2SH-ALFA: 300 prompts, two references each, 100 per difficulty", () => {
    const prompts = loadEvalSuite("nl2sh-alfa");
    expect(prompts).toHaveLength(300);
    expect(prompts.every((prompt) => prompt.references.length === 2)).toBe(true);
    for (const difficulty of [0, 1, 2]) {
      expect(prompts.filter((prompt) => prompt.difficulty === difficulty)).toHaveLength(100);
    }
    expect(prompts[3]).toMatchObject({
      index: 3,
      request: "create a copy of /testbed/hello.php named /testbed/hello-COPY.php",
      references: [
        "cp /testbed/hello.php /testbed/hello-COPY.php",
        "cp /testbed/hello.php /testbed/hello-COPY.php -v",
      ],
      setup: "alfa-fs-1",
    });
  });

  it("loads InterCode-Bash: 200 prompts with one reference and no difficulty", () => {
    const prompts = loadEvalSuite("intercode-bash");
    expect(prompts).toHaveLength(200);
    expect(new Set(prompts.map((prompt) => prompt.setup))).toEqual(
      new Set(["alfa-fs-1", "alfa-fs-2", "alfa-fs-3", "alfa-fs-4"]),
    );
    expect(prompts.every((prompt) => prompt.references.length === 1 && prompt.difficulty === undefined)).toBe(
      true,
    );
  });

  it("has a setup for every prompt", () => {
    const setups = new Set(
      [...loadEvalSuite("nl2sh-alfa"), ...loadEvalSuite("intercode-bash")].map((prompt) => prompt.setup),
    );
    for (const setup of setups) expect(loadSetupManifest(setup).entries.length).toBeGreaterThan(0);
  });

  it("unescapes tabs and newlines in TSV fields", () => {
    const [prompt] = parseAlfaTsv(
      "index\tfs\tfs_index\tnl\tbash\tbash2\tdifficulty\n7\t4\t0\tsplit on tabs\tcut -d$'\\t' -f1\tawk -F'\\t' '{print $1}'\t1\n",
    );
    expect(prompt?.references).toEqual(["cut -d$'\t' -f1", "awk -F'\t' '{print $1}'"]);
  });

  it("rejects an unknown suite with a usage error naming the choices", () => {
    expect(() => parseSuiteName("nl2bash")).toThrow(/Unknown suite "nl2bash"/);
    expect(parseSuiteName(undefined)).toBe("nl2sh-alfa");
  });

  it("keeps evaluation data out of generation: only src/eval reads data/eval", () => {
    const source = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
    const offenders: string[] = [];
    const walk = (folder: string): void => {
      for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
        const absolute = path.join(folder, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== "eval") walk(absolute);
        } else if (
          /\.ts$/.test(entry.name) &&
          /data\/eval|eval-suites|nl2sh_alfa_test|nl2bash_fs_/.test(fs.readFileSync(absolute, "utf8"))
        ) {
          offenders.push(path.relative(source, absolute));
        }
      }
    };
    walk(source);
    expect(offenders.filter((file) => !file.startsWith("cli/"))).toEqual([]);
  });
});

import fs from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { extractCommands, type SimpleCommand } from "./command-extractor.js";
import { plainCommands, plainWordList } from "./fast-lexer.js";
import { loadBashParser, type BashParser } from "./shell-parser.js";

let parser: BashParser;
beforeAll(async () => {
  parser = await loadBashParser();
});

function parsed(text: string): { commands: SimpleCommand[]; hasError: boolean } {
  const tree = parser.parse(text);
  if (!tree) throw new Error(`no tree for ${text}`);
  try {
    return extractCommands(tree.rootNode);
  } finally {
    tree.delete();
  }
}

/**
 * A row of `multi-line-scripts.tsv` as the script it stands for (`\n` → newline, `\\` → backslash; see that
 * folder's README). Not imported from its `score.ts`, which scores the whole corpus when loaded.
 */
function decodeMultiLine(text: string): string {
  return text.replace(/\\(\\|n)/g, (_match, escaped: string) => (escaped === "n" ? "\n" : "\\"));
}

/** Every POSIX-family command of every corpus in the repository: `test/fixtures/safety*` / `*.tsv`. */
function corpusCommands(): { where: string; command: string }[] {
  const fixtures = path.join(import.meta.dirname, "..", "..", "test", "fixtures");
  const rows: { where: string; command: string }[] = [];
  for (const folder of fs.readdirSync(fixtures).filter((name) => name.startsWith("safety"))) {
    for (const file of fs.readdirSync(path.join(fixtures, folder)).filter((name) => name.endsWith(".tsv"))) {
      const lines = fs.readFileSync(path.join(fixtures, folder, file), "utf8").split("\n");
      lines.forEach((line, index) => {
        if (line === "" || line.startsWith("#")) return;
        const [, shell = "", ...rest] = line.split("\t");
        if (shell === "powershell" || shell === "cmd") return;
        const raw = rest.join("\t");
        const command = file === "multi-line-scripts.tsv" ? decodeMultiLine(raw) : raw;
        rows.push({ where: `${folder}/${file}:${index + 1}`, command });
      });
    }
  }
  return rows;
}

const PLAIN = [
  "ls -la",
  "rm -rf /",
  `"rm" -rf '/'`,
  "r''m -rf /",
  "\\rm -rf ~",
  "echo 'rm -rf /' | sh",
  "echo a | cat | bash",
  "printf x | tee out | sh -s",
  "a; b & c",
  "a && b || c",
  "nohup x &",
  "a;",
  "a | b; c | d | e",
  'git commit -m "fix: a; b | c"',
  "dd if=/dev/zero of=/dev/sda bs=1M",
];

const ASK_TREE_SITTER = [
  "find . -name x -exec rm {} \\;",
  "x='a b' y",
  "cmd 2>&1",
  "cmd >/dev/null",
  "cat < in",
  "cmd &> log",
  "X=/ rm -rf $X",
  "rm -rf $(pwd)",
  "rm -rf `pwd`",
  "(cd / && rm -rf *)",
  "{ rm -rf /; }",
  "if true; then rm -rf /; fi",
  "for d in / ~; do rm -rf $d; done",
  "cat <<EOF | sh\nrm -rf /\nEOF",
  "a\nb",
  "sh <<< 'rm -rf /'",
  "echo x # rm -rf /",
  "echo !!",
  "a |",
  "a &&",
  "| a",
  "; a",
  "a ;; b",
  "a |& b",
  "a ||| b",
  "a & ; b",
  "",
  "   ",
  "'unterminated",
  '"a\\"b"',
  "tr \\  x",
  "'' x",
  "[ -f x ]",
  "export X=1",
  "time ls",
  "unset array[2]",
  "ls\tx",
  "ls café",
];

describe("the fast lexer", () => {
  it.each(PLAIN)("answers a plain word list for %j, the parser's commands", (text) => {
    const list = plainWordList(text);
    expect(list).toBeDefined();
    const reference = parsed(text);
    expect(reference.hasError).toBe(false);
    expect(plainCommands(list!)).toEqual(reference.commands);
  });

  it("gives the words, pipelines and joints as written", () => {
    expect(plainWordList(`a "b c" | d 'e';f&&g`)).toEqual([
      [
        ["a", "b c"],
        ["d", "e"],
      ],
      [["f"]],
      [["g"]],
    ]);
  });

  it.each(ASK_TREE_SITTER)("asks tree-sitter about %j", (text) => {
    expect(plainWordList(text)).toBeUndefined();
  });

  it("never disagrees with tree-sitter on a corpus command it claims (test/fixtures/safety*)", () => {
    const rows = corpusCommands();
    let claimed = 0;
    const disagreements: string[] = [];
    for (const { where, command } of rows) {
      const list = plainWordList(command);
      if (list === undefined) continue;
      claimed++;
      const reference = parsed(command);
      if (reference.hasError || !isDeepStrictEqual(plainCommands(list), reference.commands)) {
        disagreements.push(`${where}: ${command}`);
      }
    }
    expect(disagreements).toEqual([]);
    // Both answers occur in the corpus, so the comparison above compares something.
    expect(rows.length).toBeGreaterThan(5000);
    expect(claimed).toBeGreaterThan(1000);
    expect(claimed).toBeLessThan(rows.length);
  });
});

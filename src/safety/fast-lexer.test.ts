import { isDeepStrictEqual } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { readSafetyCorpus } from "../../test/support/safety-corpus.js";
import { extractCommands, type SimpleCommand } from "./command-extractor.js";
import { lexSimpleScript } from "./fast-lexer.js";
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

const EDGE_CASES = [
  "ls -la",
  "rm -rf /",
  `"rm" -rf '/'`,
  "r''m -rf /",
  "\\rm -rf ~",
  "echo 'rm -rf /' | sh",
  "echo a | cat | bash",
  "printf x | tee out | sh -s",
  "cmd 2>&1",
  "cmd >/dev/null 2>&1",
  "cmd &> log",
  "cmd &>> log",
  "cat < in > out",
  "a >| b",
  "echo hi >&2",
  "a; b & c",
  "a && b || c",
  "nohup x &",
  "a | b; c | d | e",
  'git commit -m "fix: a; b | c"',
  "echo a2>f",
  "dd if=/dev/zero of=/dev/sda bs=1M",
];

const DECLINED = [
  "find . -name x -exec rm {} \\;",
  "x='a b' y",
  "a && b > f",
  "a | b > f",
  "X=/ rm -rf $X",
  "rm -rf $(pwd)",
  "rm -rf `pwd`",
  "(cd / && rm -rf *)",
  "{ rm -rf /; }",
  "if true; then rm -rf /; fi",
  "for d in / ~; do rm -rf $d; done",
  "cat <<EOF | sh\nrm -rf /\nEOF",
  "sh <<< 'rm -rf /'",
  "diff <(ls a) <(ls b)",
  "echo x # rm -rf /",
  "a |",
  "a &&",
  "| a",
  "; a",
  "a ;; b",
  "'unterminated",
  '"a\\"b"',
  "tr \\  x",
  "[ -f x ]",
  "unset array[2]",
  "> f cmd",
  "cmd > f arg",
];

describe("the fast lexer", () => {
  it.each(EDGE_CASES)("gives the parser's commands for %s", (text) => {
    const fast = lexSimpleScript(text);
    expect(fast).toBeDefined();
    const reference = parsed(text);
    expect(reference.hasError).toBe(false);
    expect(fast).toEqual(reference.commands);
  });

  it.each(DECLINED)("declines %s and leaves it to the parser", (text) => {
    expect(lexSimpleScript(text)).toBeUndefined();
  });

  it("agrees with the parser on every corpus command it accepts", () => {
    const commands = readSafetyCorpus()
      .filter((labelled) => labelled.shell !== "powershell" && labelled.shell !== "cmd")
      .map((labelled) => labelled.command);
    let accepted = 0;
    const disagreements: string[] = [];
    for (const text of commands) {
      const fast = lexSimpleScript(text);
      if (fast === undefined) continue;
      accepted++;
      const reference = parsed(text);
      if (reference.hasError || !isDeepStrictEqual(fast, reference.commands)) disagreements.push(text);
    }
    expect(disagreements).toEqual([]);
    // The fast path only pays off when it takes most commands.
    expect(accepted / commands.length).toBeGreaterThan(0.6);
  });
});

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { createSafetyEngine, type SafetyEngine } from "../safety-engine.js";
import type { RiskLevel } from "../types.js";
import { analyseProgram } from "./analyse-code.js";
import { evaluate, UNKNOWN, type Scope } from "./code-values.js";
import { tokenise } from "./code-lexer.js";

let engine: SafetyEngine;
beforeAll(async () => {
  engine = await createSafetyEngine();
});

const CASES = readFileSync(new URL("interpreter-code.cases.tsv", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line !== "" && !line.startsWith("#"))
  .map((line) => {
    const [level = "", ...command] = line.split("\t");
    return [level as RiskLevel, command.join("\t")] as const;
  });

describe("code handed to interpreters", () => {
  it("has a benign look-alike for the dangerous rows", () => {
    expect(CASES.length).toBeGreaterThan(150);
    expect(CASES.filter(([level]) => level === "safe" || level === "moderate").length).toBeGreaterThan(50);
  });

  it.each(CASES)("%s: %s", (level, command) => {
    expect(engine.assess(command, { shell: "bash", interactive: false }).level).toBe(level);
  });

  it.each([
    ["critical", "python3 <<'PY'\nimport shutil\nshutil.rmtree('/etc')\nPY"],
    [
      "critical",
      "cat <<'JS' | node\nconst { execSync } = require('child_process');\nexecSync('rm -rf ~');\nJS",
    ],
    ["critical", "perl <<'PL'\nsystem('rm', '-rf', '/var');\nPL"],
    ["safe", "python3 <<'PY'\nimport sys\nprint(sys.version)\nPY"],
    ["safe", "node <<'JS'\nconsole.log('rm -rf /');\nJS"],
  ] as const)("here-docs are the interpreter's code: %s", (level, command) => {
    expect(engine.assess(command, { shell: "bash", interactive: false }).level).toBe(level);
  });

  it("names what it could not read", () => {
    const reasons = engine.assess(`python3 -c 'import os; os.system(os.environ["JOB"])'`, {
      shell: "bash",
    }).reasons;
    expect(reasons.map((reason) => reason.message).join(" ")).toMatch(/cmdai cannot read/);
  });
});

describe("static values in code", () => {
  const scope = (language: Scope["language"]): Scope => ({
    language,
    variables: new Map(),
    aliases: new Map(),
    environmentReads: new Set(),
    depth: 0,
  });
  const value = (language: Scope["language"], code: string): string => {
    const tokens = tokenise(code, language);
    return evaluate(tokens, 0, tokens.length, scope(language)).text;
  };

  it.each([
    ["python", `"r" + "m -rf ~"`, "rm -rf ~"],
    ["python", `chr(114) + chr(109)`, "rm"],
    ["python", `base64.b64decode("cm0gLXJmIH4=").decode()`, "rm -rf ~"],
    ["python", `codecs.decode("ez -es ~", "rot13")`, "rm -rf ~"],
    ["python", `os.path.join("/", "etc")`, "/etc"],
    ["python", `os.path.expanduser("~")`, "~"],
    ["perl", `"rm" . " -rf " . $ENV{HOME}`, "rm -rf ~"],
    ["perl", `pack("H*", "726d")`, "rm"],
    ["ruby", `"rm -rf #{Dir.home}"`, "rm -rf ~"],
    ["javascript", `Buffer.from("cm0=", "base64").toString()`, "rm"],
    ["javascript", "`rm -rf ${process.env.HOME}`", "rm -rf ~"],
    ["php", `"sys" . "tem"`, "system"],
    ["lua", `"rm -rf " .. os.getenv("HOME")`, "rm -rf ~"],
    ["awk", `"rm -rf " "/"`, "rm -rf /"],
  ] as const)("%s: %s is %s", (language, code, expected) => {
    expect(value(language, code)).toBe(expected);
  });

  it("marks run-time pieces unknown", () => {
    expect(value("python", `"rm -rf " + sys.argv[1]`)).toBe(`rm -rf ${UNKNOWN}`);
  });

  it("reads a shell-out with its command", () => {
    const verdict = analyseProgram({
      language: "python",
      code: `import os; os.system("ls")`,
      options: [],
      operands: [],
    });
    expect(verdict.scripts).toEqual(["ls"]);
  });
});

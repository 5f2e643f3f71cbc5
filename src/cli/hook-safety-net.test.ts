import { describe, expect, it } from "vitest";
import { hookFormatOf, protocolExitCode } from "./hook-safety-net.js";

describe("hookFormatOf", () => {
  it.each([
    [["check", "--hook", "claude-code"], "claude-code"],
    [["check", "--hook=gemini-cli"], "gemini-cli"],
    [["-c", "config.toml", "check", "--safety", "strict", "--hook", "json"], "json"],
    [["check", "--hook"], ""],
    [["check", "ls"], undefined],
    [["check", "--", "--hook", "x"], undefined],
    [["list files", "--hook", "x"], undefined],
  ])("%j → %s", (argv, format) => {
    expect(hookFormatOf(argv)).toBe(format);
  });
});

describe("protocolExitCode", () => {
  it("lets the agents' protocols end only in 0 or 2, and the generic one also in 3 and 4", () => {
    for (const format of ["claude-code", "gemini-cli", "cursor"]) {
      expect([0, 1, 2, 3, 4, 5, 127, 130].map((code) => protocolExitCode(format, code))).toEqual([
        0, 2, 2, 2, 2, 2, 2, 2,
      ]);
    }
    expect([0, 1, 2, 3, 4, 5].map((code) => protocolExitCode("json", code))).toEqual([0, 2, 2, 3, 4, 2]);
  });
});

import { describe, expect, it } from "vitest";
import { hintForInvocation, invocationName } from "./invocation-name.js";

describe("invocationName", () => {
  it.each([
    [{ npm_command: "exec" }, "npx cmdai"],
    [{ npm_command: "run-script" }, "cmdai"],
    [{}, "cmdai"],
  ])("%o → %s", (env, expected) => {
    expect(invocationName(env)).toBe(expected);
  });
});

describe("hintForInvocation", () => {
  const npx = { npm_command: "exec" };

  it("rewrites every quoted cmdai command under npx", () => {
    expect(hintForInvocation("Run `cmdai models pull x` or `cmdai doctor`.", npx)).toBe(
      "Run `npx cmdai models pull x` or `npx cmdai doctor`.",
    );
  });

  it("leaves prose, other programs and a bare install alone", () => {
    const hint = "cmdai needs a model: run `cmdaix` or `ollama pull x`.";
    expect(hintForInvocation(hint, npx)).toBe(hint);
    expect(hintForInvocation("Run `cmdai doctor`.", {})).toBe("Run `cmdai doctor`.");
  });
});

describe("hintForInvocation with joined commands", () => {
  it("rewrites the second command of `cmdai … && cmdai …` too", () => {
    expect(
      hintForInvocation("Use it: `cmdai config set a b && cmdai config set backend ollama`.", {
        npm_command: "exec",
      }),
    ).toBe("Use it: `npx cmdai config set a b && npx cmdai config set backend ollama`.");
  });
});

import { describe, expect, it } from "vitest";
import { menuConsentContext } from "../../test/support/command-outcome.js";
import type { EffectPreview } from "../preview/types.js";
import { decide, stricterDecision } from "../safety/decide.js";
import {
  RISK_LEVELS,
  SAFETY_MODES,
  type Assessment,
  type RiskLevel,
  type SafetyMode,
} from "../safety/types.js";
import {
  consentRequirement,
  decideConsent,
  declinedExitCode,
  previewCountedAnything,
  type ConsentContext,
  type ConsentDecision,
  type ConsentRequirement,
} from "./consent.js";

/** How the command touches files: not at all, by its rule's word, or by what the preview counted. */
type Change = "none" | "rule" | "preview";
const CHANGES: readonly Change[] = ["none", "rule", "preview"];

/** How the engine's own check went: fully checked, or not (fail closed, with or without a terminal). */
type Check = "checked" | "unchecked-interactive" | "unchecked-headless";
const CHECKS: readonly Check[] = ["checked", "unchecked-interactive", "unchecked-headless"];

function preview(files: number): EffectPreview {
  return {
    summary: `deletes ${files} files (1 kB) in ./build`,
    targets: [{ path: "./build", effect: "delete", kind: "directory", files, directories: 1, bytes: 1000 }],
    totals: { files, directories: 1, bytes: 1000, tracked: 0 },
    truncated: false,
    unresolved: [],
    unmatched: [],
    unreadable: [],
    notes: [],
  };
}

/** The verdict the engine gives for a level under a mode (the same decide() the engine uses). */
function verdict(level: RiskLevel, mode: SafetyMode, change: Change, check: Check): Assessment {
  const reasons: Assessment["reasons"] = [];
  if (change === "rule") reasons.push({ rule: "rm-files", level, message: "Deletes files." });
  let decision = decide(level, mode);
  if (check !== "checked") {
    reasons.push({ rule: "unparseable", level: "moderate", message: "Cannot be parsed." });
    decision = stricterDecision(decision, check === "unchecked-interactive" ? "confirm" : "block");
  }
  return { level, decision, reasons };
}

// What running a command needs, by level and mode, written out by hand: [no file change, changes files].
const REQUIREMENTS: Record<RiskLevel, Record<SafetyMode, [ConsentRequirement, ConsentRequirement]>> = {
  safe: { strict: ["none", "key"], moderate: ["none", "key"], permissive: ["none", "key"] },
  moderate: { strict: ["typed-yes", "typed-yes"], moderate: ["key", "key"], permissive: ["key", "key"] },
  high: { strict: ["never", "never"], moderate: ["typed-yes", "typed-yes"], permissive: ["key", "key"] },
  critical: { strict: ["never", "never"], moderate: ["never", "never"], permissive: ["never", "never"] },
};

function expectedRequirement(level: RiskLevel, mode: SafetyMode, change: Change, check: Check) {
  if (level === "critical" || check === "unchecked-headless") return "never";
  const byLevel = REQUIREMENTS[level][mode][change === "none" ? 0 : 1];
  // An unchecked command that a terminal can confirm needs a typed yes, unless the mode already blocks it.
  return check === "unchecked-interactive" && byLevel !== "never" ? "typed-yes" : byLevel;
}

type Expected = ConsentDecision["action"] | `refuse ${number}` | `show ${number}`;

/** How cmdai was called, and what each requirement then leads to: [none, key, typed-yes, never]. */
const CONTEXTS: [string, Omit<ConsentContext, "mode">, [Expected, Expected, Expected, Expected]][] = [
  [
    "menu",
    { menu: true, execute: false, yes: false, interactive: true, dryRun: false },
    ["run", "askKey", "askTypedYes", "refuse 3"],
  ],
  [
    "menu -y",
    { menu: true, execute: false, yes: true, interactive: true, dryRun: false },
    ["run", "askKey", "askKey", "refuse 3"],
  ],
  [
    "-x at a terminal",
    { menu: false, execute: true, yes: false, interactive: true, dryRun: false },
    ["run", "askKey", "askTypedYes", "refuse 3"],
  ],
  [
    "-x without a terminal",
    { menu: false, execute: true, yes: false, interactive: false, dryRun: false },
    ["run", "refuse 4", "refuse 4", "refuse 3"],
  ],
  [
    "-x -y at a terminal",
    { menu: false, execute: true, yes: true, interactive: true, dryRun: false },
    ["run", "run", "run", "refuse 3"],
  ],
  [
    "-x -y without a terminal",
    { menu: false, execute: true, yes: true, interactive: false, dryRun: false },
    ["run", "run", "run", "refuse 3"],
  ],
  [
    "plain or JSON output, no -x, at a terminal",
    { menu: false, execute: false, yes: false, interactive: true, dryRun: false },
    ["show 0", "show 4", "show 4", "show 3"],
  ],
  [
    "no -x, no terminal (a pipe, the shell hotkey)",
    { menu: false, execute: false, yes: false, interactive: false, dryRun: false },
    ["show 0", "show 4", "show 4", "show 3"],
  ],
  [
    "-y without -x",
    { menu: false, execute: false, yes: true, interactive: false, dryRun: false },
    ["show 0", "show 4", "show 4", "show 3"],
  ],
  [
    "--dry-run -x -y",
    { menu: false, execute: true, yes: true, interactive: true, dryRun: true },
    ["show 0", "show 0", "show 0", "show 0"],
  ],
  [
    "--dry-run without a terminal",
    { menu: false, execute: true, yes: false, interactive: false, dryRun: true },
    ["show 0", "show 0", "show 0", "show 0"],
  ],
];

const REQUIREMENT_INDEX: Record<ConsentRequirement, number> = { none: 0, key: 1, "typed-yes": 2, never: 3 };

function summary(decision: ConsentDecision): Expected {
  return decision.action === "refuse" || decision.action === "show"
    ? `${decision.action} ${decision.exitCode}`
    : decision.action;
}

describe("decideConsent over every combination", () => {
  const rows = RISK_LEVELS.flatMap((level) =>
    SAFETY_MODES.flatMap((mode) =>
      CHANGES.flatMap((change) =>
        CHECKS.flatMap((check) =>
          CONTEXTS.map(([name, flags, actions]) => ({ level, mode, change, check, name, flags, actions })),
        ),
      ),
    ),
  );

  it("has every level × mode × file change × check × context", () => {
    expect(rows).toHaveLength(4 * 3 * 3 * 3 * CONTEXTS.length);
  });

  it.each(rows)(
    "$level in $mode mode, change $change, $check, $name",
    ({ level, mode, change, check, flags, actions }) => {
      const assessment = verdict(level, mode, change, check);
      const decision = decideConsent(assessment, change === "preview" ? preview(30) : undefined, {
        mode,
        ...flags,
      });
      const requirement = expectedRequirement(level, mode, change, check);
      expect(decision.requirement).toBe(requirement);
      expect(summary(decision)).toBe(actions[REQUIREMENT_INDEX[requirement]]);
      // A decision always says why, and nothing refused is ever run.
      expect(decision.reason.length).toBeGreaterThan(10);
      if (requirement === "never") expect(decision.action).not.toMatch(/run|ask/);
    },
  );
});

describe("the words", () => {
  const menu = menuConsentContext();
  const headless: ConsentContext = { ...menu, menu: false, execute: true, interactive: false };

  it("says why an unparseable command is blocked without a terminal", () => {
    const decision = decideConsent(
      verdict("moderate", "moderate", "none", "unchecked-headless"),
      undefined,
      headless,
    );
    expect(decision).toMatchObject({
      action: "refuse",
      exitCode: 3,
      reason: "blocked: the command could not be parsed and there is no terminal to confirm it",
    });
  });

  it("names critical, and the mode that blocks", () => {
    expect(decideConsent(verdict("critical", "permissive", "none", "checked"), undefined, menu).reason).toBe(
      "blocked: critical-risk commands never run",
    );
    expect(
      decideConsent(verdict("high", "strict", "none", "checked"), undefined, { ...menu, mode: "strict" })
        .reason,
    ).toBe("blocked: the strict safety mode never runs high-risk commands");
  });

  it("says what the preview counted, or what the rule says", () => {
    expect(
      decideConsent(verdict("moderate", "moderate", "preview", "checked"), preview(30), menu),
    ).toMatchObject({
      action: "askKey",
      reason: "it deletes 30 files (1 kB) in ./build",
    });
    expect(decideConsent(verdict("moderate", "moderate", "rule", "checked"), undefined, menu).reason).toBe(
      "it deletes files",
    );
    expect(decideConsent(verdict("high", "moderate", "preview", "checked"), preview(3), menu).reason).toBe(
      "it is rated high risk and deletes 3 files (1 kB) in ./build",
    );
  });

  it("says how to run it when -x has no terminal to ask", () => {
    expect(
      decideConsent(verdict("moderate", "moderate", "rule", "checked"), undefined, headless).reason,
    ).toBe(
      "not run: it deletes files, it needs your confirmation and there is no terminal to ask (-y answers yes)",
    );
  });

  it("a safe command that the preview says changes files needs a key; a preview of nothing does not", () => {
    expect(
      consentRequirement(verdict("safe", "moderate", "none", "checked"), preview(2), "moderate"),
    ).toEqual({
      requirement: "key",
      reason: "it deletes 2 files (1 kB) in ./build",
    });
    const nothing = { ...preview(0), totals: { files: 0, directories: 0, bytes: 0, tracked: 0 } };
    expect(
      consentRequirement(verdict("safe", "moderate", "none", "checked"), nothing, "moderate").requirement,
    ).toBe("none");
  });
});

describe("previewCountedAnything", () => {
  const nothing = { ...preview(0), targets: [], totals: { files: 0, directories: 0, bytes: 0, tracked: 0 } };
  it.each([
    ["no preview", undefined, false],
    ["nothing counted", nothing, false],
    ["files counted", preview(1), true],
    ["a word it cannot know", { ...nothing, unresolved: ["$TARGET"] }, true],
    ["an unreadable folder", { ...nothing, unreadable: ["./secret"] }, true],
    ["a count cut short", { ...nothing, truncated: true }, true],
  ])("%s → %s", (_name, value, expected) => {
    expect(previewCountedAnything(value)).toBe(expected);
  });
});

describe("declinedExitCode", () => {
  it("is 3 for a refused command and 4 for one that was not confirmed", () => {
    const context = menuConsentContext();
    expect(
      declinedExitCode(decideConsent(verdict("critical", "moderate", "none", "checked"), undefined, context)),
    ).toBe(3);
    expect(
      declinedExitCode(decideConsent(verdict("safe", "moderate", "none", "checked"), undefined, context)),
    ).toBe(4);
    expect(
      declinedExitCode(decideConsent(verdict("high", "moderate", "none", "checked"), undefined, context)),
    ).toBe(4);
  });
});

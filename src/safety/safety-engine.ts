/**
 * The safety engine: `await createSafetyEngine(policy)` once, then `engine.assess(command, { shell })` for each
 * command, synchronously. It parses the command with the bash grammar (or tokenises PowerShell/cmd), unwraps
 * wrappers, judges every simple command with the rules in `rules/`, takes the worst verdict, applies the intent
 * check, the user's rules and allowlist, and maps the level to a decision for the mode. Levels follow the rubric
 * in `src/safety/README.md`.
 */
import type { ShellName } from "../shells.js";
import { decide, stricterDecision } from "./decide.js";
import { isReadOnlyRequest } from "./intent.js";
import type { SafetyPolicy } from "./policy.js";
import { normaliseLookAlikes } from "./unicode-normaliser.js";
import { deferredBashParser, loadBashParser, ParserNotLoadedError, type BashParser } from "./shell-parser.js";
import {
  compileAllowlist,
  compileUserRules,
  normaliseCommandText,
  type CompiledAllowEntry,
  type CompiledUserRule,
} from "./user-policy.js";
import { judgeWindowsScript, type WindowsScriptOptions } from "./windows-commands.js";
import { ScriptJudge, type CommandVerdict, type Finding } from "./script-judge.js";
import {
  RISK_LEVELS,
  riskRank,
  type Assessment,
  type Decision,
  type RiskLevel,
  type RiskReason,
  type SafetyMode,
} from "./types.js";

/** Commands longer than this are judged, but need a person: at least confirm, block without a terminal. */
export const MAXIMUM_COMMAND_LENGTH = 10_000;
/** Commands longer than this are not judged at all: high, and always blocked. */
export const MAXIMUM_JUDGED_LENGTH = 1_000_000;

/** Options of one assessment. */
export interface AssessOptions {
  /** The shell the command is for. */
  shell: ShellName;
  /** The plain-language request that produced the command, for the intent check. */
  request?: string | undefined;
  /** Whether a person can be asked. Default true; false makes unparseable, too long or binary input block. */
  interactive?: boolean | undefined;
  /** Overrides the policy's mode for this call. */
  mode?: SafetyMode | undefined;
}

/** A ready engine. `assess` is pure and synchronous. */
export interface SafetyEngine {
  readonly mode: SafetyMode;
  assess(command: string, options: AssessOptions): Assessment;
  /** Like `assess`, but first loads the grammar when the engine was created with `deferParser` and needs it. */
  assessWhenReady(command: string, options: AssessOptions): Promise<Assessment>;
}

/**
 * Loads the bash grammar once (about 40 ms) and compiles the policy. Throws ConfigError on a bad pattern.
 * With `deferParser`, the grammar loads only when a command needs it: use {@link SafetyEngine.assessWhenReady}
 * then, since `assess` cannot wait.
 */
export async function createSafetyEngine(
  policy: SafetyPolicy = {},
  options: { deferParser?: boolean } = {},
): Promise<SafetyEngine> {
  const deferred = options.deferParser === true ? deferredBashParser() : undefined;
  const parser: BashParser = deferred ?? (await loadBashParser());
  return new Engine(
    parser,
    deferred === undefined ? () => Promise.resolve() : deferred.load,
    policy.mode ?? "moderate",
    compileUserRules(policy.rules ?? []),
    compileAllowlist(policy.allow ?? []),
  );
}

class Engine implements SafetyEngine {
  private readonly judge: ScriptJudge;

  constructor(
    parser: BashParser,
    private readonly loadParser: () => Promise<void>,
    readonly mode: SafetyMode,
    userRules: CompiledUserRule[],
    private readonly allowlist: CompiledAllowEntry[],
  ) {
    this.judge = new ScriptJudge(parser, userRules);
  }

  async assessWhenReady(command: string, options: AssessOptions): Promise<Assessment> {
    try {
      return this.assess(command, options);
    } catch (error) {
      if (!(error instanceof ParserNotLoadedError)) throw error;
      await this.loadParser();
      return this.assess(command, options);
    }
  }

  assess(command: string, options: AssessOptions): Assessment {
    const mode = options.mode ?? this.mode;
    const interactive = options.interactive ?? true;
    const checks = inputChecks(command);
    const findings: Finding[] = [...checks.findings];
    let failClosed = checks.findings.length > 0;
    if (checks.tooLongToJudge) {
      return {
        level: "high",
        decision: "block",
        reasons: toReasons(findings, "high"),
      };
    }
    const normalised = normaliseLookAlikes(command);
    if (normalised.suspicious) {
      failClosed = true;
      findings.push({
        rule: "unicode-lookalike",
        level: "moderate",
        message:
          "The command contains look-alike Unicode characters or invisible spaces, so it may not do what it appears to do.",
        saferAlternative: "retype the command in plain ASCII",
      });
    }
    const judged = this.judgeText(normalised.text, options.shell);
    findings.push(...judged.findings);
    if (judged.failClosed) failClosed = true;
    let level = maximumLevel(findings);
    if (
      options.request !== undefined &&
      level !== "safe" &&
      level !== "critical" &&
      isReadOnlyRequest(options.request)
    ) {
      level = RISK_LEVELS[riskRank(level) + 1] ?? level;
      findings.push({
        rule: "intent-mismatch",
        level,
        message: `You asked only to look ("${options.request.trim().slice(0, 60)}"), but this command changes or deletes things, so its risk was raised one level.`,
      });
    }
    // The allowlist applies to each simple command: a line is allowed only when every command in it is, and the
    // checks that fail closed (unparseable, look-alikes, binary, too long) still apply after it.
    const allowed = this.allowlist.length > 0 ? this.allowedBy(judged.commands) : undefined;
    if (allowed !== undefined) {
      const reasons: RiskReason[] = [
        { rule: "allowlist", message: `Allowed by your allowlist entry ${JSON.stringify(allowed)}.` },
        ...toReasons(
          findings.filter((finding) => FAIL_CLOSED_RULES.has(finding.rule)),
          "moderate",
        ),
      ];
      const decision: Decision = failClosed ? (interactive ? "confirm" : "block") : "allow";
      return { level: "safe", decision, reasons };
    }
    let decision: Decision = decide(level, mode);
    if (failClosed) decision = stricterDecision(decision, interactive ? "confirm" : "block");
    return { level, decision, reasons: toReasons(findings, level) };
  }

  /** The findings of a whole text in its shell, with the verdict on each simple command. */
  private judgeText(
    text: string,
    shell: ShellName,
  ): { findings: Finding[]; failClosed: boolean; commands: CommandVerdict[] } {
    const judgePosix = (script: string): Finding[] => this.judge.judgeScript(script, "bash").findings;
    if (shell === "powershell" || shell === "cmd") {
      const windows = judgeWindowsShell(text, shell, { judgePosix });
      const findings = [...windows.findings];
      if (!windows.balanced) findings.push(UNBALANCED);
      return { findings, failClosed: !windows.balanced, commands: windows.commands };
    }
    const result = this.judge.judgeScript(text, shell);
    // A Windows command judged as bash (a pasted PowerShell line, `check` without --shell) only looks unknown
    // or unparseable to the bash rules: judge it as PowerShell and cmd as well. When bash knew nothing about
    // it, the Windows verdict stands; otherwise only its dangers are added (the most restrictive wins).
    const windows = looksLikeWindowsCommand(text) ? judgeAsWindows(text, judgePosix) : undefined;
    if (windows === undefined) return result;
    const bashKnewNothing = result.findings.every(
      (finding) => finding.rule === "unknown-command" || finding.rule === "unparseable",
    );
    if (bashKnewNothing) {
      const findings = [...windows.findings];
      if (!windows.balanced) findings.push(UNBALANCED);
      return { findings, failClosed: !windows.balanced, commands: windows.commands };
    }
    return {
      findings: [
        ...result.findings,
        ...windows.findings.filter((finding) => riskRank(finding.level) >= riskRank("high")),
      ],
      failClosed: result.failClosed,
      commands: result.commands,
    };
  }

  /** The entry that allows every simple command of the line (critical ones only with allow_critical), or none. */
  private allowedBy(commands: readonly CommandVerdict[]): string | undefined {
    if (commands.length === 0) return undefined;
    let first: string | undefined;
    for (const command of commands) {
      const text = normaliseCommandText(command.text);
      const entry = this.allowlist.find(
        (candidate) => candidate.matches(text) && (command.level !== "critical" || candidate.allowCritical),
      );
      if (entry === undefined) return undefined;
      first ??= entry.source;
    }
    return first;
  }
}

/** Findings that mean the engine could not fully read the input; they stand even for allowlisted commands. */
const FAIL_CLOSED_RULES = new Set([
  "binary-input",
  "too-long",
  "invalid-utf8",
  "unicode-lookalike",
  "unparseable",
  "nesting-too-deep",
]);

const UNBALANCED: Finding = {
  rule: "unparseable",
  level: "moderate",
  message: "The command has unbalanced quotes or brackets, so it cannot be fully checked.",
};

/**
 * Checks on the raw input before it is parsed: control characters, invalid UTF-8 (decoded as U+FFFD or left as
 * lone surrogates), and length. Everything up to {@link MAXIMUM_JUDGED_LENGTH} is judged in full (longer than
 * {@link MAXIMUM_COMMAND_LENGTH} still needs a person); beyond that the input is blocked, never half-judged.
 */
function inputChecks(command: string): { findings: Finding[]; tooLongToJudge: boolean } {
  const findings: Finding[] = [];
  // eslint-disable-next-line no-control-regex -- control characters are exactly what binary input contains
  if (/[\x00-\x08\x0B\x0C\x0E-\x1A\x1C-\x1F\x7F]/.test(command)) {
    findings.push({
      rule: "binary-input",
      level: "moderate",
      message: "The command contains control or binary characters that can hide what it does.",
    });
  }
  if (/\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(command)) {
    findings.push({
      rule: "invalid-utf8",
      level: "moderate",
      message: "The command is not valid UTF-8 text, so what it does cannot be read with certainty.",
    });
  }
  if (command.length > MAXIMUM_JUDGED_LENGTH) {
    findings.push({
      rule: "too-long",
      level: "high",
      message: `The command is ${command.length} characters long, more than cmdai judges (${MAXIMUM_JUDGED_LENGTH}); it is blocked rather than judged in part.`,
    });
    return { findings, tooLongToJudge: true };
  }
  if (command.length > MAXIMUM_COMMAND_LENGTH) {
    findings.push({
      rule: "too-long",
      level: "moderate",
      message: `The command is ${command.length} characters long, too long to review safely.`,
    });
  }
  return { findings, tooLongToJudge: false };
}

/** PowerShell cmdlets (Verb-Noun), drive paths, or Windows-only tools with `/x` switches. */
const WINDOWS_SIGNS = [
  /(?:^|[\s;|&(])[A-Z][a-z]+-[A-Z][A-Za-z]+\b/,
  /(?:^|[\s"'=])[A-Za-z]:(?:[\\/]|\s|$)/,
  /(?:^|[\s;|&])(?:del|erase|rd|rmdir|format|vssadmin|bcdedit|diskpart|wbadmin|cipher|takeown|icacls|cacls|reg|wmic|schtasks|sc|netsh|shutdown|attrib|robocopy)(?:\.exe)?(?:\s+[^|;&]*?)?\s\/[A-Za-z?]/i,
  /\b(?:iex|Invoke-Expression|iwr|Invoke-WebRequest|irm|Invoke-RestMethod|DownloadString)\b/,
];

/** Whether text reads like a PowerShell or cmd command rather than a POSIX one. */
export function looksLikeWindowsCommand(text: string): boolean {
  return WINDOWS_SIGNS.some((sign) => sign.test(text));
}

/** Judges a script for one Windows shell (`windows/`); unbalanced PowerShell or cmd is high unless told otherwise. */
function judgeWindowsShell(
  text: string,
  shell: "powershell" | "cmd",
  options: WindowsScriptOptions,
): { findings: Finding[]; balanced: boolean; commands: CommandVerdict[] } {
  return judgeWindowsScript(text, shell, options);
}

/**
 * The same text judged as PowerShell and as cmd: every high or critical finding of either; when there is none,
 * the verdict of the judge that rates it lower (the one that recognises a read-only command as such).
 */
function judgeAsWindows(
  text: string,
  judgePosix: (script: string) => Finding[],
): {
  findings: Finding[];
  balanced: boolean;
  commands: CommandVerdict[];
} {
  // Text pasted into bash may only look like Windows: its unbalanced quotes are bash's to judge.
  const options: WindowsScriptOptions = { unbalancedLevel: null, judgePosix };
  const powershellVerdict = judgeWindowsShell(text, "powershell", options);
  const cmdVerdict = judgeWindowsShell(text, "cmd", options);
  const balanced = powershellVerdict.balanced && cmdVerdict.balanced;
  const powershell = powershellVerdict.findings;
  const cmd = cmdVerdict.findings;
  const dangers = [...powershell, ...cmd].filter((finding) => riskRank(finding.level) >= riskRank("high"));
  if (dangers.length > 0) return { findings: dangers, balanced, commands: powershellVerdict.commands };
  const powershellWins = riskRank(maximumLevel(powershell)) <= riskRank(maximumLevel(cmd));
  return {
    findings: powershellWins ? powershell : cmd,
    balanced,
    commands: powershellWins ? powershellVerdict.commands : cmdVerdict.commands,
  };
}

function maximumLevel(findings: readonly Finding[]): RiskLevel {
  let rank = 0;
  for (const finding of findings) rank = Math.max(rank, riskRank(finding.level));
  return RISK_LEVELS[rank] ?? "safe";
}

/** Reasons worst first, one per rule id; safe findings are left out. */
function toReasons(findings: readonly Finding[], level: RiskLevel): RiskReason[] {
  if (level === "safe")
    return findings
      .filter((finding) => finding.level === "safe" && finding.rule !== "read-only")
      .map(toReason);
  const seen = new Set<string>();
  const reasons: RiskReason[] = [];
  const sorted = [...findings].sort((first, second) => riskRank(second.level) - riskRank(first.level));
  for (const finding of sorted) {
    if (finding.level === "safe") continue;
    const key = `${finding.rule}\u0000${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    reasons.push(toReason(finding));
    if (reasons.length >= 8) break;
  }
  return reasons;
}

function toReason(finding: Finding): RiskReason {
  const reason: RiskReason = { rule: finding.rule, level: finding.level, message: finding.message };
  if (finding.saferAlternative !== undefined) reason.saferAlternative = finding.saferAlternative;
  return reason;
}

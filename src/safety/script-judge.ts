/**
 * Judges a POSIX-family script: parse, extract every simple command, unwrap, run the rules, and recurse into the
 * scripts that wrappers, here-docs and inline interpreters carry.
 */
import type { ShellName } from "../shells.js";
import { extractCommands, type SimpleCommand } from "./command-extractor.js";
import { commandName, operands } from "./command-words.js";
import { lexSimpleScript } from "./fast-lexer.js";
import { analyseFind, judgeFindDelete } from "./find-command.js";
import { classifyPath } from "./path-classes.js";
import { READ_ONLY_COMMANDS, READ_ONLY_SUBCOMMANDS } from "./read-only-commands.js";
import { BUILT_IN_RULES, indexRules } from "./rules/all-rules.js";
import { isShellOrInterpreter, judgeRedirect, scriptRules, SHELL_NAMES } from "./rules/network-rules.js";
import type { CommandContext, SafetyRule } from "./rules/rule.js";
import type { BashParser } from "./shell-parser.js";
import { riskRank, type RiskLevel } from "./types.js";
import { unwrapCommand } from "./unwrap.js";
import type { CompiledUserRule } from "./user-policy.js";
import { judgeCmd, judgePowerShell, tokeniseWindows } from "./windows-commands.js";

/** One reason with its level, before reasons are merged. */
export interface Finding {
  rule: string;
  level: RiskLevel;
  message: string;
  saferAlternative?: string;
}

interface Inherited {
  elevated: boolean;
  remote: boolean;
  depth: number;
}

const MAXIMUM_DEPTH = 6;
const RULE_INDEX = indexRules(BUILT_IN_RULES);
const WILDCARD_RULES = RULE_INDEX.get("*") ?? [];
const REMOTE_IN_SCRIPT = /(\$\(|`|<\()\s*(curl|wget|fetch|iwr|irm)\b/;
const DECODED_IN_SCRIPT =
  /(\$\(|`|<\()[^)`]*\b(base64\s+(-d|--decode|-D)|xxd\s+-r|openssl\s+(enc\s+)?-?base64\s+-d|rev\b|gunzip|zcat)/;

/** The judge of POSIX-family scripts; holds the parser and the user's rules. */
export class ScriptJudge {
  constructor(
    private readonly parser: BashParser,
    private readonly userRules: readonly CompiledUserRule[],
  ) {}

  /** Judges a whole script. `failClosed` is true when it could not be parsed or nests too deep. */
  judgeScript(text: string, shell: ShellName): { findings: Finding[]; failClosed: boolean } {
    const findings: Finding[] = [];
    const failClosed = this.judgeNested(text, shell, { elevated: false, remote: false, depth: 0 }, findings);
    return { findings, failClosed };
  }

  private judgeNested(text: string, shell: ShellName, inherited: Inherited, findings: Finding[]): boolean {
    if (inherited.depth > MAXIMUM_DEPTH) {
      findings.push({
        rule: "nesting-too-deep",
        level: "high",
        message: "The command nests scripts inside scripts too deeply to check.",
      });
      return true;
    }
    // Whole-script patterns look only outside quotes: `echo ':(){ :|:& };:'` merely mentions a fork bomb.
    const unquoted = scriptRules.some((rule) => rule.trigger.test(text))
      ? text.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, "''")
      : "";
    for (const rule of scriptRules) {
      if (unquoted !== "" && rule.pattern.test(unquoted))
        findings.push({ rule: rule.id, level: rule.level, message: rule.message });
    }
    let failClosed = false;
    // Most commands are plain words, quotes, pipes and lists: the fast lexer gives the same commands as the parser.
    let commands: SimpleCommand[] | undefined = lexSimpleScript(text);
    if (commands === undefined) {
      const tree = this.parser.parse(text);
      if (!tree) {
        findings.push({
          rule: "unparseable",
          level: "moderate",
          message: "The command could not be parsed, so it cannot be fully checked.",
        });
        return true;
      }
      try {
        const extracted = extractCommands(tree.rootNode);
        commands = extracted.commands;
        if (extracted.hasError) {
          if (shell === "fish") {
            commands = fishFallback(text);
          } else {
            failClosed = true;
            findings.push({
              rule: "unparseable",
              level: "moderate",
              message: "The command is not valid shell syntax, so it cannot be fully checked.",
            });
          }
        }
      } finally {
        tree.delete();
      }
    }
    let directory: string | undefined;
    for (const command of commands) {
      const judged = directory === undefined ? command : inDirectory(command, directory);
      if (this.judgeCommand(judged, shell, inherited, findings)) failClosed = true;
      if (commandName(command.argv[0] ?? "") === "cd") directory = rootDirectoryOf(command.argv[1]);
    }
    return failClosed;
  }

  /** Judges one simple command; returns whether a nested script failed to parse. */
  private judgeCommand(
    command: SimpleCommand,
    shell: ShellName,
    inherited: Inherited,
    findings: Finding[],
  ): boolean {
    for (const redirect of command.redirects) {
      const found = judgeRedirect(redirect.operator, redirect.target);
      if (found) findings.push(found);
    }
    if (command.argv.length === 0) return false;
    const unwrapped = unwrapCommand(command.argv);
    const elevated = inherited.elevated || unwrapped.elevated;
    const nested: Inherited = {
      elevated,
      remote: inherited.remote || unwrapped.remote,
      depth: inherited.depth + 1,
    };
    let failClosed = false;
    for (const script of unwrapped.scripts) {
      if (REMOTE_IN_SCRIPT.test(script)) {
        findings.push(
          elevated
            ? {
                rule: "remote-script-root-shell",
                level: "critical",
                message: "Downloads a script and runs it as root without showing it to you first.",
                saferAlternative: "download it to a file, read it, then run it",
              }
            : {
                rule: "remote-script",
                level: "high",
                message: "Downloads a script and runs it straight away, without showing it to you first.",
                saferAlternative: "download it to a file (`curl -o install.sh URL`), read it, then run it",
              },
        );
      }
      if (DECODED_IN_SCRIPT.test(script)) {
        findings.push({
          rule: "decoded-payload",
          level: "high",
          message: "Decodes a hidden payload and runs it; cmdai cannot see what it does.",
          saferAlternative: "decode it to a file and read it first",
        });
      }
      if (this.judgeNested(script, shell === "fish" ? "bash" : shell, nested, findings)) failClosed = true;
    }
    for (const script of unwrapped.windowsScripts) {
      const tokens = tokeniseWindows(script.text, script.dialect);
      tokens.statements.forEach((statement, index) => {
        findings.push(
          ...(script.dialect === "cmd"
            ? judgeCmd(statement)
            : judgePowerShell(statement, tokens.statements[index - 1])),
        );
      });
    }
    if (unwrapped.remote && command.stdinFrom.length > 0) {
      // `tar cz ~/.ssh | ssh host 'cat > x'`: what flows into ssh leaves the machine.
      const sender: CommandContext = {
        name: "ssh",
        args: [],
        redirects: [],
        stdinFrom: command.stdinFrom,
        stdinText: command.stdinText,
        elevated,
        remote: true,
      };
      for (const rule of RULE_INDEX.get("ssh") ?? [])
        if (rule.matches?.(sender) === true) findings.push(findingOf(rule, sender));
    }
    if (unwrapped.forkBomb) {
      findings.push({
        rule: "fork-bomb",
        level: "critical",
        message: "A fork bomb: it copies itself until the machine runs out of processes and freezes.",
      });
    }
    if (unwrapped.reverseShell) {
      findings.push({
        rule: "reverse-shell",
        level: "critical",
        message:
          "Inline code opens a network connection and hands it a shell: someone else would control this machine.",
      });
    }
    if (unwrapped.opaqueCode !== undefined) {
      findings.push({
        rule: "inline-code",
        level: "moderate",
        message: `Runs inline ${unwrapped.opaqueCode} code.`,
      });
    }
    // `echo / | xargs rm -rf`, `xargs rm -rf <<< "/"`: when xargs's input is known, judge the words it would pass.
    const xargsInput = unwrapped.wrappers.includes("xargs") ? command.stdinText?.trim() : undefined;
    const argv = xargsInput
      ? unwrapped.argv.flatMap((word) => (word === "{}" ? xargsInput.split(/\s+/) : [word]))
      : unwrapped.argv;
    const first = argv[0];
    if (first === undefined) return failClosed;
    const args = argv.slice(1);
    const written = commandName(first);
    // `nc.traditional`, `mkfs.ext4`, `python3.12`: rules for the base name apply under it.
    const dot = written.indexOf(".");
    const base = dot > 0 ? written.slice(0, dot) : written;
    const name = RULE_INDEX.has(written) || !RULE_INDEX.has(base) ? written : base;
    const context: CommandContext = {
      name,
      args,
      redirects: command.redirects,
      stdinFrom: command.stdinFrom.map((argv) => unwrapCommand(argv).argv),
      stdinText: command.stdinText,
      elevated,
      remote: nested.remote,
    };
    if (name === "find") {
      const analysis = analyseFind(args);
      if (analysis.deletes)
        findings.push({
          rule: "find-delete",
          ...judgeFindDelete(analysis),
          saferAlternative: "run the same find without -delete first to see what it matches",
        });
      if (analysis.writesFiles)
        findings.push({ rule: "file-write", level: "moderate", message: "Writes the results to a file." });
      for (const execution of analysis.executions) {
        const inner: SimpleCommand = { argv: execution, redirects: [], stdinFrom: [], stdinText: undefined };
        if (this.judgeCommand(inner, shell, { ...inherited, elevated }, findings)) failClosed = true;
      }
      return failClosed;
    }
    // `at now <<< 'reboot'`, `batch < job.sh`: at and batch run their input as a shell script later.
    const scheduler = name === "at" || name === "batch";
    if (
      command.stdinText !== undefined &&
      (scheduler || (isShellOrInterpreter(name) && runsScriptFromStdin(name, args)))
    ) {
      if (this.judgeNested(command.stdinText, shell, nested, findings)) failClosed = true;
    }
    // `rm --help`, `mkfs --version`: only prints; no rule about what the command would do applies.
    if (args.length > 0 && args.every((word) => HELP_OR_VERSION.test(word))) {
      findings.push({
        rule: "read-only",
        level: "safe",
        message: `${name} only prints its version or help.`,
      });
      return failClosed;
    }
    const own: Finding[] = [];
    const rules = RULE_INDEX.get(name) ?? [];
    for (const rule of rules) {
      if (rule.matches === undefined || rule.matches(context)) own.push(findingOf(rule, context));
    }
    for (const rule of WILDCARD_RULES) {
      if (rule.matches === undefined || rule.matches(context)) own.push(findingOf(rule, context));
    }
    for (const rule of this.userRules) {
      if (rule.command === name && (rule.pattern === undefined || rule.pattern.test(args.join(" ")))) {
        own.push({
          rule: rule.id,
          level: rule.level,
          message: rule.message,
          ...(rule.saferAlternative === undefined ? {} : { saferAlternative: rule.saferAlternative }),
        });
      }
    }
    if (own.length === 0) own.push(baseline(name, args, unwrapped.scripts.length > 0));
    const worst = Math.max(...own.map((finding) => riskRank(finding.level)));
    findings.push(...own.filter((finding) => riskRank(finding.level) === worst));
    return failClosed;
  }
}

function runsScriptFromStdin(name: string, args: readonly string[]): boolean {
  if (SHELL_NAMES.has(name))
    return operands(args, ["-o", "+o"]).filter((word) => word !== "-s" && word !== "-").length === 0;
  return operands(args).filter((word) => word !== "-").length === 0;
}

function findingOf(rule: SafetyRule, context: CommandContext): Finding {
  const message = typeof rule.message === "string" ? rule.message : rule.message(context);
  return rule.saferAlternative === undefined
    ? { rule: rule.id, level: rule.level, message }
    : { rule: rule.id, level: rule.level, message, saferAlternative: rule.saferAlternative };
}

const DESTRUCTIVE_VERB =
  /^(deleteall|rdelete|deletefile|(?:\w+[-_:]){0,2}(delete|deletion|destroy|purge|drop|erase|wipe|truncate|flush|flushall|flushdb|terminate|deregister|unregister|revoke|nuke)(?:[-_:]\w+)*)$/i;

const HELP_OR_VERSION = /^(--version|--help|-help)$/;
const DELETE_FLAG = /^--(delete|purge|drop|destroy|force-delete|wipe)(-\w+)*$/;

const READ_VERB =
  /^(list|ls|describe|show|get|status|info|inspect|view|search|check|diagnostics|ping|version|whoami|top|stats|logs?|history|tree|diff|explain|validate|lint|(list|describe|get|show)[-_]\w+|--list|--describe|--version|--help|-l|-h)$/;

/** An unknown tool used only to list or describe (`rabbitmqctl list_users`, `kafka-topics --describe`). */
function readsOnly(args: readonly string[]): boolean {
  let seen = 0;
  for (const word of args) {
    if (/^--(list|describe)$/.test(word))
      return !args.some((other) => /^--(delete|create|alter|remove|add|reset|execute)/.test(other));
    if (word.startsWith("-")) continue;
    if (READ_VERB.test(word)) return true;
    if (++seen >= 2) return false;
  }
  return false;
}

/** A subcommand such as `delete`, `secrets delete`, `delete_vhost`, `--delete` in an unknown tool. */
function destructiveVerb(args: readonly string[]): string | undefined {
  let seen = 0;
  for (const word of args) {
    if (DELETE_FLAG.test(word)) return word;
    if (word.startsWith("-")) continue;
    if (DESTRUCTIVE_VERB.test(word)) return word;
    if (++seen >= 3) return undefined;
  }
  return undefined;
}

/** The verdict when no rule matched: safe for known read-only commands, moderate otherwise. */
/** After `cd /` or `cd ~`, the words `*` and `.` mean that folder; rewrite them so the rules see it. */
function rootDirectoryOf(target: string | undefined): string | undefined {
  if (target === undefined || target === "~" || target === "$HOME") return "~";
  return classifyPath(target) === "root" ? target.replace(/\/+$/, "") || "/" : undefined;
}

function inDirectory(command: SimpleCommand, directory: string): SimpleCommand {
  const prefix = directory === "/" ? "" : directory;
  const argv = command.argv.map((word, index) =>
    index > 0 && /^(\.\/?|\*|\.\/\*|\.\*)$/.test(word)
      ? word.includes("*")
        ? `${prefix}/*`
        : directory
      : word,
  );
  return { ...command, argv };
}

function serviceDelete(name: string, verb: string): Finding {
  return {
    rule: "service-delete",
    level: "high",
    message: `Runs ${name} ${verb}: it deletes or purges data that the service may not be able to restore.`,
    saferAlternative: "list or back up what would be deleted first, and use the tool's dry-run option",
  };
}

function baseline(name: string, args: readonly string[], carriesScript: boolean): Finding {
  if (args.length > 0 && args.every((word) => /^(--version|-V|--help|-h|-help|version|help)$/.test(word))) {
    return { rule: "read-only", level: "safe", message: `${name} only prints its version or help.` };
  }
  const subcommands = Object.hasOwn(READ_ONLY_SUBCOMMANDS, name) ? READ_ONLY_SUBCOMMANDS[name] : undefined;
  if (subcommands !== undefined) {
    const text = args
      .filter((word, index) => index > 0 || !word.startsWith("-") || /^-[LSnv]/.test(word))
      .join(" ");
    if (subcommands.test(text) || subcommands.test(args.join(" ")))
      return { rule: "read-only", level: "safe", message: `${name} only reads here.` };
    return {
      rule: "state-change",
      level: "moderate",
      message: `Changes state (${name} ${args.slice(0, 2).join(" ")}).`.replace(" )", ")"),
    };
  }
  if (READ_ONLY_COMMANDS.has(name))
    return { rule: "read-only", level: "safe", message: `${name} only reads.` };
  if (readsOnly(args))
    return { rule: "read-only", level: "safe", message: `${name} only lists or describes here.` };
  const verb = destructiveVerb(args);
  if (verb !== undefined) return serviceDelete(name, verb);
  if (carriesScript || SHELL_NAMES.has(name)) {
    const script = args.find((word) => !word.startsWith("-"));
    return script === undefined
      ? { rule: "read-only", level: "safe", message: `${name} runs the scripts judged above.` }
      : {
          rule: "runs-script",
          level: "moderate",
          message: `Runs the script ${script}, whose contents cmdai cannot see.`,
          saferAlternative: "read the script before running it",
        };
  }
  return {
    rule: "unknown-command",
    level: "moderate",
    message: `Runs ${name}, a program cmdai does not know; check what it does.`,
  };
}

/** Fish syntax the bash grammar rejects: split at `;`, `|`, `&&`, `||`, `and`, `or`, `(…)`, and judge each part. */
function fishFallback(text: string): SimpleCommand[] {
  const { statements } = tokeniseWindows(text.replace(/\(/g, " ; ").replace(/\)/g, " ; "), "cmd");
  const commands: SimpleCommand[] = [];
  let previous: string[] | undefined;
  for (const statement of statements) {
    let words = statement.words;
    while (["and", "or", "not", "begin", "end", "command", "builtin"].includes(words[0] ?? ""))
      words = words.slice(1);
    if (words.length === 0) continue;
    commands.push({
      argv: words,
      redirects: [],
      stdinFrom: previous ? [previous] : [],
      stdinText: undefined,
    });
    previous = statement.pipedToNext ? words : undefined;
  }
  return commands;
}

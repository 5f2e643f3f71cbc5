/**
 * Judges a POSIX-family script: parse, extract every simple command, unwrap, run the rules, and recurse into the
 * scripts that wrappers, here-docs, inline interpreters and code-running options carry. What cannot be
 * determined — a command name computed at run time, code handed over in a variable, a payload it cannot decode —
 * is rated by the worst it could be.
 */
import type { ShellName } from "../shells.js";
import { extractCommands, type Assignment, type Redirect, type SimpleCommand } from "./command-extractor.js";
import { commandName, operands } from "./command-words.js";
import { conventionalProgram, judgeDynamicCommand, worstCaseClass } from "./dynamic-commands.js";
import type { EmbeddedCode } from "./code-dialects.js";
import { codeInInput } from "./command-languages.js";
import { embeddedCode } from "./embedded-code.js";
import { judgeAssignments } from "./environment-assignments.js";
import { plainCommands, plainWordList } from "./fast-lexer.js";
import { analyseFind, judgeFindDelete } from "./find-command.js";
import { fishCommands } from "./fish-commands.js";
import { judgeProgram, textToolProgram, type CodeVerdict } from "./interpreters/program-commands.js";
import { writtenFiles } from "./output-arguments.js";
import { classifyPath, describeTarget } from "./path-classes.js";
import { READ_ONLY_COMMANDS, READ_ONLY_SUBCOMMANDS } from "./read-only-commands.js";
import { judgeByCatalogue, SHORT_HELP } from "./catalogue/catalogue.js";
import { BUILT_IN_RULES, indexRules } from "./rules/all-rules.js";
import { isShellOrInterpreter, judgeRedirect, scriptRules, SHELL_NAMES } from "./rules/network-rules.js";
import type { CommandContext, SafetyRule } from "./rules/rule.js";
import type { BashParser } from "./shell-parser.js";
import { textOutput } from "./static-text.js";
import { riskRank, type RiskLevel } from "./types.js";
import { zshAsBash } from "./zsh-dialect.js";
import { READ_ONLY_SHELL_BUILTINS } from "./shell-builtins.js";
import { interactiveRootSession, machineRootShell } from "./root-sessions.js";
import { interpreterLanguage, unwrapCommand, type UnwrappedCommand } from "./unwrap.js";
import type { CompiledUserRule } from "./user-policy.js";
import { judgeCmd, judgePowerShell, tokeniseWindows } from "./windows-commands.js";
import { inDirectory, rootDirectoryOf } from "./working-directory.js";
import { judgeWriteTarget } from "./write-target.js";

/** One reason with its level, before reasons are merged. */
export interface Finding {
  rule: string;
  level: RiskLevel;
  message: string;
  saferAlternative?: string;
}

/** The verdict on one simple command of a script, for the allowlist (which applies per simple command). */
export interface CommandVerdict {
  /** The command's words as written after normalisation (wrappers included). */
  text: string;
  /** The worst level of the findings this command produced, including what it carries. */
  level: RiskLevel;
}

interface Inherited {
  elevated: boolean;
  remote: boolean;
  depth: number;
  /** Aliases defined earlier, which `eval` and nested scripts of the same shell expand too. */
  aliases?: Map<string, string>;
}

const MAXIMUM_DEPTH = 6;
const RULE_INDEX = indexRules(BUILT_IN_RULES);
const WILDCARD_RULES = RULE_INDEX.get("*") ?? [];
const REMOTE_IN_SCRIPT = /(\$\(|`|<\()\s*(curl|wget|fetch|iwr|irm)\b/;
const DECODED_IN_SCRIPT =
  /(\$\(|`|<\()[^)`]*\b(base64\s+(-d|--decode|-D)|xxd\s+-r|openssl\s+(enc\s+)?-?base64\s+-d|rev\b|gunzip|zcat)/;
const SEARCH_PATH_VARIABLES =
  /^(LD_LIBRARY_PATH|PYTHONPATH|PYTHONHOME|PERL5LIB|PERLLIB|PERL5OPT|RUBYLIB|RUBYOPT|NODE_PATH|NODE_OPTIONS|GEM_PATH|GEM_HOME|CLASSPATH|LUA_PATH|LUA_CPATH|TCLLIBPATH)$/;
const ROOT_USERS = new Set(["root", "0", "#0", "#-1", "#4294967295", undefined]);
/** Commands that destroy or re-permission what they are given: an xargs feeding them from `find /` is judged so. */
/** Commands that delete what they are given: an xargs feeding them from `find /` is judged like `find -delete`. */
const DELETERS = new Set(["rm", "unlink", "rmdir", "shred", "srm"]);
/** Commands that move or re-permission what they are given: critical only for everything under a system folder. */
const CHANGERS = new Set(["chmod", "chown", "chgrp", "mv", "truncate"]);
/** Stages that only pass on a subset of their input, so what reaches xargs is still a part of what find listed. */
const FILTERS = new Set([
  "grep",
  "egrep",
  "fgrep",
  "head",
  "tail",
  "sort",
  "uniq",
  "tr",
  "sed",
  "cut",
  "awk",
  "rg",
]);
const XARGS_INPUT = "$(the input of xargs)";
const WRITE_RULES_FROM_ARGUMENTS = new Set([
  "persistence",
  "persistence-payload",
  "network-redirect",
  "system-file-write",
  "history-wipe",
]);
const DOWNLOADERS = new Set(["curl", "wget", "aria2c", "scp", "rsync", "http", "xh", "ftp", "tftp", "sftp"]);
const UNRESOLVED_WORD = /\$|`/;
/** `$HOME/…`, `${HOME}/…`: a path in the home folder, whatever that folder is. */
const HOME_PATH = /^\$(?:HOME|\{HOME\})(\/[^$`]*)?$/;
/** Findings that say code comes from the network: installed where it runs again, that is critical. */
const REMOTE_PAYLOAD_RULES = new Set(["remote-script", "reverse-shell", "persistence-payload"]);
/** Input that is nothing but a shell expansion (`<<< "$CODE"`, `<<< "$(curl …)"`), as the extractor leaves it. */
const WHOLLY_EXPANDED = /^\s*(?:\$[A-Za-z_]\w*|\$\{[^}]+\}|\$\([\s\S]*\)|`[^`]*`)\s*$/;

/** The judge of POSIX-family scripts; holds the parser and the user's rules. */
export class ScriptJudge {
  constructor(
    private readonly parser: BashParser,
    private readonly userRules: readonly CompiledUserRule[],
  ) {}

  /**
   * Judges a whole script. `failClosed` is true when it could not be parsed or nests too deep; `commands` holds
   * the verdict on each top-level simple command (for the allowlist).
   */
  judgeScript(
    text: string,
    shell: ShellName,
  ): { findings: Finding[]; failClosed: boolean; commands: CommandVerdict[] } {
    const findings: Finding[] = [];
    const commands: CommandVerdict[] = [];
    const failClosed = this.judgeNested(
      text,
      shell,
      { elevated: false, remote: false, depth: 0 },
      findings,
      commands,
    );
    return { findings, failClosed, commands };
  }

  private judgeNested(
    text: string,
    shell: ShellName,
    inherited: Inherited,
    findings: Finding[],
    verdicts?: CommandVerdict[],
  ): boolean {
    if (inherited.depth > MAXIMUM_DEPTH) {
      findings.push({
        rule: "nesting-too-deep",
        level: "high",
        message: "The command nests scripts inside scripts too deeply to check.",
      });
      return true;
    }
    // Whole-script patterns look only outside quotes and comments: `echo ':(){ :|:& };:'` merely mentions one.
    if (scriptRules.some((rule) => rule.trigger.test(text))) {
      const code = stripQuotesAndComments(text);
      for (const rule of scriptRules)
        if (rule.pattern.test(code))
          findings.push({ rule: rule.id, level: rule.level, message: rule.message });
    }
    const extracted = this.extract(text, shell, findings);
    if (extracted === undefined) return true;
    let failClosed = extracted.failClosed;
    for (const name of extracted.forkBombs)
      findings.push({
        rule: "fork-bomb",
        level: "critical",
        message: `A fork bomb: the function ${name} starts copies of itself until the machine runs out of processes and freezes.`,
      });
    for (const code of extracted.evaluatedCode) {
      findings.push({
        rule: "evaluated-code",
        level: "high",
        message:
          "A variable holding a command substitution is evaluated (in arithmetic or a prompt expansion), which runs the code inside it.",
      });
      if (this.judgeNested(code, "bash", { ...inherited, depth: inherited.depth + 1 }, findings))
        failClosed = true;
    }
    let directory: string | undefined;
    const aliases = inherited.aliases ?? new Map<string, string>();
    inherited = { ...inherited, aliases };
    for (const command of extracted.commands) {
      const judged = directory === undefined ? command : inDirectory(command, directory);
      const own: Finding[] = [];
      if (this.judgeCommand(judged, shell, inherited, own, extracted.decodedPayloads)) failClosed = true;
      const schedule = scheduledBy(command.argv);
      if (schedule !== undefined && own.some((finding) => REMOTE_PAYLOAD_RULES.has(finding.rule)))
        own.push({
          rule: "persistence-payload",
          level: "critical",
          message: `Schedules a downloaded script or a remote shell with ${schedule}, so it runs later, unattended.`,
          saferAlternative: "download the script, read it, and schedule the file you checked",
        });
      // An alias defined earlier in the script runs its body when used (`alias ls='rm -rf ~'; ls`).
      const name = command.argv[0] ?? "";
      // zsh suffix aliases (`alias -s txt=…`) run when a file with that extension is typed as a command.
      const body =
        aliases.get(name) ??
        (name.includes(".") ? aliases.get(`*${name.slice(name.lastIndexOf("."))}`) : undefined);
      if (
        body !== undefined &&
        this.judgeNested(body, "bash", { ...inherited, depth: inherited.depth + 1 }, own)
      )
        failClosed = true;
      for (const [alias, defined] of noteAlias(command.argv, aliases)) {
        // A dangerous alias named like a command people type (`ls`, `git`) is a trap for whoever types it next;
        // a new name (`alias cleanup='rm -rf build'`) only saves typing.
        if (!shadowsCommand(alias)) continue;
        const bodyFindings: Finding[] = [];
        this.judgeNested(defined, "bash", { ...inherited, depth: inherited.depth + 1 }, bodyFindings);
        if (riskRank(worstOf(bodyFindings)) >= riskRank("high"))
          own.push({
            rule: "alias-trap",
            level: "high",
            message: `Makes \`${alias}\` run \`${defined}\` from now on, which ${lowerFirst(bodyFindings.find((finding) => riskRank(finding.level) >= riskRank("high"))?.message ?? "is dangerous.")}`,
            saferAlternative: "run the command itself when you mean to, instead of hiding it behind a name",
          });
      }
      findings.push(...own);
      verdicts?.push({ text: command.argv.join(" "), level: worstOf(own) });
      if (commandName(command.argv[0] ?? "") === "cd") directory = rootDirectoryOf(command.argv[1]);
    }
    return failClosed;
  }

  /** The commands of a script, or undefined (after a finding) when it cannot be parsed at all. */
  private extract(
    text: string,
    shell: ShellName,
    findings: Finding[],
  ):
    | {
        commands: SimpleCommand[];
        failClosed: boolean;
        forkBombs: string[];
        evaluatedCode: string[];
        decodedPayloads: string[];
      }
    | undefined {
    const none = { forkBombs: [], evaluatedCode: [], decodedPayloads: [] };
    // Fish is read by its own tokeniser first: its words differ from bash's (`and`, `(…)`, lists, `$x[1]`).
    if (shell === "fish") {
      const fish = fishCommands(text);
      if (fish !== undefined) return { commands: fish, failClosed: false, ...none };
    }
    // zsh's own expansions, qualifiers and blocks, rewritten into bash that does at least as much.
    if (shell === "zsh") text = zshAsBash(text) ?? text;
    // Most commands are plain word lists: the fast lexer gives the parser's commands without loading it.
    const plain = plainWordList(text);
    if (plain !== undefined) return { commands: plainCommands(plain), failClosed: false, ...none };
    const tree = this.parser.parse(text);
    if (!tree) {
      findings.push(unparseable("The command could not be parsed, so it cannot be fully checked."));
      return undefined;
    }
    try {
      const extracted = extractCommands(tree.rootNode);
      if (!extracted.hasError) return { ...extracted, failClosed: false };
      const expanded = braceExpandedRetry(text);
      if (expanded !== undefined && expanded !== text) {
        const retry = this.parser.parse(expanded);
        if (retry) {
          try {
            const again = extractCommands(retry.rootNode);
            if (!again.hasError) return { ...again, failClosed: false };
          } finally {
            retry.delete();
          }
        }
      }
      findings.push(
        unparseable(
          shell === "zsh"
            ? "The command uses syntax the bash grammar cannot read (zsh), so it cannot be fully checked."
            : "The command is not valid shell syntax, so it cannot be fully checked.",
        ),
      );
      return { ...extracted, failClosed: true };
    } finally {
      tree.delete();
    }
  }

  /** Judges one simple command; returns whether a nested script failed to parse. */
  private judgeCommand(
    command: SimpleCommand,
    shell: ShellName,
    inherited: Inherited,
    findings: Finding[],
    decodedPayloads: readonly string[],
  ): boolean {
    let failClosed = false;
    const written = command.argv.length > 0 ? textOutput(command.argv, command.stdinText) : undefined;
    for (const original of command.redirects) {
      if (original.target.startsWith(">(")) continue;
      const redirect = homeResolved(original);
      const found =
        redirect.dynamic === true && redirect.operator.includes(">") && !redirect.operator.includes("&")
          ? {
              rule: "file-write",
              level: "moderate" as const,
              message: `Writes to a file whose name is computed at run time (${redirect.target}).`,
            }
          : judgeRedirect(redirect.operator, redirect.target, written);
      if (
        found?.rule === "persistence" &&
        redirect.operator.includes(">") &&
        DOWNLOADERS.has(unwrapCommand(command.argv).argv[0] ?? "")
      )
        findings.push({
          ...found,
          rule: "persistence-payload",
          level: "critical",
          message: `Downloads a file into ${redirect.target}, which then runs it automatically again and again.`,
        });
      else if (found?.rule === "persistence" && written !== undefined)
        findings.push(this.plantedCode(found, written, inherited));
      else if (found) findings.push(found);
    }
    if (
      command.assignments !== undefined &&
      this.judgeAssignmentsOf(command.assignments, inherited, findings)
    )
      failClosed = true;
    if (command.argv.length === 0) return failClosed;
    const unwrapped = unwrapCommand(command.argv, command.dynamic);
    const elevated = inherited.elevated || (unwrapped.elevated && ROOT_USERS.has(unwrapped.runAs));
    const nested: Inherited = {
      elevated,
      remote: inherited.remote || unwrapped.remote,
      depth: inherited.depth + 1,
      ...(inherited.aliases === undefined ? {} : { aliases: inherited.aliases }),
    };
    if (
      unwrapped.assignments.length > 0 &&
      this.judgeAssignmentsOf(unwrapped.assignments, { ...inherited, elevated }, findings)
    )
      failClosed = true;
    if (this.judgeCarried(unwrapped, shell, nested, findings, decodedPayloads)) failClosed = true;
    this.judgeRemoteStdin(command, unwrapped, elevated, findings);
    // `echo / | xargs rm -rf`, `xargs rm -rf <<< "/"`: when xargs's input is known, judge the words it would pass.
    const fromXargs = unwrapped.wrappers.includes("xargs");
    const xargsInput = fromXargs ? xargsWords(command) : undefined;
    let argv = unwrapped.argv;
    let dynamic = unwrapped.dynamic;
    if (fromXargs) {
      argv = unwrapped.argv.flatMap((word) => (word === "{}" ? (xargsInput ?? [XARGS_INPUT]) : [word]));
      dynamic = unwrapped.argv.flatMap((word, index) =>
        word === "{}"
          ? (xargsInput ?? [XARGS_INPUT]).map(() => xargsInput === undefined)
          : [unwrapped.dynamic[index] === true],
      );
    }
    const first = argv[0];
    if (first === undefined) return failClosed;
    const conventional = dynamic[0] === true ? conventionalProgram(first) : undefined;
    if (conventional !== undefined) {
      argv = [conventional, ...argv.slice(1)];
      dynamic = [false, ...dynamic.slice(1)];
    } else if (dynamic[0] === true) {
      const verdict = judgeDynamicCommand(argv, dynamic);
      findings.push(elevated && verdict.level === "high" ? { ...verdict, level: "critical" } : verdict);
      return failClosed;
    }
    const args = argv.slice(1);
    const written0 = commandName(argv[0] ?? "");
    // `nc.traditional`, `mkfs.ext4`, `python3.12`: rules for the base name apply under it.
    const dot = written0.indexOf(".");
    const base = dot > 0 ? written0.slice(0, dot) : written0;
    const name = RULE_INDEX.has(written0) || !RULE_INDEX.has(base) ? written0 : base;
    const dynamicArgs = dynamic.slice(1);
    const dynamicWords = new Set(args.filter((_, index) => dynamicArgs[index] === true));
    const context: CommandContext = {
      name,
      args,
      redirects: command.redirects,
      stdinFrom: command.stdinFrom.map((words) => unwrapCommand(words).argv),
      stdinText: command.stdinText,
      elevated,
      remote: nested.remote,
      dynamicArgs: dynamicArgs.includes(true) ? dynamicArgs : undefined,
      classify: (word) => (dynamicWords.has(word) ? worstCaseClass(word) : classifyPath(word)),
    };
    this.mergeProcessInputs(command, context);
    if (this.judgeEmbedded(context, nested, findings)) failClosed = true;
    const tool = textToolProgram(
      name,
      args,
      context.dynamicArgs,
      context.stdinText,
      command.processInputs?.[0]?.text,
    );
    if (tool !== undefined && this.judgeCode(tool, undefined, nested, findings)) failClosed = true;
    judgeWrittenFiles(context, findings, (found, code) => this.plantedCode(found, code, inherited));
    if (fromXargs) judgeXargsFromFind(command, context, findings);
    const rootShell = rootShellOf(context, unwrapped);
    if (rootShell) findings.push(rootShell);
    if (name === "find") return this.judgeFind(context, shell, inherited, elevated, findings) || failClosed;
    if (this.judgeStdinScript(context, shell, nested, findings)) failClosed = true;
    // `rm --help`, `mkfs --version`: only prints; no rule about what the command would do applies.
    if (
      args.length > 0 &&
      args.every((word) => HELP_OR_VERSION.test(word) || (word === "-h" && SHORT_HELP.has(name)))
    ) {
      findings.push({
        rule: "read-only",
        level: "safe",
        message: `${name} only prints its version or help.`,
      });
      return failClosed;
    }
    // A function defined earlier in the script: its body is judged where it is defined and where it is called.
    if (command.callsFunction === true && unwrapped.wrappers.length === 0) {
      findings.push({ rule: "read-only", level: "safe", message: `${name} runs the function judged above.` });
      return failClosed;
    }
    const codeOnStdin =
      interpreterLanguage(name) !== undefined &&
      context.stdinText !== undefined &&
      runsScriptFromStdin(name, args);
    findings.push(
      ...this.ruleFindings(
        context,
        unwrapped.scripts.length > 0 || unwrapped.unreadable.length > 0 || codeOnStdin,
      ),
    );
    return failClosed;
  }

  /**
   * Text written into a file that runs later (`echo 'rm -rf ~' >> ~/.zshrc`) is code: judged as a script, and
   * what it would do at its worst is what the write installs.
   */
  private plantedCode(persistence: Finding, code: string, inherited: Inherited): Finding {
    const planted: Finding[] = [];
    this.judgeNested(code, "bash", { ...inherited, depth: inherited.depth + 1 }, planted);
    const worst =
      planted.find((finding) => finding.level === "critical") ??
      planted.find((finding) => REMOTE_PAYLOAD_RULES.has(finding.rule));
    if (worst === undefined) return persistence;
    return {
      rule: "persistence-payload",
      level: "critical",
      message: `${persistence.message.replace(/\.$/, "")}, and what it installs ${lowerFirst(worst.message)}`,
      saferAlternative: "edit the file yourself and read what it will run",
    };
  }

  /** Scripts a wrapper carries (`bash -c`, `eval`, `ssh host cmd`, inline interpreters), judged in full. */
  private judgeCarried(
    unwrapped: UnwrappedCommand,
    shell: ShellName,
    nested: Inherited,
    findings: Finding[],
    decodedPayloads: readonly string[],
  ): boolean {
    let failClosed = false;
    for (const sentence of unwrapped.unreadable)
      findings.push({
        rule: "unreadable-code",
        level: nested.elevated ? "critical" : "high",
        message: `${capitalise(sentence)}${nested.elevated ? ", as root" : ""}.`,
        saferAlternative: "write the code out literally so it can be read before it runs",
      });
    for (const script of unwrapped.scripts) {
      if (REMOTE_IN_SCRIPT.test(script)) findings.push(remoteScript(nested.elevated));
      if (
        DECODED_IN_SCRIPT.test(script) ||
        decodedPayloads.some((payload) => payload !== "" && script.includes(payload))
      )
        findings.push(decodedPayload(nested.elevated));
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
    for (const program of unwrapped.programs) {
      // `python3 -c "$(echo … | base64 -d)"`: the code itself was decoded by the shell.
      if (decodedPayloads.some((payload) => payload !== "" && program.code.includes(payload.trim())))
        findings.push(decodedPayload(nested.elevated));
      if (this.judgeCode(judgeProgram(program), program.language, nested, findings)) failClosed = true;
    }
    return failClosed;
  }

  /** What interpreter code does (see interpreters/): its own findings, and the shell source equal to its effects. */
  private judgeCode(
    verdict: CodeVerdict,
    language: string | undefined,
    nested: Inherited,
    findings: Finding[],
  ): boolean {
    for (const finding of verdict.findings)
      findings.push(
        nested.elevated && finding.level === "high" && finding.rule === "unreadable-code"
          ? { ...finding, level: "critical", message: finding.message.replace(/\.$/, ", as root.") }
          : finding,
      );
    let failClosed = false;
    for (const script of verdict.scripts)
      if (this.judgeNested(script, "bash", nested, findings)) failClosed = true;
    if (language !== undefined && verdict.findings.length === 0 && verdict.scripts.length === 0)
      findings.push(
        verdict.acts
          ? {
              rule: "inline-code",
              level: "moderate",
              message: `Runs inline ${language} code that changes state.`,
            }
          : {
              rule: "read-only",
              level: "safe",
              message: `The inline ${language} code only computes and prints.`,
            },
      );
    return failClosed;
  }

  /** `tar cz ~/.ssh | ssh host 'cat > x'`: what flows into ssh leaves the machine. */
  private judgeRemoteStdin(
    command: SimpleCommand,
    unwrapped: UnwrappedCommand,
    elevated: boolean,
    findings: Finding[],
  ): void {
    if (!unwrapped.remote || command.stdinFrom.length === 0) return;
    const sender: CommandContext = {
      name: "ssh",
      args: [],
      redirects: [],
      stdinFrom: command.stdinFrom,
      stdinText: command.stdinText,
      elevated,
      remote: true,
      classify: classifyPath,
    };
    for (const rule of RULE_INDEX.get("ssh") ?? [])
      if (rule.matches?.(sender) === true) findings.push(findingOf(rule, sender));
  }

  /** Variables set for a command or for the rest of the script (`PAGER=…`, `LD_PRELOAD=…`, `PATH=/tmp:…`). */
  private judgeAssignmentsOf(
    assignments: readonly Assignment[],
    inherited: Inherited,
    findings: Finding[],
  ): boolean {
    const verdict = judgeAssignments(assignments);
    findings.push(...verdict.findings);
    // Search paths are ordinary for one's own programs, but a program run as root that loads code from a
    // folder named in them runs that code as root.
    if (inherited.elevated)
      for (const { name, value } of assignments)
        if (SEARCH_PATH_VARIABLES.test(name))
          findings.push({
            rule: "code-injection-variable",
            level: "high",
            message: `Sets ${name}=${value} for a program run as root, so it loads code from there with root rights.`,
          });
    let failClosed = false;
    for (const script of verdict.scripts)
      if (this.judgeNested(script, "bash", { ...inherited, depth: inherited.depth + 1 }, findings))
        failClosed = true;
    return failClosed;
  }

  /** `bash <(curl …)`, `. <(echo …)`, `source <(…)`: the substitution's output is the script, as stdin would be. */
  private mergeProcessInputs(command: SimpleCommand, context: CommandContext): void {
    const inputs = command.processInputs;
    if (inputs === undefined || !isShellOrInterpreter(context.name)) return;
    const input = inputs[0];
    if (input === undefined || !context.args.some((word) => word.startsWith("<("))) return;
    context.stdinFrom = [...context.stdinFrom, ...input.producers];
    context.stdinText ??= input.text;
  }

  /** Code that a program's own options run (`git -c core.pager=…`, `tar --checkpoint-action`, `vim -c '!…'`). */
  private judgeEmbedded(context: CommandContext, nested: Inherited, findings: Finding[]): boolean {
    const embedded = mergeCode(
      embeddedCode(context.name, context.args),
      codeInInput(context.name, context.args, context.stdinText),
      EVALUATING_BUILTINS.has(context.name) ? subscriptCode(context.args) : undefined,
    );
    if (embedded === undefined) return false;
    let failClosed = false;
    for (const { option, value } of embedded.injected)
      findings.push({
        rule: "code-injection",
        level: nested.elevated ? "critical" : "high",
        message: `Makes ${context.name} run \`${value}\` through ${option}${nested.elevated ? ", as root" : ""}: a way to slip a command past review.`,
        saferAlternative: "run the command you mean directly",
      });
    for (const sentence of embedded.unreadable)
      findings.push({ rule: "unreadable-code", level: "high", message: `${capitalise(sentence)}.` });
    if (embedded.interactiveShell)
      findings.push(
        nested.elevated
          ? rootShellFinding(`${context.name} opens a shell`)
          : {
              rule: "interactive-shell",
              level: "moderate",
              message: `${context.name} is made to open an interactive shell.`,
            },
      );
    for (const script of embedded.scripts)
      if (this.judgeNested(script, "bash", nested, findings)) failClosed = true;
    return failClosed;
  }

  private judgeFind(
    context: CommandContext,
    shell: ShellName,
    inherited: Inherited,
    elevated: boolean,
    findings: Finding[],
  ): boolean {
    const analysis = analyseFind(context.args);
    if (analysis.deletes)
      findings.push({
        rule: "find-delete",
        ...judgeFindDelete(analysis),
        saferAlternative: "run the same find without -delete first to see what it matches",
      });
    if (analysis.writesFiles)
      findings.push({ rule: "file-write", level: "moderate", message: "Writes the results to a file." });
    let failClosed = false;
    for (const execution of analysis.executions) {
      const inner: SimpleCommand = { argv: execution, redirects: [], stdinFrom: [], stdinText: undefined };
      if (this.judgeCommand(inner, shell, { ...inherited, elevated }, findings, [])) failClosed = true;
    }
    if (!analysis.deletes && !analysis.writesFiles && analysis.executions.length === 0)
      findings.push({ rule: "read-only", level: "safe", message: "find only lists files here." });
    return failClosed;
  }

  /** Script text on stdin: a here-doc, a here-string, `echo … |`, or `<(…)`, judged in the reader's language. */
  private judgeStdinScript(
    context: CommandContext,
    shell: ShellName,
    nested: Inherited,
    findings: Finding[],
  ): boolean {
    // `perl <<< "$CODE"`, `python3 <<< "$(curl …)"`: code on stdin that is only known at run time.
    if (
      interpreterLanguage(context.name) !== undefined &&
      runsScriptFromStdin(context.name, context.args) &&
      WHOLLY_EXPANDED.test(context.stdinText ?? "")
    ) {
      findings.push({
        rule: "unreadable-code",
        level: nested.elevated ? "critical" : "high",
        message: `Passes code to ${context.name} that cmdai cannot read: its input is computed at run time.`,
      });
      return false;
    }
    const text = context.stdinText;
    if (text === undefined) return false;
    const scheduler = context.name === "at" || context.name === "batch";
    if (
      !scheduler &&
      !(isShellOrInterpreter(context.name) && runsScriptFromStdin(context.name, context.args))
    )
      return false;
    const language = interpreterLanguage(context.name);
    if (language === undefined || SHELL_NAMES.has(context.name) || scheduler)
      return this.judgeNested(
        text,
        shell === "fish" || context.name === "fish" ? "bash" : shell,
        nested,
        findings,
      );
    return this.judgeCode(
      judgeProgram({ language, code: text, options: context.args, operands: [] }),
      language,
      nested,
      findings,
    );
  }

  /** The built-in rules, the user's rules, and the fallback when none matched. */
  private ruleFindings(context: CommandContext, carriesScript: boolean): Finding[] {
    const own: Finding[] = [];
    const { name, args } = context;
    for (const rule of RULE_INDEX.get(name) ?? [])
      if (rule.matches === undefined || rule.matches(context)) own.push(findingOf(rule, context));
    for (const rule of WILDCARD_RULES)
      if (rule.matches === undefined || rule.matches(context)) own.push(findingOf(rule, context));
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
    if (own.length === 0) own.push(baseline(name, args, carriesScript));
    const worst = Math.max(...own.map((finding) => riskRank(finding.level)));
    return own.filter((finding) => riskRank(finding.level) === worst);
  }
}

/** Builtins that evaluate a name they are given: `a[$(cmd)]` in such a name runs cmd. */
const EVALUATING_BUILTINS = new Set([
  "printf",
  "read",
  "declare",
  "typeset",
  "local",
  "export",
  "readonly",
  "unset",
  "test",
  "[",
  "let",
  "mapfile",
  "readarray",
  "eval",
  "wait",
  "shift",
]);

/** Command substitutions inside array subscripts of a builtin's arguments (`printf -v 'a[$(rm -rf ~)]' …`). */
function subscriptCode(args: readonly string[]): EmbeddedCode | undefined {
  const scripts: string[] = [];
  for (const word of args)
    for (const match of word.matchAll(/\w\[[^\]]*?(?:\$\(((?:[^()]|\([^()]*\))*)\)|`([^`]*)`)/g))
      scripts.push(match[1] ?? match[2] ?? "");
  return scripts.length === 0
    ? undefined
    : { scripts, unreadable: [], injected: [], interactiveShell: false };
}

/** `alias name='body'` (bash, zsh, also -g/-s), fish `alias name 'body'` and `abbr -a name 'body'`. */
function noteAlias(argv: readonly string[], aliases: Map<string, string>): [string, string][] {
  if (argv[0] !== "alias" && argv[0] !== "abbr") return [];
  const suffix = argv.slice(1).some((word) => /^-[a-zA-Z]*s[a-zA-Z]*$/.test(word)) && argv[0] === "alias";
  const defined: [string, string][] = [];
  const words = argv
    .slice(1)
    .filter((word) => !/^-[a-zA-Z]+$/.test(word) && !/^--(add|global|universal)$/.test(word));
  for (const word of words) {
    const equals = word.indexOf("=");
    if (equals > 0) defined.push([word.slice(0, equals), word.slice(equals + 1)]);
  }
  const name = words[0];
  if (name !== undefined && !name.includes("=") && words.length >= 2)
    defined.push([name, words.slice(1).join(" ")]);
  for (const [alias, body] of defined) aliases.set(suffix ? `*.${alias}` : alias, body);
  return defined;
}

/** One result from several finders, or undefined when none found anything. */
function mergeCode(...parts: (EmbeddedCode | undefined)[]): EmbeddedCode | undefined {
  const found = parts.filter((part): part is EmbeddedCode => part !== undefined);
  if (found.length <= 1) return found[0];
  return {
    scripts: found.flatMap((part) => part.scripts),
    unreadable: found.flatMap((part) => part.unreadable),
    injected: found.flatMap((part) => part.injected),
    interactiveShell: found.some((part) => part.interactiveShell),
  };
}

function unparseable(message: string): Finding {
  return { rule: "unparseable", level: "moderate", message };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function worstOf(findings: readonly Finding[]): RiskLevel {
  let worst: RiskLevel = "safe";
  for (const finding of findings) if (riskRank(finding.level) > riskRank(worst)) worst = finding.level;
  return worst;
}

function remoteScript(elevated: boolean): Finding {
  return elevated
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
      };
}

function decodedPayload(elevated: boolean): Finding {
  return {
    rule: elevated ? "decoded-payload-root-shell" : "decoded-payload",
    level: elevated ? "critical" : "high",
    message: elevated
      ? "Decodes a hidden payload and runs it as root."
      : "Decodes a hidden payload and runs it; hiding a script this way is itself a warning sign.",
    saferAlternative: "decode it to a file and read it first",
  };
}

function rootShellFinding(what: string): Finding {
  return {
    rule: "root-shell",
    level: "high",
    message: `${capitalise(what)} with root rights: everything typed in it runs as root, unchecked.`,
    saferAlternative: "run the one command that needs root with sudo instead",
  };
}

/** An interactive shell started with root rights (`sudo -i`, `sudo bash`, `su`, `pkexec sh`, `sudo env /bin/sh`). */
function rootShellOf(context: CommandContext, unwrapped: UnwrappedCommand): Finding | undefined {
  const machine = machineRootShell(context.name, context.args);
  if (machine !== undefined) return rootShellFinding(machine);
  if (context.elevated && !SHELL_NAMES.has(context.name)) {
    const hasInput = context.stdinText !== undefined || context.stdinFrom.length > 0;
    const session = interactiveRootSession(context.name, context.args, hasInput);
    return session === undefined ? undefined : rootShellFinding(session);
  }
  if (!SHELL_NAMES.has(context.name) || context.name === "source" || context.name === ".") return undefined;
  if (unwrapped.scripts.length > 0 || context.stdinText !== undefined || context.stdinFrom.length > 0)
    return undefined;
  const files = operands(context.args, ["-o", "+o", "--rcfile", "--init-file"]).filter(
    (word) => word !== "-" && word !== "-s",
  );
  if (files.length > 0 || context.args.some((word) => /^-[a-z]*c/.test(word))) return undefined;
  if (context.elevated) return rootShellFinding(`opens an interactive ${context.name} shell`);
  if (unwrapped.runAs !== undefined)
    return {
      rule: "user-shell",
      level: "moderate",
      message: `Opens an interactive shell as the user ${unwrapped.runAs}.`,
    };
  return undefined;
}

/** Files the command writes through its arguments (`sort -o`, `curl -o`, `cp … DEST`), judged as `>` would be. */
function judgeWrittenFiles(
  context: CommandContext,
  findings: Finding[],
  plant: (persistence: Finding, code: string) => Finding,
): void {
  const files = writtenFiles(context.name, context.args);
  if (files.length === 0) return;
  const content =
    context.name === "tee"
      ? context.stdinText
      : context.name === "sed"
        ? sedInsertedText(context.args)
        : undefined;
  const downloads = DOWNLOADERS.has(context.name);
  for (const written of files) {
    const home = HOME_PATH.exec(written.path);
    const file = home ? { ...written, path: `~${home[1] ?? ""}` } : written;
    if (context.dynamicArgs !== undefined && UNRESOLVED_WORD.test(file.path)) {
      if (context.elevated)
        findings.push({
          rule: "system-file-write",
          level: "high",
          message: `Writes, as root, to a file whose name is computed at run time (${file.path}).`,
        });
      continue;
    }
    const found = judgeWriteTarget(file.folder === true ? file.path.replace(/\/*$/, "/") : file.path, {
      append: file.append,
      content,
    });
    if (found === undefined || !(found.level === "critical" || WRITE_RULES_FROM_ARGUMENTS.has(found.rule)))
      continue;
    // A download saved as a shell startup file or a git hook installs remote code that runs again and again
    // (`curl -o ~/.bashrc …`, `curl … | tee -a ~/.bashrc`).
    const fedByDownload =
      context.name === "tee" && context.stdinFrom.some((stage) => DOWNLOADERS.has(stage[0] ?? ""));
    if (found.rule === "persistence" && content !== undefined && !fedByDownload)
      findings.push(plant(found, content));
    else if ((downloads || fedByDownload) && found.rule === "persistence")
      findings.push({
        ...found,
        rule: "persistence-payload",
        level: "critical",
        message: `Downloads a file into ${file.path}, which then runs it automatically again and again.`,
      });
    else
      findings.push(
        file.folder === true
          ? { ...found, message: `Writes files into ${file.path}: ${found.message}` }
          : found,
      );
  }
}

/**
 * The words xargs would receive: its input when that is known text; what `find` lists when find feeds it (the
 * starting folder itself when unfiltered, else files under it); undefined when it cannot be known.
 */
function xargsWords(command: SimpleCommand): string[] | undefined {
  const text = command.stdinText?.trim();
  if (text !== undefined) return text.split(/\s+/).filter(Boolean);
  const producer = findFeeding(command);
  if (producer === undefined) return undefined;
  const analysis = analyseFind(producer.find.slice(1));
  return analysis.filtered || producer.filtered
    ? analysis.roots.map((root) => `${root.replace(/\/+$/, "")}/{files find matches}`)
    : analysis.roots;
}

/** `find / -print0 | xargs -0 rm -rf`: what find lists is what the command gets. */
function judgeXargsFromFind(command: SimpleCommand, context: CommandContext, findings: Finding[]): void {
  const deletes = DELETERS.has(context.name);
  if (!deletes && !CHANGERS.has(context.name)) return;
  const producer = findFeeding(command);
  if (producer === undefined) return;
  const analysis = analyseFind(producer.find.slice(1));
  // The same judgement as `find … -delete`: what find lists is what goes.
  // rmdir removes only empty folders, and a `grep PATTERN` between them picks a kind of file, as -name would.
  const verdict = judgeFindDelete({
    ...analysis,
    filtered: analysis.filtered || producer.filtered,
    selective: analysis.selective || producer.selective || context.name === "rmdir",
  });
  if (deletes ? riskRank(verdict.level) < riskRank("high") : verdict.level !== "critical") return;
  findings.push({
    rule: "find-xargs",
    level: verdict.level,
    message: deletes
      ? `Runs ${context.name} on what find lists: ${lowerFirst(verdict.message)}`
      : `Runs ${context.name} on everything find lists under ${describeTarget(analysis.roots[0] ?? "/")}.`,
    saferAlternative: "run the find alone first and read what it lists",
  });
}

/** The `find` whose listing reaches this command, through nothing but filters (`find … | grep … | xargs rm`). */
function findFeeding(
  command: SimpleCommand,
): { find: string[]; filtered: boolean; selective: boolean } | undefined {
  const stages = command.stdinFrom.map((words) => unwrapCommand(words).argv);
  let filtered = false;
  let selective = false;
  for (let index = stages.length - 1; index >= 0; index--) {
    const stage = stages[index] ?? [];
    if (stage[0] === "find") return { find: stage, filtered, selective };
    if (!FILTERS.has(stage[0] ?? "")) return undefined;
    filtered = true;
    if (/^[ef]?grep$/.test(stage[0] ?? "") && !stage.some((word) => /^-[a-zA-Z]*v/.test(word)))
      selective = true;
  }
  return undefined;
}

/** Whether a shell or interpreter reads its script from stdin (no script file or inline code given). */
function runsScriptFromStdin(name: string, args: readonly string[]): boolean {
  if (SHELL_NAMES.has(name))
    return (
      operands(args, ["-o", "+o"]).filter((word) => word !== "-s" && word !== "-" && !word.startsWith("<("))
        .length === 0 ||
      name === "source" ||
      name === "."
    );
  return (
    operands(args).filter(
      (word) => word !== "-" && !word.startsWith("<(") && !/^\/dev\/(stdin|fd\/0)$/.test(word),
    ).length === 0
  );
}

/** The script text with quoted strings and comments blanked, for whole-script patterns. */
function stripQuotesAndComments(text: string): string {
  return text.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, "''").replace(/(^|[\s;&|])#[^\n]*/g, "$1");
}

/** `{rm,-rf,~}` at the start of a command confuses the grammar: expand brace words and parse again. */
function braceExpandedRetry(text: string): string | undefined {
  if (!/\{[^\s{}]*,[^\s{}]*\}/.test(text)) return undefined;
  return text.replace(
    /(^|[\s;&|(])\{([^\s{}'"$]*,[^\s{}'"$]*)\}(?=[\s;&|)]|$)/g,
    (_match, lead: string, inner: string) => `${lead}${inner.split(",").join(" ")}`,
  );
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
  if (READ_ONLY_COMMANDS.has(name) || READ_ONLY_SHELL_BUILTINS.has(name))
    return { rule: "read-only", level: "safe", message: `${name} only reads.` };
  // The catalogue (`catalogue/`): what cmdai knows about the program. A wrapper carrying a script, or a shell,
  // is judged below by what it runs; its subcommands' words never make that safe.
  const known = carriesScript || SHELL_NAMES.has(name) ? undefined : judgeByCatalogue(name, args);
  if (known !== undefined && !(known.byDefault && known.level !== "safe"))
    return { rule: known.rule, level: known.level, message: known.message };
  if (known === undefined && readsOnly(args))
    return { rule: "read-only", level: "safe", message: `${name} only lists or describes here.` };
  const verb = destructiveVerb(args);
  // `--dry-run`, `--what-if`: the tool only reports what it would delete.
  if (verb !== undefined && !args.some((word) => /^--(dry-?run|what-?if|simulate)(=.*)?$/i.test(word)))
    return serviceDelete(name, verb);
  // `bash -n script`, `fish --no-execute`: the shell only checks the syntax.
  if (SHELL_NAMES.has(name) && args.some((word) => word === "-n" || word === "--no-execute"))
    return { rule: "read-only", level: "safe", message: `${name} only checks the script's syntax.` };
  if (known !== undefined) return { rule: known.rule, level: known.level, message: known.message };
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

function lowerFirst(sentence: string): string {
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}

/** Whether a name is a command people run every day, so an alias of it replaces what they expect. */
function shadowsCommand(name: string): boolean {
  return (
    READ_ONLY_COMMANDS.has(name) ||
    READ_ONLY_SHELL_BUILTINS.has(name) ||
    RULE_INDEX.has(name) ||
    SHELL_NAMES.has(name)
  );
}

/** `> $HOME/.bashrc` is `> ~/.bashrc`: the home folder is known to be one, whatever its path. */
function homeResolved(redirect: Redirect): Redirect {
  if (redirect.dynamic !== true) return redirect;
  const match = HOME_PATH.exec(redirect.target);
  return match ? { operator: redirect.operator, target: `~${match[1] ?? ""}` } : redirect;
}

/** The text `sed -i '$a TEXT' file` (or `1i`, `/x/c`) writes into the file, when its script is only that. */
function sedInsertedText(args: readonly string[]): string | undefined {
  const scripts: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    if (word === "-e" || word === "--expression") scripts.push(args[++index] ?? "");
    else if (word.startsWith("--expression=")) scripts.push(word.slice(13));
  }
  const script = scripts[0] ?? args.find((word) => !word.startsWith("-"));
  const match =
    script === undefined ? null : /^\s*(?:\$|\d+|\/[^/]*\/)?\s*[aic]\\?\s*([\s\S]+)$/.exec(script);
  return match?.[1]?.replace(/\\n/g, "\n");
}

/** The scheduler, when a command installs a job that runs later or again (`systemd-run --on-calendar`, `at`). */
function scheduledBy(argv: readonly string[]): string | undefined {
  const name = commandName(argv[0] ?? "");
  const args = argv.slice(1);
  if (name === "sudo" || name === "doas") return scheduledBy(args.filter((word) => !word.startsWith("-")));
  if (name === "at" || name === "batch") return name;
  if (name === "systemd-run" && args.some((word) => /^--on-|^--timer-property/.test(word)))
    return "a systemd timer";
  if (name === "docker" || name === "podman")
    return args[0] === "run" && args.some((word) => /^--restart(=|$)/.test(word) && !/=no$/.test(word))
      ? "a container that restarts itself"
      : undefined;
  if (name === "kubectl" && args[0] === "create" && args[1] === "cronjob") return "a Kubernetes cron job";
  return undefined;
}

/**
 * Judges a whole PowerShell or cmd script: tokenises it, judges every statement (nested ones too) with what earlier
 * statements established, judges the scripts that commands run (`powershell -c`, `-EncodedCommand`, `cmd /c`,
 * `Invoke-Expression`, `Start-Process`, `wmic process call create`, `schtasks /tr`, `runas`) as scripts of their
 * own, and looks across the script for what spans statements: reverse shells, shadow copies deleted through WMI,
 * diskpart `clean`, credential dumps, credentials sent off the machine. Unbalanced quotes or brackets fail closed.
 */
import type { RiskLevel } from "../types.js";
import { riskRank } from "../types.js";
import { CODE_TOOLS } from "./windows-code-tools.js";
import { judgeCmdStatement } from "./windows-cmd.js";
import { judgePowerShellStatement, type StatementEnvironment } from "./windows-powershell.js";
import { SYSTEM_TOOLS } from "./windows-system-tools.js";
import { tokeniseWindows } from "./windows-tokeniser.js";
import { isReadOnlyNative } from "./windows-read-only.js";
import {
  FindingList,
  newSession,
  type ToolContext,
  type WindowsDialect,
  type WindowsFinding,
  type WindowsSession,
  type WindowsStatement,
} from "./windows-types.js";

/** The verdict on one script: every finding, whether it parsed, and the level of each top-level command. */
export interface WindowsVerdict {
  findings: WindowsFinding[];
  balanced: boolean;
  commands: { text: string; level: RiskLevel }[];
}

/** Options of {@link judgeWindowsScript}. */
export interface WindowsScriptOptions {
  /** The session to continue (variables, aliases, downloads); a new one by default. */
  session?: WindowsSession;
  /** Level of the finding for unbalanced quotes or brackets; default high. Undefined adds none. */
  unbalancedLevel?: RiskLevel | null;
  /** Judges POSIX commands (`wsl …`, `git …` in PowerShell) with the bash rules; without it they are unknown. */
  judgePosix?: (script: string) => readonly WindowsFinding[];
}

const MAXIMUM_DEPTH = 8;

/** Judges PowerShell or cmd text. */
export function judgeWindowsScript(
  text: string,
  dialect: WindowsDialect,
  options: WindowsScriptOptions = {},
): WindowsVerdict {
  const session = options.session ?? newSession();
  const findings = new FindingList();
  const commands: WindowsVerdict["commands"] = [];
  if (session.depth > MAXIMUM_DEPTH) {
    findings.add("nesting-too-deep", "high", "Scripts nested this deep cannot be checked.");
    return { findings: findings.items, balanced: true, commands };
  }
  const tokens = tokeniseWindows(text, dialect, session);
  const environment = new Environment(dialect, options);
  tokens.statements.forEach((statement, index) => {
    const own = new FindingList();
    environment.judgeStatement(statement, previousAtDepth(tokens.statements, index), own);
    findings.push(...own.items);
    if (!statement.nested) commands.push({ text: statement.words.join(" "), level: maximumLevel(own.items) });
  });
  scriptChecks(text, dialect, findings);
  const unbalancedLevel = options.unbalancedLevel === undefined ? "high" : options.unbalancedLevel;
  if (!tokens.balanced && unbalancedLevel !== null)
    findings.add(
      "unparseable",
      unbalancedLevel,
      `The ${dialect === "cmd" ? "cmd" : "PowerShell"} script has unbalanced quotes or brackets, so cmdai cannot tell what it runs.`,
    );
  return { findings: findings.items, balanced: tokens.balanced, commands };
}

/** The statement before `index` at the same bracket depth (the commands nested in between belong to it). */
function previousAtDepth(
  statements: readonly WindowsStatement[],
  index: number,
): WindowsStatement | undefined {
  const depth = statements[index]?.depth ?? 0;
  for (let at = index - 1; at >= 0; at--) {
    const candidate = statements[at];
    if (candidate === undefined || candidate.depth < depth) return undefined;
    if (candidate.depth === depth) return candidate;
  }
  return undefined;
}

function maximumLevel(findings: readonly WindowsFinding[]): RiskLevel {
  let worst: RiskLevel = "safe";
  for (const finding of findings) if (riskRank(finding.level) > riskRank(worst)) worst = finding.level;
  return worst;
}

function quoteForPosix(word: string): string {
  return /^[\w./=:@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

class Environment implements StatementEnvironment {
  private readonly judgePosix: WindowsScriptOptions["judgePosix"];

  constructor(
    private readonly dialect: WindowsDialect,
    private readonly parent: WindowsScriptOptions,
  ) {
    this.judgePosix = parent.judgePosix;
  }

  judgeStatement(
    statement: WindowsStatement,
    previous: WindowsStatement | undefined,
    findings: FindingList,
  ): void {
    if (this.dialect === "cmd") judgeCmdStatement(statement, this, findings);
    else judgePowerShellStatement(statement, previous, this, findings);
  }

  /** Scripts run by this one are judged with the same options (POSIX judge, how unbalanced text counts). */
  private options(session: WindowsSession): WindowsScriptOptions {
    return { ...this.parent, session };
  }

  context(name: string, args: string[], statement: WindowsStatement, findings: FindingList): ToolContext {
    const session = statement.session;
    const run = (script: string, dialect: WindowsDialect, elevated?: boolean): void => {
      // A new process: its own variables, but files downloaded so far are on disk for it too.
      const child = newSession(session.depth + 1, session.elevated || elevated === true);
      for (const file of session.downloaded) child.downloaded.add(file);
      const verdict = judgeWindowsScript(script, dialect, this.options(child));
      for (const file of child.downloaded) session.downloaded.add(file);
      findings.push(...verdict.findings);
    };
    return {
      name,
      args,
      lower: args.join(" ").toLowerCase(),
      session,
      findings,
      runScript: run,
      runWords: (words, elevated) => {
        run(words.join(" "), "cmd", elevated);
      },
      runPosix: (script) => {
        if (this.judgePosix === undefined)
          findings.add("unknown-command", "moderate", `Runs a Linux command (${script.slice(0, 60)}).`);
        else findings.push(...this.judgePosix(script));
      },
    };
  }

  hasTool(name: string): boolean {
    return Object.hasOwn(CODE_TOOLS, name) || Object.hasOwn(SYSTEM_TOOLS, name);
  }

  native(context: ToolContext): boolean {
    const rule = Object.hasOwn(CODE_TOOLS, context.name)
      ? CODE_TOOLS[context.name]
      : Object.hasOwn(SYSTEM_TOOLS, context.name)
        ? SYSTEM_TOOLS[context.name]
        : undefined;
    if (rule !== undefined) {
      rule(context);
      return true;
    }
    if (isReadOnlyNative(context.name)) return true;
    return this.posixFallback(context);
  }

  inline(script: string, statement: WindowsStatement, findings: FindingList): void {
    // Invoke-Expression runs in the current scope: same variables and aliases, one level deeper.
    const session = statement.session;
    session.depth++;
    try {
      findings.push(...judgeWindowsScript(script, "powershell", this.options(session)).findings);
    } finally {
      session.depth--;
    }
  }

  /** Cross-platform programs (git, docker, npm, kubectl …) mean the same in every shell: the bash rules judge them. */
  private posixFallback(context: ToolContext): boolean {
    if (this.judgePosix === undefined || !/^[a-z][\w.+-]*$/.test(context.name)) return false;
    const found = this.judgePosix([context.name, ...context.args].map(quoteForPosix).join(" "));
    if (found.length > 0 && found.every((finding) => finding.rule === "unknown-command")) return false;
    context.findings.push(...found);
    return true;
  }
}

const CREDENTIAL_SOURCE =
  /login data|logins\.json|mozilla\\firefox\\profiles|google\\chrome\\user data|microsoft\\edge\\user data|\b(gci|get-childitem|ls|dir)\s+env:|getenvironmentvariables|key[34]\.db|\\config\\(sam|security|system)\b|hklm\\(sam|security)|ntds\.dit|cmdkey\s+\/list|key\s*=\s*clear|sekurlsa|\.ssh[\\/]id_|credentials\.xml|unattend\.xml|vaultcmd|passwordvault|get-storedcredential|\.aws[\\/]credentials|\.kube[\\/]config|\.git-credentials|\\microsoft\\credentials/;
const UPLOAD =
  /-method\s+['"]?(post|put)|uploadfile|uploadstring|uploaddata|-infile\b|\s-body\s|curl(\.exe)?(\s.*)?\s(-d|-f|--data\S*|-t|--upload-file)\s|send-mailmessage|\bftp\b|net\.sockets|invoke-restmethod.*-body|\bscp\b|\bnc(at)?\b/;

/** Patterns that span statements or hide inside expressions, on the whole script. */
function scriptChecks(text: string, dialect: WindowsDialect, findings: FindingList): void {
  const lower = (
    dialect === "cmd" ? text.replace(/\^/g, "") : text.replace(/`n/g, "\n").replace(/`/g, "")
  ).toLowerCase();
  if (!/[a-z]/.test(lower)) return;
  if (
    (/net\.sockets\.tcpclient|tcpclient\s*\(|net\.sockets\.socket/.test(lower) &&
      /getstream|iex|invoke-expression|streamwriter|\.read\(|cmd|powershell/.test(lower)) ||
    (/tcplistener/.test(lower) && /accepttcpclient|acceptsocket/.test(lower)) ||
    /invoke-powershelltcp|powercat\s.*-e\s|invoke-conptyshell/.test(lower)
  )
    findings.add(
      "reverse-shell",
      "critical",
      "Opens a network connection and runs the commands that arrive on it: someone else would control this machine.",
    );
  if (
    /win32_shadowcopy/.test(lower) &&
    /\.delete\(|remove-ciminstance|remove-wmiobject|\brcim\b|\brwmi\b|\bdelete\b/.test(lower)
  )
    findings.add(
      "shadow-copies-delete",
      "critical",
      "Deletes the Volume Shadow Copies through WMI, the system's backups.",
    );
  if (/\bdiskpart\b/.test(lower) && /\b(clean|format\s+fs|delete\s+(partition|volume|disk))\b/.test(lower))
    findings.add("disk-wipe", "critical", "Feeds diskpart a script that wipes a disk or partition.");
  if (
    /invoke-mimikatz|sekurlsa::|lsadump::|kerberos::|out-minidump|minidumpwritedump|invoke-ninjacopy|get-gpppassword|invoke-kerberoast|invoke-dcsync|invoke-powerdump|get-passhashes/.test(
      lower,
    )
  )
    findings.add("credential-dump", "critical", "Extracts the passwords and hashes stored on this machine.");
  if (/virtualalloc/.test(lower) && /createthread|marshal\]::copy|getdelegateforfunctionpointer/.test(lower))
    findings.add("shellcode", "high", "Loads machine code into memory and runs it, which cmdai cannot read.");
  if (
    /__eventfilter|commandlineeventconsumer|activescripteventconsumer|__filtertoconsumerbinding/.test(
      lower,
    ) &&
    /set-wmiinstance|new-ciminstance|swmi|\.put\(/.test(lower)
  )
    findings.add(
      "persistence",
      "high",
      "Registers a WMI event subscription that runs a command by itself (persistence).",
    );
  if (/amsiutils|amsiinitfailed|amsiscanbuffer|amsicontext/.test(lower))
    findings.add("antivirus-disable", "high", "Turns off the antimalware scan of scripts (AMSI).");
  if (
    /(google\\chrome|microsoft\\edge|bravesoftware\\brave-browser)\\user data\\.*(login data|cookies|web data|local state)|mozilla\\firefox\\profiles\\.*(logins\.json|key4\.db|cookies\.sqlite)|passwordvault|get-storedcredential|\.retrievepassword\(/.test(
      lower,
    )
  )
    findings.add("credential-read", "high", "Reads the passwords or cookies a browser or Windows has saved.");
  if (
    /historysavepath|consolehost_history\.txt/.test(lower) &&
    /remove-item|\b(ri|rm|del|erase|clc)\b|clear-content|set-content|out-file|>/.test(lower)
  )
    findings.add("history-wipe", "high", "Erases the PowerShell command history.");
  if (/\.clearlog\(/.test(lower)) findings.add("history-wipe", "high", "Erases Windows event logs.");
  if (CREDENTIAL_SOURCE.test(lower) && UPLOAD.test(lower))
    findings.add("credential-exfiltration", "critical", "Sends saved credentials or keys off this machine.");
}

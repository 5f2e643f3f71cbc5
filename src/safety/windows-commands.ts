/**
 * PowerShell and cmd.exe: a tokeniser for their quoting and separators, and the rules for their destructive forms
 * (`Remove-Item -Recurse -Force C:\`, `Format-Volume`, `del /s /q`, `rd /s /q`, `format C:`, `vssadmin delete
 * shadows`, `bcdedit`, `diskpart`, `iex (iwr …)`). The bash grammar cannot parse either language.
 */
import type { RiskLevel } from "./types.js";

/** One finding from a Windows rule. */
export interface WindowsFinding {
  rule: string;
  level: RiskLevel;
  message: string;
  saferAlternative?: string;
}

/** One simple command: its words (quotes removed) and the separator that followed it. */
export interface WindowsStatement {
  words: string[];
  /** `|` when the output feeds the next statement. */
  pipedToNext: boolean;
  /** Words were nested in `( … )`, `$( … )` or `{ … }` of an outer statement. */
  nested: boolean;
}

/** Splits PowerShell or cmd text into statements at `;`, `|`, `&&`, `||`, `&` (cmd), newlines and brackets. */
export function tokeniseWindows(
  source: string,
  dialect: "powershell" | "cmd",
): { statements: WindowsStatement[]; balanced: boolean } {
  const statements: WindowsStatement[] = [];
  let words: string[] = [];
  let word = "";
  let hasWord = false;
  let quote: string | undefined;
  let depth = 0;
  const escape = dialect === "powershell" ? "`" : "^";
  const flushWord = (): void => {
    if (hasWord) words.push(word);
    word = "";
    hasWord = false;
  };
  const flushStatement = (piped: boolean): void => {
    flushWord();
    if (words.length > 0) statements.push({ words, pipedToNext: piped, nested: depth > 0 });
    words = [];
  };
  for (let index = 0; index < source.length; index++) {
    const character = source.charAt(index);
    if (quote) {
      if (character === quote) {
        if (quote === "'" && source.charAt(index + 1) === "'") {
          word += "'";
          index++;
        } else quote = undefined;
      } else if (character === escape && quote === '"' && dialect === "powershell") {
        word += source.charAt(++index);
      } else word += character;
      continue;
    }
    if (character === escape && index + 1 < source.length) {
      word += source.charAt(++index);
      hasWord = true;
    } else if (character === '"' || (character === "'" && dialect === "powershell")) {
      quote = character;
      hasWord = true;
    } else if (/\s/.test(character)) {
      if (character === "\n") flushStatement(false);
      else flushWord();
    } else if (character === ";" || character === "\n") {
      flushStatement(false);
    } else if (character === "|") {
      const double = source.charAt(index + 1) === "|";
      if (double) index++;
      flushStatement(!double);
    } else if (character === "&") {
      if (source.charAt(index + 1) === "&") index++;
      if (dialect === "cmd" || source.charAt(index) === "&") flushStatement(false);
      else {
        word += character;
        hasWord = true;
      }
    } else if (dialect === "powershell" && (character === "(" || character === "{")) {
      if (word === "$" || word === "@") word = "";
      flushStatement(false);
      depth++;
      if (words.length === 0 && statements.length > 0) {
        const previous = statements.at(-1);
        if (previous) previous.words.push("(");
      }
    } else if (dialect === "powershell" && (character === ")" || character === "}")) {
      flushStatement(false);
      depth = Math.max(0, depth - 1);
    } else {
      word += character;
      hasWord = true;
    }
  }
  flushStatement(false);
  return { statements, balanced: quote === undefined && depth === 0 };
}

const REMOVE = /^(remove-item|ri|rm|del|erase|rd|rmdir)$/i;
const DRIVE_ROOT = /^([A-Za-z]:|\$env:systemdrive|\\\\\?\\[A-Za-z]:)?[\\/]*\*?$|^[A-Za-z]:\\?\*?(\.\*)?$/i;
const SYSTEM_FOLDER =
  /^([A-Za-z]:[\\/]+)?(windows(\\system32)?|program files( \(x86\))?|programdata|users(\\[^\\]+)?|boot|recovery)[\\/]*\*?$|^\$env:(windir|systemroot|programfiles|userprofile|programdata|appdata|localappdata)[\\/]*\*?$|^(~|\$home)[\\/]*\*?$|^%(systemroot|windir|systemdrive|userprofile|programfiles|programdata|homedrive|homepath)%[\\/]*\*?(\.\*)?$|^%systemdrive%[\\/]*(windows|users|program files)/i;

function has(words: readonly string[], pattern: RegExp): boolean {
  return words.some((word) => pattern.test(word));
}

function targets(words: readonly string[]): string[] {
  return words
    .slice(1)
    .filter(
      (word) =>
        !/^[-/]/.test(word) || DRIVE_ROOT.test(word) || (!/^\/[a-z]*$/i.test(word) && word.startsWith("/")),
    );
}

/** Judges one PowerShell statement. */
export function judgePowerShell(
  statement: WindowsStatement,
  previous: WindowsStatement | undefined,
): WindowsFinding[] {
  const words = statement.words;
  const name = (words[0] ?? "").toLowerCase().replace(/\.exe$/, "");
  const text = words.join(" ");
  const findings: WindowsFinding[] = [];
  const add = (rule: string, level: RiskLevel, message: string, saferAlternative?: string): void => {
    findings.push(
      saferAlternative === undefined ? { rule, level, message } : { rule, level, message, saferAlternative },
    );
  };
  if (
    REMOVE.test(name) ||
    name === "remove-itemproperty" ||
    name === "clear-content" ||
    name === "clear-item"
  ) {
    const recurse = has(words, /^-r(e(c(u(r(s(e)?)?)?)?)?)?$/i) || has(words, /^-rf?$/i);
    const force = has(words, /^-(f(o(r(c(e)?)?)?)?|rf)$/i);
    const named = targets(words);
    // `Get-ChildItem C:\ -Recurse | Remove-Item -Recurse -Force` deletes what the previous command lists.
    const paths = named.length === 0 && previous?.pipedToNext === true ? targets(previous.words) : named;
    const root = paths.find(
      (word) => DRIVE_ROOT.test(word) || SYSTEM_FOLDER.test(word) || /^[\\/]$/.test(word),
    );
    if (root !== undefined && (recurse || force))
      add(
        "remove-item-root",
        "critical",
        `Recursively deletes ${root}, a drive root or system folder.`,
        "delete a specific folder and check it with Get-ChildItem first",
      );
    else if (
      /^hk(lm|cr|u|cu)/i.test(text.replace(/^\S+\s+(-path\s+)?/i, "")) ||
      has(words, /^(hklm|registry::hkey_local_machine)/i)
    )
      add("registry-delete", "high", "Deletes registry keys the system or programs need.");
    else if (recurse && force)
      add(
        "remove-item-recursive",
        "high",
        `Recursively deletes ${paths.join(" ") || "a folder"} without asking.`,
        "use -WhatIf first, or -Confirm",
      );
    else add("remove-item", "moderate", `Deletes ${paths.join(" ") || "items"}.`, "use -WhatIf first");
  }
  if (
    /^(format-volume|clear-disk|initialize-disk|remove-partition|format|clear-recyclebin|remove-physicaldisk|reset-physicaldisk)$/.test(
      name,
    )
  ) {
    add(
      "disk-format",
      name === "clear-recyclebin" ? "high" : "critical",
      "Formats or wipes a disk or partition: everything on it is lost.",
    );
  }
  if (/^(stop-computer|restart-computer|shutdown)$/.test(name))
    add("power-off", "high", "Shuts down or restarts the computer.");
  if (name === "set-executionpolicy" && has(words, /^(unrestricted|bypass)$/i))
    add(
      "execution-policy",
      "high",
      "Lets any script run, including unsigned scripts from the internet.",
      "use RemoteSigned for the current user only",
    );
  if (/^(iex|invoke-expression)$/.test(name) || /\|\s*(iex|invoke-expression)\b/i.test(text)) {
    add(
      "remote-script",
      "high",
      "Runs code it builds or downloads at run time, which cmdai cannot see.",
      "download the script to a file and read it first",
    );
  }
  if (
    previous?.pipedToNext &&
    /^(iwr|irm|invoke-webrequest|invoke-restmethod|curl|wget)$/i.test(previous.words[0] ?? "") &&
    /^(iex|invoke-expression)$/.test(name)
  ) {
    add(
      "remote-script",
      "high",
      "Downloads a script and runs it without showing it to you first.",
      "download the script to a file and read it first",
    );
  }
  if (
    /^(set-mppreference|set-netfirewallprofile|disable-netfirewallrule|netsh)$/.test(name) &&
    /disable\w*\s+\$?true|-enabled\s+\$?false|\bstate\s+off\b|firewall.*(off|disable)/i.test(text)
  ) {
    add("firewall-disable", "high", "Turns off the firewall or antivirus protection.");
  }
  if (
    /^(clear-eventlog|remove-eventlog|wevtutil)$/.test(name) &&
    (name !== "wevtutil" || /^(cl|clear-log)$/i.test(words[1] ?? ""))
  )
    add("history-wipe", "high", "Erases Windows event logs.");
  if (/^(stop-process|kill|spps|taskkill)$/.test(name)) {
    add(
      has(words, /^\*$/) ? "kill-all-force" : "kill-process",
      has(words, /^\*$/) ? "high" : "moderate",
      "Stops running processes.",
    );
  }
  if (/^(vssadmin|wmic)$/.test(name) && /delete\s+shadows|shadowcopy\s+delete/i.test(text))
    add(
      "shadow-copies-delete",
      "critical",
      "Deletes every Volume Shadow Copy, the system's backups (ransomware does this first).",
    );
  if (
    /^(remove-localuser|remove-aduser|disable-localuser|net)$/.test(name) &&
    (name !== "net" || /\/(delete|del)\b/i.test(text))
  )
    add("account-change", "high", "Deletes or disables user accounts.");
  if (findings.length === 0 && !isReadOnlyPowerShell(name))
    add("state-change", "moderate", `Changes state (${words[0] ?? ""}).`);
  return findings;
}

function isReadOnlyPowerShell(name: string): boolean {
  return (
    name.startsWith("$") ||
    /^(get|test|find|measure|select|show|read|resolve|compare|search|format|out-host|out-string|write-host|write-output|write-verbose|convertto|convertfrom|where|sort|group|foreach|join|split|confirm|trace|debug|wait|start-sleep|echo|dir|ls|gci|gc|cat|type|cd|sl|pwd|gl|gps|ps|gsv|gm|help|man|ft|fl|fw|select-string|sls|%|\?|\(|hostname|whoami|ipconfig|systeminfo|tasklist|where\.exe|ping|tracert|nslookup|netstat|tree|more|findstr|set-location|push-location|pop-location|clear-host|cls|history|h|ghy)(-|$)/.test(
      name,
    )
  );
}

/** Judges one cmd.exe statement. */
export function judgeCmd(statement: WindowsStatement): WindowsFinding[] {
  const words = statement.words;
  const name = (words[0] ?? "").toLowerCase().replace(/\.(exe|com)$/, "");
  const text = words.join(" ");
  const findings: WindowsFinding[] = [];
  const add = (rule: string, level: RiskLevel, message: string, saferAlternative?: string): void => {
    findings.push(
      saferAlternative === undefined ? { rule, level, message } : { rule, level, message, saferAlternative },
    );
  };
  const paths = words.slice(1).filter((word) => !/^\/[a-z]{1,2}(:.*)?$/i.test(word));
  const recurse = has(words, /^\/s$/i);
  const quiet = has(words, /^\/q$/i);
  if (/^(del|erase|rd|rmdir)$/.test(name)) {
    const root = paths.find(
      (word) => DRIVE_ROOT.test(word) || SYSTEM_FOLDER.test(word) || /^[A-Za-z]:\\?\*(\.\*)?$/.test(word),
    );
    if (root !== undefined && (recurse || name === "del" || name === "erase"))
      add(
        "remove-item-root",
        "critical",
        `Deletes ${root}, a drive root or system folder${recurse ? ", recursively" : ""}.`,
      );
    else if (recurse && (quiet || name === "rd" || name === "rmdir"))
      add(
        "remove-item-recursive",
        "high",
        `Recursively deletes ${paths.join(" ") || "a folder"}${quiet ? " without asking" : ""}.`,
        "delete without /q so each deletion is confirmed",
      );
    else if (paths.some((word) => /^\*(\.\*)?$/.test(word)))
      add("rm-everything-here", "high", "Deletes every file in the folder.");
    else add("remove-item", "moderate", `Deletes ${paths.join(" ") || "files"}.`);
  }
  if (name === "format" && paths.some((word) => /^[A-Za-z]:$/.test(word)))
    add("disk-format", "critical", `Formats the drive ${paths[0] ?? ""}: everything on it is lost.`);
  if (name === "diskpart")
    add("partition-table", "high", "Opens the disk partition editor; a mistake wipes whole disks.");
  if (name === "vssadmin" && /delete\s+shadows|resize\s+shadowstorage/i.test(text))
    add(
      "shadow-copies-delete",
      "critical",
      "Deletes every Volume Shadow Copy, the system's backups (ransomware does this first).",
    );
  if (name === "wmic" && /shadowcopy\s+delete/i.test(text))
    add("shadow-copies-delete", "critical", "Deletes every Volume Shadow Copy, the system's backups.");
  if (name === "bcdedit" && !/^\/?(enum|v)$/i.test(words[1] ?? "") && words.length > 1)
    add("boot-config", "high", "Changes the boot configuration; the machine may not start or recover.");
  if (name === "cipher" && has(words, /^\/w/i))
    add("free-space-wipe", "moderate", "Overwrites free disk space.");
  if (name === "shutdown" && !has(words, /^\/a$/i))
    add("power-off", "high", "Shuts down or restarts the computer.");
  if (name === "taskkill")
    add(
      has(words, /^\/f$/i) && /\/im\s+\*/i.test(text) ? "kill-all-force" : "kill-process",
      has(words, /^\/f$/i) && /\/im\s+\*/i.test(text) ? "high" : "moderate",
      "Stops running processes.",
    );
  if (name === "reg" && /^(delete|add|import)$/i.test(words[1] ?? ""))
    add(
      "registry-change",
      /^hklm/i.test(words[2] ?? "") && /^delete$/i.test(words[1] ?? "") ? "high" : "moderate",
      "Changes the Windows registry.",
    );
  if (name === "netsh" && /firewall.*state\s+off|firewall\s+set\s+opmode\s+disable/i.test(text))
    add("firewall-disable", "high", "Turns off the Windows firewall.");
  if (name === "wevtutil" && /^(cl|clear-log)$/i.test(words[1] ?? ""))
    add("history-wipe", "high", "Erases Windows event logs.");
  if (name === "net" && /\buser\b.*\/(add|delete)|localgroup\s+administrators\s+.*\/add/i.test(text))
    add("account-change", "high", "Adds or deletes user accounts or administrators.");
  if (name === "powershell" || name === "pwsh") return [];
  if (
    findings.length === 0 &&
    !/^(dir|type|echo|cd|chdir|cls|ver|vol|where|whoami|hostname|ipconfig|systeminfo|tasklist|ping|tracert|nslookup|netstat|tree|more|findstr|find|set|path|date|time|title|help|fc|comp|sort|getmac|driverquery|wmic|sc|query|assoc|ftype|color|prompt|rem|@echo|pushd|popd|chcp|schtasks|arp|route|nbtstat|gpresult|certutil|fsutil|bcdedit)$/.test(
      name,
    )
  ) {
    add("state-change", "moderate", `Changes state (${words[0] ?? ""}).`);
  }
  return findings;
}

/**
 * Windows programs that run code or handle credentials: the shells themselves (`powershell -c`, `-EncodedCommand`,
 * `-File`, `cmd /c`), programs that start others (wmic process call create, runas, psexec, sudo, wsl), script
 * hosts and signed binaries that fetch or run code (mshta, rundll32, regsvr32, certutil, bitsadmin), reverse-shell
 * tools, and credential dumpers (mimikatz, procdump of lsass, comsvcs MiniDump, ntdsutil, cmdkey /list).
 */
import { decodeEncodedCommand } from "./windows-expressions.js";
import { classifyWindowsPath } from "./windows-paths.js";
import { hasArgument, type ToolContext } from "./windows-types.js";
import { judgeDeletion, judgeWrite } from "./windows-deletion.js";
import { CREDENTIAL_TOOLS } from "./windows-credential-tools.js";

type Rule = (context: ToolContext) => void;

const URL = /\bhttps?:\/\/|\\\\[\w.-]+\\[^\\\s]+/i;

/** A parameter of powershell.exe / pwsh that takes a value. */
const VALUE_PARAMETER =
  /^-(ex(ecutionpolicy)?|ep|exec|w(indowstyle)?|v(ersion)?|inputformat|if|outputformat|of|configurationname|config|workingdirectory|wd|settingsfile|psconsolefile|custompipename)$/i;

function downloadedName(word: string): string {
  return (word.split(/[\\/]/).pop() ?? word).toLowerCase().replace(/^"|"$/g, "");
}

/** Runs a script file: a file downloaded earlier in the script is remote code; any other is unknown code. */
export function judgeScriptFile(file: string, context: ToolContext): void {
  if (context.session.downloaded.has(downloadedName(file)))
    context.findings.add(
      "remote-script",
      context.session.elevated ? "critical" : "high",
      `Runs ${file}, which this command downloaded: code from the internet that cmdai cannot see.`,
      "download the script, read it, then run it",
    );
  else context.findings.add("script-file", "moderate", `Runs the script ${file}, which cmdai cannot read.`);
}

const powershell: Rule = (context) => {
  const { args, findings, name } = context;
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    const lower = word.toLowerCase();
    if (/^[-/](c|co|com|comm|comma|comman|command|commandwithargs|cwa)$/i.test(word)) {
      const script = args.slice(index + 1).join(" ");
      if (script.trim() === "-")
        findings.add(
          "unreadable-code",
          "high",
          "Runs PowerShell code it reads from its input, which cmdai cannot see.",
        );
      else context.runScript(script, "powershell");
      return;
    }
    if (/^[-/]e(c|n|nc|nco|ncod|ncode|ncoded|ncodedc\w*)?$/i.test(word)) {
      const decoded = decodeEncodedCommand(args[index + 1] ?? "");
      if (decoded === undefined) {
        findings.add("encoded-command", "high", "Runs base64-encoded PowerShell that cmdai cannot decode.");
        return;
      }
      findings.add(
        "encoded-command",
        "high",
        `Hides its script in base64 (-EncodedCommand); decoded it reads: ${decoded.slice(0, 80)}`,
        "run the script as plain text so it can be read",
      );
      context.runScript(decoded, "powershell");
      return;
    }
    if (/^[-/]f(i|il|ile)?$/i.test(word)) {
      judgeScriptFile(args[index + 1] ?? "", context);
      return;
    }
    if (VALUE_PARAMETER.test(word)) {
      index++;
      continue;
    }
    if (word === "-") {
      findings.add(
        "unreadable-code",
        "high",
        "Runs PowerShell code it reads from its input, which cmdai cannot see.",
      );
      return;
    }
    if (lower.startsWith("-") || lower.startsWith("/")) continue;
    // Windows PowerShell runs the remaining words as a command; pwsh runs a file unless told otherwise.
    if (name === "pwsh" && /\.ps1$/i.test(word)) judgeScriptFile(word, context);
    else context.runScript(args.slice(index).join(" "), "powershell");
    return;
  }
  if (context.session.elevated)
    findings.add(
      "root-shell",
      "high",
      "Opens an elevated PowerShell: anything typed there runs as administrator.",
    );
};

const cmd: Rule = (context) => {
  const index = context.args.findIndex((word) => /^\/[ckr]$/i.test(word));
  if (index !== -1) context.runScript(context.args.slice(index + 1).join(" "), "cmd");
  else if (context.session.elevated)
    context.findings.add(
      "root-shell",
      "high",
      "Opens an elevated command prompt: anything typed there runs as administrator.",
    );
};

const wmic: Rule = (context) => {
  const { args, lower, findings } = context;
  const words = args.filter(
    (word) =>
      !/^\/(node|user|password|namespace|locale|privileges|authority|impersonation|output|append|interactive|failfast):?/i.test(
        word,
      ),
  );
  const text = words.join(" ").toLowerCase();
  if (/\bshadowcopy\b.*\bdelete\b/.test(text))
    findings.add(
      "shadow-copies-delete",
      "critical",
      "Deletes the Volume Shadow Copies, the system's backups.",
    );
  else if (/\/format:\s*"?(https?:|\\\\)/.test(lower))
    findings.add(
      "remote-script",
      "high",
      "Runs a style sheet script fetched from the network (code cmdai cannot see).",
    );
  else if (/\bprocess\b.*\bcall\s+create\b/.test(text)) {
    const at = words.findIndex((word) => /^create$/i.test(word));
    const command = words.slice(at + 1).join(" ");
    findings.add("process-start", "moderate", `Starts a process: ${command}`);
    context.runScript(command, "cmd");
  } else if (/\b(call\s+(win32shutdown|shutdown|reboot))\b/.test(text))
    findings.add("power-off", "high", "Shuts down or restarts the computer.");
  else if (
    /\bproduct\b.*\bcall\s+uninstall\b/.test(text) &&
    /defender|antivirus|security|symantec|mcafee|sophos|crowdstrike|sentinel|eset|kaspersky|malwarebytes|bitdefender/.test(
      text,
    )
  )
    findings.add("security-weakening", "high", "Uninstalls security software.");
  else if (/\buseraccount\b.*\bset\b.*disabled\s*=\s*"?false|\buseraccount\b.*\bcall\s+rename\b/.test(text))
    findings.add("account-change", "high", "Enables or renames a user account.");
  else if (
    /\bprocess\b.*(lsass|csrss|wininit|winlogon|smss|services|svchost|msmpeng).*\b(delete|call\s+terminate)\b/.test(
      text,
    )
  )
    findings.add(
      "kill-critical-process",
      "high",
      "Ends a process Windows or its protection needs (the system may crash).",
    );
  else if (/\bservice\b.*(windefend|mpssvc|eventlog|wscsvc|sense).*\bcall\b/.test(text))
    findings.add("security-service-stop", "high", "Stops or changes a security service.");
  else if (/\b(call|delete|set|create)\b/.test(text))
    findings.add("state-change", "moderate", `Changes system state through WMI (wmic ${text}).`);
};

const diskpart: Rule = ({ args, findings }) => {
  findings.add(
    "partition-table",
    "high",
    hasArgument(args, /^\/s$/i)
      ? "Runs a diskpart script cmdai cannot read; a mistake wipes whole disks."
      : "Opens the disk partition editor; a mistake wipes whole disks.",
  );
};

const elevate =
  (skip: RegExp): Rule =>
  (context) => {
    const words: string[] = [];
    let index = 0;
    for (; index < context.args.length; index++) {
      const word = context.args[index] ?? "";
      if (skip.test(word)) {
        if (/^-(u|p|w|n|r|a)$/i.test(word)) index++;
        continue;
      }
      break;
    }
    words.push(...context.args.slice(index));
    // runas and sudo ask for an administrator; psexec runs as the given user unless -s (SYSTEM) or -h (elevated).
    const system = !/^(psexec|psexec64|paexec)$/.test(context.name) || hasArgument(context.args, /^-[sh]$/i);
    if (words.length === 0) return;
    if (/^"?(cmd|powershell|pwsh)(\.exe)?"?$/i.test(words[0] ?? "") && words.length === 1)
      context.findings.add(
        "root-shell",
        system ? "high" : "moderate",
        `Opens a shell as ${system ? "administrator or SYSTEM" : "another user"}.`,
      );
    else context.runWords(words.length === 1 ? (words[0] ?? "").split(/\s+/) : words, system);
  };

const rundll32: Rule = ({ lower, findings }) => {
  if (/comsvcs(\.dll)?.*minidump|minidump.*lsass/.test(lower))
    findings.add(
      "credential-dump",
      "critical",
      "Dumps the memory of a process (lsass) to read the passwords in it.",
    );
  else if (/javascript:|vbscript:|mshtml.*runhtmlapplication/.test(lower) || URL.test(lower))
    findings.add("remote-script", "high", "Runs script code or a file from the network through rundll32.");
  else findings.add("dll-code", "moderate", "Runs code from a DLL, which cmdai cannot read.");
};

const scriptHost =
  (message: string): Rule =>
  (context) => {
    const { lower, findings, args } = context;
    if (
      /scrobj\.dll|\/i:\s*"?https?:|javascript:|vbscript:/.test(lower) ||
      (context.name === "mshta" && URL.test(lower))
    )
      findings.add("remote-script", "high", `${message} from the network or inline, code cmdai cannot read.`);
    else {
      const file = args.find((word) => !word.startsWith("/") && !word.startsWith("-"));
      if (file !== undefined && context.session.downloaded.has(downloadedName(file)))
        findings.add("remote-script", "high", `Runs ${file}, which this command downloaded.`);
      else findings.add("script-file", "moderate", `${message} cmdai cannot read.`);
    }
  };

const certutil: Rule = (context) => {
  const { args, lower, findings, session } = context;
  if (/-urlcache|-verifyctl/.test(lower) && URL.test(lower)) {
    const file = args.filter((word) => !word.startsWith("-") && !URL.test(word)).at(-1);
    if (file !== undefined) session.downloaded.add(downloadedName(file));
    findings.add("download-to-file", "moderate", "Downloads a file.");
  } else if (/-decode(hex)?\b/.test(lower)) {
    const file = args.filter((word) => !word.startsWith("-")).at(-1);
    if (file !== undefined) session.downloaded.add(downloadedName(file));
    findings.add("decoded-payload", "moderate", "Decodes a file (often used to unpack a hidden program).");
  } else if (/-addstore\b.*\broot\b|-installcert/.test(lower))
    findings.add(
      "security-weakening",
      "high",
      "Installs a trusted root certificate: its owner can intercept encrypted traffic.",
    );
  else if (/-(delstore|setreg|importpfx|repairstore)\b/.test(lower))
    findings.add("certificate-change", "moderate", "Changes the certificate store.");
};

const download: Rule = (context) => {
  const { args, findings, session } = context;
  if (hasArgument(args, /^-(d|F|T)$|^--(data\S*|form|upload-file)$/))
    findings.add("upload", "moderate", "Sends data to a server.");
  const out = args.findIndex((word) => /^(-o|--output|-O|\/transfer)$/.test(word) || /^-\w*o$/.test(word));
  if (out !== -1) {
    const file = context.name === "bitsadmin" ? args.at(-1) : args[out + 1];
    if (file !== undefined) {
      session.downloaded.add(downloadedName(file));
      judgeWrite(file, "Downloads a file", findings, "https://");
    }
  } else if (context.name === "bitsadmin" && /\/(setnotifycmdline|create|addfile)\b/i.test(context.lower))
    findings.add("persistence", "high", "Sets up a background transfer job that can run a program.");
};

const robocopy: Rule = ({ args, findings }) => {
  const operands = args.filter((word) => !word.startsWith("/"));
  const destination = operands[1] ?? "";
  if (hasArgument(args, /^\/(mir|purge)$/i)) {
    const target = classifyWindowsPath(destination);
    if (target === "root")
      findings.add(
        "remove-item-root",
        "critical",
        `Mirrors into ${destination}, deleting everything there that the source lacks.`,
      );
    else if (
      target === "broad" ||
      target === "unresolved" ||
      target === "unsetVariable" ||
      target === "ordinary"
    )
      findings.add(
        "sync-delete",
        "high",
        `Deletes the files in ${destination} that are not in ${operands[0] ?? "the source"}.`,
      );
    else findings.add("sync-delete", "moderate", `Mirrors into ${destination}.`);
  } else if (hasArgument(args, /^\/mov(e)?$/i)) findings.add("move-item", "moderate", "Moves files.");
  else if (destination !== "") judgeWrite(destination, "Copies files", findings);
};

const wsl: Rule = (context) => {
  const { args, lower, findings } = context;
  if (/--unregister\b/.test(lower)) {
    findings.add("disk-delete", "high", "Deletes a Linux distribution and every file in it.");
    return;
  }
  let index = 0;
  while (index < args.length && /^-/.test(args[index] ?? "")) {
    if (/^(-d|--distribution|-u|--user|--cd)$/i.test(args[index] ?? "")) index++;
    if (/^(-e|--exec|--)$/.test(args[index] ?? "")) {
      index++;
      break;
    }
    index++;
  }
  const command = args.slice(index).join(" ");
  if (command.trim() !== "") context.runPosix(command);
};

/** `forfiles /p DIR /s /m MASK /c "cmd /c … @path"`: the command runs on every file under DIR. */
const forfiles: Rule = (context) => {
  const { args, findings } = context;
  const folder = args.find((_, index) => /^\/p$/i.test(args[index - 1] ?? "")) ?? ".";
  const command = args.find((_, index) => /^\/c$/i.test(args[index - 1] ?? "")) ?? "cmd /c echo @file";
  if (/\b(del|erase|rd|rmdir|remove-item|rm)\b/i.test(command)) {
    judgeDeletion(
      { targets: [folder], recursive: hasArgument(args, /^\/s$/i), force: true, command: context.lower },
      findings,
    );
    return;
  }
  context.runScript(command.replace(/@(path|file|fname)/gi, `"${folder.replace(/\\$/, "")}\\*"`), "cmd");
};

/** Sysinternals sdelete: deletes files so they cannot be recovered (`-s` recursively, `-z`/`-c` free space). */
const sdelete: Rule = ({ args, findings, lower }) => {
  const targets = args.filter((word) => !/^-/.test(word) && !/^\d+$/.test(word));
  if (/(^|\s)-[zc]\b/.test(lower))
    findings.add(
      "free-space-wipe",
      "high",
      "Overwrites free disk space, so deleted files can never be recovered.",
    );
  else {
    judgeDeletion(
      { targets, recursive: hasArgument(args, /^-[sr]$/i), force: true, command: lower },
      findings,
    );
    findings.add(
      "shred-files",
      "high",
      `Securely deletes ${targets.join(" ")}: the files cannot be recovered.`,
    );
  }
};

/** Rules for the programs that run code or handle credentials, by name. */
export const CODE_TOOLS: Record<string, Rule> = {
  ...CREDENTIAL_TOOLS,
  powershell,
  pwsh: powershell,
  powershell_ise: powershell,
  cmd,
  wmic,
  diskpart,
  runas: elevate(
    /^\/(savecred|noprofile|profile|env|netonly|smartcard|showtrustlevels|trustlevel:.*|user:.*)$/i,
  ),
  psexec: elevate(/^(\\\\.*|-[a-z]+|-accepteula)$/i),
  psexec64: elevate(/^(\\\\.*|-[a-z]+|-accepteula)$/i),
  paexec: elevate(/^(\\\\.*|-[a-z]+)$/i),
  sudo: elevate(/^(--\w+|-[a-z])$/i),
  gsudo: elevate(/^(--\w+|-[a-z])$/i),
  wsl,
  bash: wsl,
  rundll32,
  regsvr32: scriptHost("Registers a DLL or runs a scriptlet"),
  mshta: scriptHost("Runs an HTML application"),
  cscript: scriptHost("Runs a script"),
  wscript: scriptHost("Runs a script"),
  certutil,
  curl: download,
  wget: download,
  bitsadmin: download,
  robocopy,
  forfiles,
  sdelete,
  sdelete64: sdelete,
};

/**
 * PowerShell cmdlets: deletes, moves and writes (judged like their bash counterparts), disks, power, execution
 * policy, Defender and firewall, event logs and history, accounts, services, scheduled tasks, registry
 * persistence, processes, downloads and Start-Process. Parameters match by any unambiguous prefix, as PowerShell
 * does (`-Rec`, `-r`, `-Fo`), and names are case-insensitive.
 */
import { judgeDeletion, judgeMove, judgeWrite } from "./windows-deletion.js";
import {
  classifyWindowsPath,
  isWindowsSystemPath,
  STARTUP_LOCATION,
  WINDOWS_CREDENTIAL_FILE,
} from "./windows-paths.js";
import { isPersistenceKey } from "./windows-system-tools.js";
import { SECURITY_CMDLETS } from "./windows-security-cmdlets.js";
import { judgeScriptFile } from "./windows-code-tools.js";
import type { ToolContext, WindowsStatement } from "./windows-types.js";
import { hasSwitch, parameterName, parameterValue, positionals } from "./windows-parameters.js";

export type Cmdlet = (
  context: ToolContext,
  statement: WindowsStatement,
  previous: WindowsStatement | undefined,
) => void;

function pathsOf(args: readonly string[]): string[] {
  const named = [
    parameterValue(args, "path", 1),
    parameterValue(args, "literalpath", 1) ?? parameterValue(args, "pspath", 2),
  ];
  return [...named.filter((word): word is string => word !== undefined), ...positionals(args)];
}

const REGISTRY = /^(hk(lm|cu|cr|u|cc):|registry::|hkey_)/i;

const removeItem: Cmdlet = ({ args, findings }, statement, previous) => {
  if (hasSwitch(args, "whatif", 2)) return;
  let targets = pathsOf(args);
  let recursive = hasSwitch(args, "recurse") || hasSwitch(args, "rf");
  const force = hasSwitch(args, "force") || hasSwitch(args, "rf");
  const confirms = hasSwitch(args, "confirm", 2);
  const registry = targets.find((word) => REGISTRY.test(word));
  if (registry !== undefined) {
    if (isPersistenceKey(registry.replace(/\//g, "\\")))
      findings.add("registry-change", "moderate", `Deletes the start-up entry ${registry}.`);
    else if (/^(hklm|hkcr|registry::hkey_local_machine|hkey_local_machine)/i.test(registry))
      findings.add(
        "registry-delete",
        "high",
        `Deletes ${registry}, registry keys the system or programs need.`,
      );
    else findings.add("registry-change", "moderate", `Deletes the registry key ${registry}.`);
    return;
  }
  if (targets.length === 0 && previous?.pipedToNext === true) {
    // `Get-ChildItem C:\ -Recurse | Remove-Item` deletes what the previous command lists.
    const source = previous.words.slice(1);
    const filter = parameterValue(source, "filter", 1) ?? parameterValue(source, "include", 1);
    const filtered =
      (filter !== undefined && !/^\*(\.\*)?$/.test(filter)) ||
      positionals(source).some((word) => /\*\.\w+$|\.\w+$/.test(word));
    const sourceRecursive = hasSwitch(source, "recurse");
    const from = pathsOf(source).filter((word) => !/\*\.\w+$/.test(word));
    targets = from.length > 0 ? from : ["."];
    if (filtered) {
      const root = targets.find((word) => classifyWindowsPath(word) === "root");
      if (root !== undefined && isWindowsSystemPath(root))
        findings.add(
          "remove-item-root",
          "critical",
          `Deletes every matching file in ${root}, a system folder.`,
        );
      else if (root !== undefined && sourceRecursive)
        findings.add(
          "remove-matching-system",
          "high",
          `Deletes every matching file under ${root}, a drive or system folder.`,
        );
      else findings.add("remove-item", "moderate", "Deletes the files the previous command lists.");
      return;
    }
    recursive ||= sourceRecursive;
  }
  judgeDeletion({ targets, recursive, force, confirms, command: statement.text }, findings);
};

const clearContent: Cmdlet = ({ args, findings }) => {
  if (hasSwitch(args, "whatif", 2)) return;
  const target = pathsOf(args)[0] ?? "";
  judgeWrite(target, "Empties", findings);
};

const moveItem: Cmdlet = ({ args, findings }, statement) => {
  if (hasSwitch(args, "whatif", 2)) return;
  judgeMove(pathsOf(args).slice(0, 1), statement.text, findings);
};

const copyItem: Cmdlet = ({ args, findings }) => {
  if (hasSwitch(args, "whatif", 2)) return;
  const sources = pathsOf(args);
  const destination = parameterValue(args, "destination", 1) ?? positionals(args)[1] ?? "";
  const credential = sources.find((word) => WINDOWS_CREDENTIAL_FILE.test(word));
  if (credential !== undefined)
    findings.add(
      /harddiskvolumeshadowcopy|[\\/]config[\\/]|ntds/i.test(credential)
        ? "credential-dump"
        : "credential-read",
      /harddiskvolumeshadowcopy|[\\/]config[\\/]|ntds/i.test(credential) ? "critical" : "high",
      `Copies ${credential}, which holds passwords or keys.`,
    );
  judgeWrite(destination, "Copies files", findings);
};

const writeContent: Cmdlet = ({ args, findings }, statement) => {
  if (hasSwitch(args, "whatif", 2)) return;
  const target = parameterValue(args, "filepath", 1) ?? pathsOf(args)[0] ?? "";
  const name = (statement.words[0] ?? "").toLowerCase();
  if (/new-item|^ni$/.test(name) && REGISTRY.test(target)) {
    registryWrite({ args, findings, target });
    return;
  }
  const content = parameterValue(args, "value", 1) ?? positionals(args)[1] ?? "";
  judgeWrite(target, /add-content|^ac$/.test(name) ? "Appends to" : "Writes", findings, content);
};

function registryWrite({
  args,
  findings,
  target,
}: {
  args: readonly string[];
  findings: ToolContext["findings"];
  target: string;
}): void {
  const key = target.replace(/\//g, "\\");
  const text = args.join(" ");
  if (isPersistenceKey(key) || STARTUP_LOCATION.test(key))
    findings.add(
      "persistence",
      "high",
      `Writes to ${target}, which Windows runs at start-up or log-on (persistence).`,
    );
  else if (
    /disableantispyware|disablerealtimemonitoring|enablelua|fdenytsconnections|uselogoncredential|localaccounttokenfilterpolicy|consentpromptbehavioradmin|tamperprotection|enablefirewall/i.test(
      text,
    )
  )
    findings.add("security-weakening", "high", "Changes a registry setting that turns off Windows security.");
  else if (
    /^(hklm|registry::hkey_local_machine|hkey_local_machine):?\\(system|software\\(microsoft|policies))/i.test(
      key,
    )
  )
    findings.add("registry-system", "high", `Changes system settings in ${target}.`);
  else findings.add("registry-change", "moderate", `Changes the registry (${target}).`);
}

const itemProperty: Cmdlet = ({ args, findings }, statement) => {
  const target = pathsOf(args)[0] ?? "";
  if (/^remove|^rp$/i.test(statement.words[0] ?? "")) {
    if (/^(hklm|registry::hkey_local_machine|hkey_local_machine)/i.test(target))
      findings.add(
        "registry-delete",
        "high",
        `Deletes values from ${target}, which the system or programs need.`,
      );
    else findings.add("registry-change", "moderate", `Deletes registry values in ${target}.`);
    return;
  }
  registryWrite({ args, findings, target });
};

const readContent: Cmdlet = ({ args, findings }) => {
  const target = pathsOf(args).find((word) => WINDOWS_CREDENTIAL_FILE.test(word));
  if (target !== undefined)
    findings.add("credential-read", "high", `Reads ${target}, which holds passwords or keys.`);
};

const startProcess: Cmdlet = (context) => {
  const { args } = context;
  const file = parameterValue(args, "filepath", 1) ?? positionals(args)[0] ?? "";
  const listed = parameterValue(args, "argumentlist", 1) ?? parameterValue(args, "args", 2);
  const index = listed === undefined ? -1 : args.indexOf(listed);
  // The argument list runs to the next parameter: `-ArgumentList '-c','Remove-Item …'` arrives as several words.
  const rest: string[] = [];
  if (index !== -1)
    for (const word of args.slice(index)) {
      if (
        rest.length > 0 &&
        parameterName(word) !== undefined &&
        /^-(verb|wait|windowstyle|nonewwindow|passthru|workingdirectory|credential|redirect\w*|loaduserprofile|usenewenvironment)/i.test(
          word,
        )
      )
        break;
      rest.push(word);
    }
  else rest.push(...positionals(args).slice(1));
  const elevated = /^runas$/i.test(parameterValue(args, "verb", 1) ?? "");
  if (/^https?:/i.test(file)) {
    context.findings.add("open-url", "moderate", `Opens ${file}.`);
    return;
  }
  if (
    /\.(ps1|bat|cmd|vbs|js|hta|exe|msi)$/i.test(file) &&
    context.session.downloaded.has((file.split(/[\\/]/).pop() ?? "").toLowerCase())
  ) {
    judgeScriptFile(file, context);
    return;
  }
  // PowerShell joins the argument list with spaces and hands that command line over as it is.
  context.runWords([file, ...rest], elevated);
};

const stopProcess: Cmdlet = ({ args, findings }, _statement, previous) => {
  const names = [
    parameterValue(args, "name", 1),
    parameterValue(args, "processname", 2),
    ...positionals(args),
  ].filter((word): word is string => word !== undefined);
  if (
    names.some((word) => /^(lsass|csrss|wininit|winlogon|smss|services|svchost|msmpeng)(\.exe)?$/i.test(word))
  )
    findings.add(
      "kill-critical-process",
      "high",
      "Ends a process Windows or its protection needs (the system may crash).",
    );
  else if (
    names.includes("*") ||
    (previous?.pipedToNext === true &&
      /^(get-process|gps|ps)$/i.test(previous.words[0] ?? "") &&
      previous.words.length === 1)
  )
    findings.add("kill-all-force", "high", "Ends every process at once.");
  else findings.add("kill-process", "moderate", "Stops running processes.");
};

const high =
  (rule: string, message: string): Cmdlet =>
  ({ findings }) => {
    findings.add(rule, "high", message);
  };
const critical =
  (rule: string, message: string): Cmdlet =>
  ({ findings }) => {
    findings.add(rule, "critical", message);
  };

const webRequest: Cmdlet = ({ args, findings, session }) => {
  const out = parameterValue(args, "outfile", 1) ?? parameterValue(args, "destination", 1);
  if (/-(method|m)\s+(post|put)|-infile\b/i.test(args.join(" ")))
    findings.add("upload", "moderate", "Sends data to a server.");
  if (out !== undefined) {
    session.downloaded.add((out.split(/[\\/]/).pop() ?? out).toLowerCase());
    judgeWrite(out, "Downloads a file", findings, "https://");
  }
};

const wmiMethod: Cmdlet = (context) => {
  const text = context.args.join(" ");
  if (/win32_process/i.test(text) && /\bcreate\b/i.test(text)) {
    const command =
      parameterValue(context.args, "argumentlist", 1) ?? /commandline\s*=\s*(.*?)\}?$/i.exec(text)?.[1] ?? "";
    context.findings.add("process-start", "moderate", `Starts a process through WMI: ${command}`);
    context.runScript(command.replace(/^['"]|['"]$/g, ""), "cmd");
  } else context.findings.add("state-change", "moderate", "Changes system state through WMI.");
};

const invokeCommand: Cmdlet = (context) => {
  const file = parameterValue(context.args, "filepath", 1);
  if (file !== undefined) judgeScriptFile(file, context);
};

const disk = critical("disk-format", "Formats or wipes a disk or partition: everything on it is lost.");

/** Rules for cmdlets, by canonical lower-case name. */
export const CMDLETS: Record<string, Cmdlet> = {
  ...SECURITY_CMDLETS,
  "remove-item": removeItem,
  "clear-content": clearContent,
  "clear-item": clearContent,
  "move-item": moveItem,
  "rename-item": moveItem,
  "copy-item": copyItem,
  "set-content": writeContent,
  "add-content": writeContent,
  "out-file": writeContent,
  "new-item": writeContent,
  "tee-object": writeContent,
  "export-csv": writeContent,
  "export-clixml": writeContent,
  "new-itemproperty": itemProperty,
  "set-itemproperty": itemProperty,
  "remove-itemproperty": itemProperty,
  "get-content": readContent,
  "select-string": readContent,
  "get-item": readContent,
  "format-volume": disk,
  "clear-disk": disk,
  "remove-partition": disk,
  "remove-physicaldisk": disk,
  "reset-physicaldisk": disk,
  "initialize-disk": ({ findings }) => {
    // It only works on a disk that has no partition table yet.
    findings.add("disk-change", "moderate", "Initializes a new disk with a partition table.");
  },
  "clear-recyclebin": high(
    "recycle-bin-empty",
    "Empties the Recycle Bin: the files in it cannot be restored.",
  ),
  "stop-computer": high("power-off", "Shuts down the computer."),
  "restart-computer": high("power-off", "Restarts the computer."),
  "start-process": startProcess,
  "stop-process": stopProcess,
  "register-scheduledtask": high(
    "persistence",
    "Registers a scheduled task, a program Windows runs by itself (persistence).",
  ),
  "set-scheduledtask": high("persistence", "Changes what a scheduled task runs (persistence)."),
  "register-scheduledjob": high("persistence", "Registers a scheduled job (persistence)."),
  "clear-eventlog": high("history-wipe", "Erases Windows event logs."),
  "remove-eventlog": high("history-wipe", "Deletes a Windows event log."),
  "limit-eventlog": high("history-wipe", "Shrinks an event log so older entries are lost."),
  "clear-history": high("history-wipe", "Erases the command history."),
  "disable-computerrestore": high(
    "backup-change",
    "Turns off System Restore, so restore points are no longer made.",
  ),
  "disable-bitlocker": high("security-weakening", "Turns off BitLocker disk encryption."),
  "suspend-bitlocker": high("security-weakening", "Suspends BitLocker disk encryption."),
  "invoke-webrequest": webRequest,
  "invoke-restmethod": webRequest,
  "start-bitstransfer": webRequest,
  "invoke-wmimethod": wmiMethod,
  "invoke-cimmethod": wmiMethod,
  "invoke-command": invokeCommand,
  "uninstall-windowsfeature": ({ lower, findings }) => {
    findings.add(
      /defender/.test(lower) ? "antivirus-disable" : "state-change",
      /defender/.test(lower) ? "high" : "moderate",
      "Removes a Windows feature.",
    );
  },
};

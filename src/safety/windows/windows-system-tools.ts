/**
 * Windows system programs that both shells run the same way: disks and backups (format, diskpart, vssadmin,
 * wbadmin, bcdedit, fsutil, cipher), permissions (icacls, cacls, takeown), services and tasks (sc, schtasks),
 * the registry (reg), firewall and logs (netsh, wevtutil, auditpol), accounts (net), power (shutdown), processes
 * (taskkill). Each rule names what the command would do; read-only forms (`sc query`, `reg query`, `icacls file`)
 * stay safe.
 */
import { classifyWindowsPath, isWindowsSystemPath, WINDOWS_CREDENTIAL_FILE } from "./windows-paths.js";
import { hasArgument, type ToolContext } from "./windows-types.js";
import { ADMIN_TOOLS, SECURITY_SERVICE } from "./windows-admin-tools.js";

type Rule = (context: ToolContext) => void;

function operandsOf(args: readonly string[]): string[] {
  return args.filter((word) => !/^\/[a-z?]{1,3}(:.*)?$/i.test(word) && !/^-[a-z]/i.test(word));
}

const format: Rule = ({ args, findings }) => {
  if (hasArgument(args, /^\/\?$/)) return;
  const drive = args.find((word) => /^[a-z]:\\?$/i.test(word));
  if (drive !== undefined)
    findings.add("disk-format", "critical", `Formats the drive ${drive}: everything on it is lost.`);
  else findings.add("disk-format", "high", "Formats a volume: everything on it is lost.");
};

const vssadmin: Rule = ({ lower, findings }) => {
  if (/\bdelete\s+shadows\b|\bresize\s+shadowstorage\b/.test(lower))
    findings.add(
      "shadow-copies-delete",
      "critical",
      "Deletes the Volume Shadow Copies, the system's restore points and backups (ransomware does this first).",
    );
  else if (!/^\s*(list|query|\/\?)/.test(lower))
    findings.add("backup-change", "moderate", "Changes shadow copies.");
};

const wbadmin: Rule = ({ lower, findings }) => {
  if (/\bdelete\s+(catalog|systemstatebackup|backup)\b/.test(lower))
    findings.add(
      "backup-delete",
      "critical",
      "Deletes Windows backups or their catalog: they cannot be restored.",
    );
  else if (/\bdisable\s+backup\b/.test(lower))
    findings.add("backup-change", "high", "Turns off scheduled backups.");
  else if (!/^\s*(get|\/\?)/.test(lower))
    findings.add("backup-change", "moderate", "Runs or changes a backup.");
};

const bcdedit: Rule = ({ args, lower, findings }) => {
  if (args.length === 0 || /^\s*\/(enum|v)\b|^\s*\/\?/.test(lower)) return;
  if (/^\s*\/delete\s+\{(current|default|bootmgr)\}/.test(lower))
    findings.add("boot-config", "critical", "Deletes the boot entry Windows starts from: it will not boot.");
  else if (/^\s*\/(export|timeout)\b/.test(lower))
    findings.add("boot-config", "moderate", "Changes boot settings.");
  else
    findings.add(
      "boot-config",
      "high",
      /recoveryenabled\s+no|bootstatuspolicy\s+ignoreallfailures/.test(lower)
        ? "Turns off Windows recovery, so a damaged system cannot repair itself (ransomware does this)."
        : "Changes the boot configuration; the machine may not start or recover.",
    );
};

const fsutil: Rule = ({ args, lower, findings }) => {
  const [area = "", action = ""] = args.map((word) => word.toLowerCase());
  if (
    args.length === 0 ||
    area === "fsinfo" ||
    /^(query|list|diskfree|enum|layout|info|queryjournal|readdata|stat)/.test(action) ||
    area === "/?"
  )
    return;
  if (area === "usn" && action === "deletejournal")
    findings.add(
      "history-wipe",
      "high",
      "Deletes the file system's change journal, erasing the record of file changes.",
    );
  else if (area === "file" && action === "createnew") {
    const size = Number(args[3] ?? 0);
    if (size >= 10_000_000_000)
      findings.add("resource-exhaustion", "high", "Creates a file large enough to fill the disk.");
    else findings.add("file-write", "moderate", `Creates the file ${args[2] ?? ""}.`);
  } else if (area === "file" && action === "setzerodata")
    findings.add(
      "shred-files",
      "high",
      `Overwrites ${args.at(-1) ?? "a file"} with zeros: its data cannot be recovered.`,
    );
  else if (area === "volume" && /^dismount/.test(action))
    findings.add("disk-change", "high", "Dismounts a volume while programs may be using it.");
  else findings.add("file-system-change", "moderate", `Changes file system settings (fsutil ${lower}).`);
};

const cipher: Rule = ({ args, findings }) => {
  if (hasArgument(args, /^\/w/i))
    findings.add(
      "free-space-wipe",
      "high",
      "Overwrites all free disk space, so deleted files can never be recovered (used after ransomware).",
    );
  else if (hasArgument(args, /^\/[edrkxu]\b/i))
    findings.add("encryption-change", "moderate", "Encrypts or decrypts files.");
};

const icacls: Rule = ({ name, args, lower, findings }) => {
  const changes =
    name === "cacls"
      ? hasArgument(args, /^\/[egpdr]$/i)
      : hasArgument(
          args,
          /^\/(grant|deny|remove|setowner|reset|setintegritylevel|inheritance|restore|substitute)/i,
        );
  if (!changes) {
    if (hasArgument(args, /^\/save$/i))
      findings.add("file-write", "moderate", "Saves permissions to a file.");
    return;
  }
  const target = operandsOf(args)[0] ?? "";
  const recursive = hasArgument(args, /^\/t$/i);
  const everyone = /everyone|\*s-1-1-0|users|authenticated users|guest/.test(lower);
  if (WINDOWS_CREDENTIAL_FILE.test(target))
    findings.add(
      "permission-critical-file",
      "critical",
      `Changes who can read ${target}, which holds the system's credentials.`,
    );
  else if (classifyWindowsPath(target) === "root")
    findings.add(
      "permission-system",
      recursive ? "critical" : "high",
      `${recursive ? "Recursively changes" : "Changes"} the permissions of ${target}${everyone ? ", opening it to every user" : ""}.`,
    );
  else if (isWindowsSystemPath(target))
    findings.add("permission-system", "high", `Changes the permissions of the system file ${target}.`);
  else findings.add("permission-change", "moderate", `Changes the permissions of ${target}.`);
};

const takeown: Rule = ({ args, findings }) => {
  const index = args.findIndex((word) => /^\/f$/i.test(word));
  const target = index === -1 ? "" : (args[index + 1] ?? "");
  const recursive = hasArgument(args, /^\/r$/i);
  if (classifyWindowsPath(target) === "root")
    findings.add(
      "ownership-system",
      recursive ? "critical" : "high",
      `Takes ownership of ${target}${recursive ? " and everything in it" : ""}.`,
    );
  else if (isWindowsSystemPath(target) || WINDOWS_CREDENTIAL_FILE.test(target))
    findings.add("ownership-system", "high", `Takes ownership of the system file ${target}.`);
  else if (target !== "") findings.add("ownership-change", "moderate", `Takes ownership of ${target}.`);
};

const sc: Rule = ({ args, findings }) => {
  const words = args[0]?.startsWith("\\\\") === true ? args.slice(1) : args;
  const action = (words[0] ?? "").toLowerCase();
  const service = words[1] ?? "";
  const security = SECURITY_SERVICE.test(service);
  if (
    action === "" ||
    /^(query|queryex|qc|qdescription|qfailure\w*|qsidtype|qprivs|qtriggerinfo|qpreferrednode|qmanagedaccount|qprotection|getdisplayname|getkeyname|enumdepend|sdshow|showsid|\/\?)$/.test(
      action,
    )
  )
    return;
  if (action === "create")
    findings.add(
      "persistence",
      "high",
      `Installs the service ${service}, a program Windows starts by itself (persistence).`,
    );
  else if (security && /^(stop|delete|config|pause|failure|sdset)$/.test(action))
    findings.add(
      "security-service-stop",
      "high",
      `${action === "delete" ? "Deletes" : action === "config" ? "Reconfigures" : "Stops"} ${service}, a security service (antivirus, firewall, logging or backups).`,
    );
  else if (
    (action === "config" && hasArgument(words, /^binpath=/i)) ||
    (action === "failure" && hasArgument(words, /^command=/i))
  )
    findings.add("persistence", "high", `Changes the program the service ${service} runs.`);
  else if (action === "sdset")
    findings.add("service-permissions", "high", `Changes who may control ${service}.`);
  else findings.add("service-change", "moderate", `Changes the service ${service} (sc ${action}).`);
};

const schtasks: Rule = (context) => {
  const { args, findings } = context;
  const action = (
    args.find((word) => /^\/(create|delete|run|end|change|query|showsid)$/i.test(word)) ?? ""
  ).toLowerCase();
  if (action === "/query" || action === "/showsid" || action === "") return;
  const command = valueAfter(args, /^\/tr$/i);
  if (command !== undefined) context.runScript(command, "cmd");
  if (action === "/create" || (action === "/change" && command !== undefined))
    findings.add(
      "persistence",
      "high",
      `Schedules ${command ?? "a program"} to run by itself (persistence).`,
    );
  else findings.add("scheduled-task-change", "moderate", `Changes a scheduled task (schtasks ${action}).`);
};

const reg: Rule = ({ args, findings }) => {
  const action = (args[0] ?? "").toLowerCase();
  const key = args[1] ?? "";
  const machine = /^(hklm|hkey_local_machine|hkcr|hkey_classes_root)/i.test(key);
  const hive = /^(hklm|hkey_local_machine)\\(sam|security|system)\\?$/i.test(key);
  if (action === "query" || action === "compare" || action === "/?" || action === "") return;
  if ((action === "save" || action === "export") && hive)
    findings.add(
      "credential-dump",
      "critical",
      `Copies the ${key} hive, which holds the password hashes of every account.`,
    );
  else if (action === "add" && isPersistenceKey(key))
    findings.add(
      "persistence",
      "high",
      `Adds a program to ${key}, which Windows runs at start-up or log-on (persistence).`,
    );
  else if (action === "add" && isSecurityValue(args.join(" ")))
    findings.add(
      "security-weakening",
      "high",
      "Changes a registry setting that turns off Windows security (Defender, UAC, RDP, credential protection).",
    );
  else if (action === "delete" && machine && !isPersistenceKey(key))
    findings.add("registry-delete", "high", `Deletes ${key}, registry keys the system or programs need.`);
  else if (
    action === "add" &&
    /^(hklm|hkey_local_machine)\\(system|software\\(microsoft|policies|wow6432node\\microsoft))/i.test(key)
  )
    findings.add("registry-system", "high", `Changes system settings in ${key}.`);
  else if (action === "restore")
    findings.add("registry-system", "high", `Overwrites the registry key ${key}.`);
  else findings.add("registry-change", "moderate", `Changes the Windows registry (${key}).`);
};

/** Registry keys whose values Windows runs: Run/RunOnce, Winlogon, IFEO debuggers, AppInit, services. */
export function isPersistenceKey(key: string): boolean {
  return /currentversion\\(run|runonce|runservices|runonceex)\b|\\winlogon\b|image file execution options|appinit_dlls|\\policies\\explorer\\run|\\services\\[^\\]+\\(imagepath|parameters)|\\shell\\open\\command|environment\\?$|\\silentprocessexit/i.test(
    key,
  );
}

function isSecurityValue(text: string): boolean {
  return /disableantispyware|disablerealtimemonitoring|disablebehaviormonitoring|disableioavprotection|disableantivirus|\benablelua\b.*\b0\b|fdenytsconnections.*\b0\b|uselogoncredential.*\b1\b|localaccounttokenfilterpolicy|consentpromptbehavioradmin.*\b0\b|disablerestrictedadmin|tamperprotection|\\safeboot\\|runasppl.*\b0\b|enablefirewall.*\b0\b/i.test(
    text,
  );
}

function valueAfter(args: readonly string[], flag: RegExp): string | undefined {
  const index = args.findIndex((word) => flag.test(word));
  return index === -1 ? undefined : args[index + 1];
}

/** Rules for the system programs, by name. */
export const SYSTEM_TOOLS: Record<string, Rule> = {
  format,
  vssadmin,
  wbadmin,
  bcdedit,
  fsutil,
  cipher,
  icacls,
  cacls: icacls,
  xcacls: icacls,
  takeown,
  sc,
  schtasks,
  reg,
  ...ADMIN_TOOLS,
};

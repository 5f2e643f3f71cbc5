/**
 * Windows administration programs: firewall and network (netsh), event logs and auditing (wevtutil, auditpol),
 * accounts and services (net), power (shutdown), processes (taskkill), attributes, and programs whose changes are
 * ordinary (setx, route, winget, dism …) with their read-only forms.
 */
import { hasArgument, type ToolContext } from "./windows-types.js";

type Rule = (context: ToolContext) => void;

/** Services whose loss turns off antivirus, firewall, logging, backups or security updates. */
export const SECURITY_SERVICE =
  /^"?(windefend|wdnissvc|wdnisdrv|wdfilter|wdboot|sense|securityhealthservice|wscsvc|mpssvc|mpsdrv|bfe|eventlog|sysmon(64)?|msmpsvc|vss|wbengine|swprv|sdrsvc|sgrmbroker|appidsvc|csfalconservice|sentinelagent|cylancesvc|sophos\w*|mcshield|ekrn|avp|mbamservice|windows defender.*|windows firewall|wuauserv|mdcoresvc|webthreatdefsvc)"?$/i;

/** Processes whose end crashes Windows or stops its protection. */
const CRITICAL_PROCESS =
  /^"?(lsass|csrss|wininit|winlogon|smss|services|svchost|system|msmpeng|mpdefendercoreservice|nissrv|securityhealthservice|sysmon(64)?)(\.exe)?"?$/i;

function operandsOf(args: readonly string[]): string[] {
  return args.filter((word) => !/^\/[a-z?]{1,3}(:.*)?$/i.test(word) && !/^-[a-z]/i.test(word));
}

function valueAfter(args: readonly string[], flag: RegExp): string | undefined {
  const index = args.findIndex((word) => flag.test(word));
  return index === -1 ? undefined : args[index + 1];
}

const netsh: Rule = ({ lower, findings }) => {
  if (/firewall.*\bstate\s+off\b|firewall\s+set\s+opmode\s+(mode=)?disable/.test(lower))
    findings.add("firewall-disable", "high", "Turns off the Windows firewall.");
  else if (/firewall\s+delete\s+rule\s+name=\s*"?all/.test(lower))
    findings.add("firewall-disable", "high", "Deletes every firewall rule.");
  else if (/\bwlan\s+(show|export)\s+profile.*key\s*=\s*clear/.test(lower))
    findings.add("credential-read", "high", "Shows the saved Wi-Fi passwords in clear text.");
  else if (/^\s*add\s+helper\b/.test(lower))
    findings.add("persistence", "high", "Registers a DLL that netsh loads every time it runs (persistence).");
  else if (!/\b(show|dump|\?)\b/.test(lower) || /\b(set|add|delete|reset)\b/.test(lower))
    findings.add("network-change", "moderate", `Changes network settings (netsh ${lower}).`);
};

const wevtutil: Rule = ({ args, lower, findings }) => {
  const action = (args[0] ?? "").toLowerCase();
  if (action === "cl" || action === "clear-log")
    findings.add("history-wipe", "high", "Erases Windows event logs.");
  else if ((action === "sl" || action === "set-log") && /\/e(nabled)?:false/.test(lower))
    findings.add("history-wipe", "high", "Turns off a Windows event log.");
  else if (
    !/^(qe|query-events|gl|get-log|el|enum-logs|gli|get-loginfo|ep|enum-publishers|gp|get-publisher|\/\?)$/.test(
      action,
    )
  )
    findings.add("log-change", "moderate", "Changes event log settings.");
};

const auditpol: Rule = ({ lower, findings }) => {
  if (/\/clear|\/remove|(success|failure):disable/.test(lower))
    findings.add("history-wipe", "high", "Turns off or clears Windows auditing.");
  else if (!/^\s*\/(get|list|backup|\?)/.test(lower))
    findings.add("audit-change", "moderate", "Changes audit policy.");
};

const net: Rule = ({ args, lower, findings }) => {
  const area = (args[0] ?? "").toLowerCase();
  const operands = operandsOf(args.slice(1));
  if (area === "user" || area === "users") {
    if (/\/(add|delete|del)\b|\/active:yes/.test(lower) || operands.length >= 2)
      findings.add(
        "account-change",
        "high",
        "Adds, deletes or enables a user account, or sets its password.",
      );
  } else if (area === "localgroup" || area === "group") {
    if (
      /\badministrators\b|domain admins|enterprise admins|remote desktop users/.test(lower) &&
      /\/add\b/.test(lower)
    )
      findings.add(
        "privilege-grant",
        "high",
        "Adds an account to the administrators: it gets full control of the machine.",
      );
    else if (/\/(add|delete|del)\b/.test(lower))
      findings.add("account-change", "moderate", "Changes group membership.");
  } else if (area === "stop" || area === "start" || area === "pause") {
    const service = operandsOf(args.slice(1)).join(" ");
    if (area === "start" && args.length === 1) return;
    if (area !== "start" && SECURITY_SERVICE.test(service))
      findings.add("security-service-stop", "high", `Stops ${service}, a security service.`);
    else
      findings.add(
        "service-change",
        "moderate",
        `${area === "start" ? "Starts" : "Stops"} the service ${service}.`,
      );
  } else if (/^(share|use|accounts|time)$/.test(area) && operands.length + (lower.includes("/") ? 1 : 0) > 0)
    findings.add("network-change", "moderate", `Changes ${area} settings.`);
};

const shutdown: Rule = ({ args, findings }) => {
  if (hasArgument(args, /^[/-](a|\?)$/i) || args.length === 0) return;
  if (hasArgument(args, /^[/-](l|h|i)$/i) && !hasArgument(args, /^[/-](s|r|p|g|sg)$/i))
    findings.add("log-off", "moderate", "Logs off or hibernates.");
  else findings.add("power-off", "high", "Shuts down or restarts the computer.");
};

const taskkill: Rule = ({ args, lower, findings }) => {
  const image = valueAfter(args, /^\/im$/i) ?? "";
  if (CRITICAL_PROCESS.test(image))
    findings.add(
      "kill-critical-process",
      "high",
      `Ends ${image}, which Windows or its protection needs (the system may crash).`,
    );
  else if (/^\*$/.test(image) || /\/fi\s+"?(username|status)/.test(lower))
    findings.add("kill-all-force", "high", "Ends every matching process at once.");
  else findings.add("kill-process", "moderate", "Stops running processes.");
};

const attrib: Rule = ({ args, findings }) => {
  if (hasArgument(args, /^[+-][rahsi]$/i))
    findings.add("attribute-change", "moderate", "Changes file attributes.");
};

const simpleChanges: Record<string, string> = {
  setx: "Sets an environment variable for every new program.",
  powercfg: "Changes power settings.",
  route: "Changes the routing table.",
  arp: "Changes the ARP cache.",
  sfc: "Checks and repairs system files.",
  bootrec: "Repairs the boot records.",
  chkdsk: "Checks the disk and may change it.",
  defrag: "Defragments a disk.",
  compact: "Compresses files.",
  label: "Renames a volume.",
  mklink: "Creates a link.",
  winget: "Installs or changes software.",
  choco: "Installs or changes software.",
  scoop: "Installs or changes software.",
  w32tm: "Changes time settings.",
  dism: "Changes Windows features or packages.",
  "manage-bde": "Changes BitLocker.",
  klist: "Changes Kerberos tickets.",
  gpupdate: "Applies group policy.",
  msiexec: "Installs or removes software.",
};

function simple(context: ToolContext): void {
  const { name, lower, findings } = context;
  const readOnly =
    (name === "powercfg" && /^\s*\/(l|list|q|query|a|availablesleepstates|\?)\b/.test(lower)) ||
    (name === "route" && /^\s*print\b/.test(lower)) ||
    (name === "arp" && /^\s*-a\b/.test(lower)) ||
    (name === "dism" && /\/get-/.test(lower) && !/\/(enable|disable|remove|add)-/.test(lower)) ||
    (name === "manage-bde" && /^\s*-status\b/.test(lower)) ||
    (name === "klist" && !/\bpurge\b/.test(lower)) ||
    ((name === "winget" || name === "choco" || name === "scoop") &&
      /^\s*(list|search|show|info)\b/.test(lower)) ||
    (name === "chkdsk" && !/\/[fxrb]\b/.test(lower)) ||
    (name === "w32tm" && /^\s*\/(query|stripchart|tz)\b/.test(lower)) ||
    lower.trim() === "/?";
  if (readOnly) return;
  if (name === "dism" && /\/disable-feature.*defender|\/remove-(package|capability).*defender/.test(lower))
    findings.add("security-weakening", "high", "Removes Windows Defender.");
  else if (name === "manage-bde" && /-off\b|-protectors\s+-delete|-forcerecovery/.test(lower))
    findings.add("security-weakening", "high", "Turns off BitLocker protection or forces recovery.");
  else if (name === "bootrec") findings.add("boot-config", "high", "Rewrites the boot records.");
  else if (name === "msiexec" && /https?:\/\//.test(lower))
    findings.add(
      "remote-script",
      "high",
      "Installs a package straight from the internet without showing it first.",
    );
  else findings.add("state-change", "moderate", simpleChanges[name] ?? `Changes state (${name}).`);
}

const ipconfig: Rule = ({ lower, findings }) => {
  if (/\/(release|renew|flushdns|registerdns|setclassid)/.test(lower))
    findings.add("network-change", "moderate", "Changes the network configuration.");
};

const mpcmdrun: Rule = ({ lower, findings }) => {
  if (/-removedefinitions|-disableservice|-restoredefaults/.test(lower))
    findings.add(
      "antivirus-disable",
      "high",
      "Removes Windows Defender's malware definitions, blinding the antivirus.",
    );
  else if (!/^\s*-(scan|getfiles|validatemapsconnection|checkexclusion|\?|h)\b/.test(lower))
    findings.add("antivirus-change", "moderate", "Changes Windows Defender.");
};

const reagentc: Rule = ({ lower, findings }) => {
  if (/\/disable/.test(lower))
    findings.add(
      "backup-change",
      "high",
      "Turns off the Windows Recovery Environment, so a broken system cannot repair itself.",
    );
  else if (!/\/info|\/\?/.test(lower))
    findings.add("boot-config", "moderate", "Changes the recovery environment.");
};

/** Rules for the administration programs, by name. */
export const ADMIN_TOOLS: Record<string, Rule> = {
  netsh,
  wevtutil,
  auditpol,
  net,
  net1: net,
  shutdown,
  taskkill,
  attrib,
  ipconfig,
  mpcmdrun,
  reagentc,
  ...Object.fromEntries(Object.keys(simpleChanges).map((name) => [name, simple])),
};

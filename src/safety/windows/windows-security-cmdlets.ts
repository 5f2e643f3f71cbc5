/**
 * PowerShell cmdlets that weaken or change the machine's security: services (antivirus, firewall, logging),
 * Defender preferences and exclusions, firewall profiles, local and domain accounts, execution policy.
 */
import { SECURITY_SERVICE } from "./windows-admin-tools.js";
import { parameterValue, positionals } from "./windows-parameters.js";
import type { ToolContext, WindowsStatement } from "./windows-types.js";

type Cmdlet = (context: ToolContext, statement: WindowsStatement) => void;

const service: Cmdlet = ({ args, findings }, statement) => {
  const name = (statement.words[0] ?? "").toLowerCase();
  const target = parameterValue(args, "name", 1) ?? positionals(args)[0] ?? "";
  if (name === "new-service") {
    findings.add(
      "persistence",
      "high",
      `Installs the service ${target}, a program Windows starts by itself (persistence).`,
    );
    return;
  }
  const disabling = name !== "set-service" || /disabled|stopped|manual/i.test(args.join(" "));
  if (SECURITY_SERVICE.test(target) && disabling)
    findings.add("security-service-stop", "high", `Stops or disables ${target}, a security service.`);
  else findings.add("service-change", "moderate", `Changes the service ${target}.`);
};

const defender: Cmdlet = ({ lower, findings }) => {
  if (
    /-disable\w*\s+(\$true|1)\b|-disable\w*:\s*\$true|-disable\w*\s*$|-exclusion(path|process|extension)|-(mapsreporting|submitsamplesconsent)\s+(0|disabled|never)|-puaprotection\s+(0|disabled)/.test(
      lower,
    )
  )
    findings.add("antivirus-disable", "high", "Turns off or blinds Windows Defender antivirus.");
  else findings.add("antivirus-change", "moderate", "Changes Windows Defender settings.");
};

const firewall: Cmdlet = ({ lower, findings }, statement) => {
  const name = (statement.words[0] ?? "").toLowerCase();
  if (
    (name === "set-netfirewallprofile" && /-enabled\s+(\$?false|0)|-enabled:\s*\$?false/.test(lower)) ||
    (/^(disable|remove)-netfirewallrule$/.test(name) && (/-all\b/.test(lower) || lower.trim() === ""))
  )
    findings.add("firewall-disable", "high", "Turns off the Windows firewall.");
  else findings.add("firewall-change", "moderate", "Changes firewall rules.");
};

const accounts: Cmdlet = ({ lower, findings }, statement) => {
  const name = (statement.words[0] ?? "").toLowerCase();
  if (
    /^add-(local|ad)groupmember$/.test(name) &&
    !/administrators|domain admins|enterprise admins|remote desktop users/.test(lower)
  )
    findings.add("account-change", "moderate", "Changes group membership.");
  else
    findings.add(
      /groupmember/.test(name) ? "privilege-grant" : "account-change",
      "high",
      "Adds, deletes or changes a user account or administrator rights.",
    );
};

const executionPolicy: Cmdlet = ({ lower, findings }) => {
  if (/\b(unrestricted|bypass)\b/.test(lower))
    findings.add(
      "execution-policy",
      "high",
      "Lets any script run, including unsigned scripts from the internet.",
      "use RemoteSigned for the current user only",
    );
  else findings.add("execution-policy", "moderate", "Changes which scripts may run.");
};

/** Rules for the security cmdlets, by canonical lower-case name. */
export const SECURITY_CMDLETS: Record<string, Cmdlet> = {
  "stop-service": service,
  "suspend-service": service,
  "set-service": service,
  "remove-service": service,
  "new-service": service,
  "set-mppreference": defender,
  "add-mppreference": defender,
  "set-netfirewallprofile": firewall,
  "disable-netfirewallrule": firewall,
  "remove-netfirewallrule": firewall,
  "new-localuser": accounts,
  "remove-localuser": accounts,
  "disable-localuser": accounts,
  "enable-localuser": accounts,
  "set-localuser": accounts,
  "add-localgroupmember": accounts,
  "new-aduser": accounts,
  "remove-aduser": accounts,
  "add-adgroupmember": accounts,
  "set-executionpolicy": executionPolicy,
};

/**
 * Programs that dump or list credentials (mimikatz and its kin, procdump of lsass, ntdsutil, esentutl, cmdkey,
 * vaultcmd) and tools that hand a shell to a network connection (nc, ncat, powercat).
 */
import type { ToolContext } from "./windows-types.js";

type Rule = (context: ToolContext) => void;

const netcat: Rule = ({ lower, findings }) => {
  if (/(^|\s)-(e|c)\s|--(exec|sh-exec)\b/.test(` ${lower}`))
    findings.add(
      "reverse-shell",
      "critical",
      "Hands a shell to a network connection: someone else would control this machine.",
    );
  else findings.add("network-connection", "moderate", "Opens a raw network connection.");
};

const credentialDump: Rule = ({ findings, name }) => {
  findings.add(
    "credential-dump",
    "critical",
    `Runs ${name}, a tool that extracts the passwords and hashes stored on this machine.`,
  );
};

const procdump: Rule = ({ lower, findings }) => {
  if (/lsass/.test(lower))
    findings.add(
      "credential-dump",
      "critical",
      "Dumps the memory of lsass, which holds the passwords of logged-on users.",
    );
  else findings.add("process-dump", "moderate", "Writes a process's memory to a file.");
};

const ntdsutil: Rule = ({ lower, findings }) => {
  if (/\bifm\b|create\s+full|snapshot/.test(lower))
    findings.add(
      "credential-dump",
      "critical",
      "Copies the Active Directory database with every domain password hash.",
    );
  else findings.add("state-change", "moderate", "Runs Active Directory maintenance.");
};

const esentutl: Rule = ({ lower, findings }) => {
  if (/ntds\.dit|\\config\\(sam|system|security)\b|\/vss/.test(lower))
    findings.add("credential-dump", "critical", "Copies a locked credential database (SAM or NTDS.dit).");
  else findings.add("state-change", "moderate", "Works on a database file.");
};

const credentials: Rule = ({ name, lower, findings }) => {
  if ((name === "cmdkey" && /\/list/.test(lower)) || (name === "vaultcmd" && /\/list/.test(lower)))
    findings.add("credential-read", "high", "Lists the credentials Windows has saved for you.");
  else if (lower.trim() !== "" && !/\/\?/.test(lower))
    findings.add("credential-change", "moderate", "Changes saved credentials.");
};

/** Rules for credential and reverse-shell tools, by name. */
export const CREDENTIAL_TOOLS: Record<string, Rule> = {
  nc: netcat,
  ncat: netcat,
  nc64: netcat,
  netcat,
  powercat: netcat,
  mimikatz: credentialDump,
  pypykatz: credentialDump,
  lazagne: credentialDump,
  gsecdump: credentialDump,
  pwdump: credentialDump,
  wce: credentialDump,
  nanodump: credentialDump,
  secretsdump: credentialDump,
  "secretsdump.py": credentialDump,
  procdump,
  procdump64: procdump,
  ntdsutil,
  esentutl,
  cmdkey: credentials,
  vaultcmd: credentials,
};

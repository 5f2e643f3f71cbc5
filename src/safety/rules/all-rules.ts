/** Every built-in rule, indexed by command name. */
import { cloudRules } from "./cloud-rules.js";
import { credentialRules } from "./credential-rules.js";
import { databaseRules } from "./database-rules.js";
import { filesystemRules } from "./filesystem-rules.js";
import { hostSecurityRules } from "./host-security-rules.js";
import { infrastructureRules } from "./infrastructure-rules.js";
import { secretFlowRules } from "./secret-flow-rules.js";
import { networkRules } from "./network-rules.js";
import { packageRules } from "./package-rules.js";
import { permissionAndDiskRules } from "./permission-disk-rules.js";
import type { SafetyRule } from "./rule.js";
import { systemRules } from "./system-rules.js";
import { versionControlRules } from "./version-control-rules.js";

/** All built-in rules, in no particular order (every matching rule is reported). */
export const BUILT_IN_RULES: readonly SafetyRule[] = [
  ...filesystemRules,
  ...permissionAndDiskRules,
  ...versionControlRules,
  ...databaseRules,
  ...infrastructureRules,
  ...cloudRules,
  ...packageRules,
  ...systemRules,
  ...networkRules,
  ...hostSecurityRules,
  ...credentialRules,
  ...secretFlowRules,
];

/** Rules by command name; `"*"` rules are under the key `*`. */
export function indexRules(rules: readonly SafetyRule[]): Map<string, SafetyRule[]> {
  const index = new Map<string, SafetyRule[]>();
  for (const rule of rules) {
    for (const name of rule.commands === "*" ? ["*"] : rule.commands) {
      const list = index.get(name) ?? [];
      list.push(rule);
      index.set(name, list);
    }
  }
  return index;
}

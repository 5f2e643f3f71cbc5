/** Cloud storage and resources: deleting them through the providers' command-line tools. */
import { subcommand } from "../command-words.js";
import type { CommandContext, SafetyRule } from "./rule.js";

function cloudArgsText(context: CommandContext): string {
  return context.args.join(" ");
}

export const cloudRules: SafetyRule[] = [
  {
    id: "cloud-delete",
    commands: [
      "aws",
      "gcloud",
      "gsutil",
      "az",
      "s3cmd",
      "rclone",
      "azcopy",
      "mc",
      "b2",
      "oci",
      "ibmcloud",
      "aliyun",
      "restic",
      "borg",
      "vault",
      "consul",
      "etcdctl",
      "gh",
      "glab",
    ],
    level: "high",
    matches: (context) => {
      const text = cloudArgsText(context);
      if (context.name === "gh" || context.name === "glab")
        return /^\S+\s+(delete|remove)\b|\bapi\b.*-X\s*DELETE/.test(text);
      if (/--dry-?run\b|(^|\s)help$/.test(text)) return false;
      return (
        /\b(delete-[\w-]+|[\w-]+-deletion|terminate-[\w-]+|deregister-[\w-]+|rb|purge|prune|forget|destroy|\brm\b.*(-r\b|--recursive)|delete\b|remove\b|del\b|sync\b.*--delete|^sync\b|deltree|cleanup|wipe|revoke|disable|kv\s+(destroy|metadata\s+delete)|secrets\s+disable)/.test(
          text,
        ) && !/\b(describe|list|get|show|ls)-?/.test(subcommand(context.args) ?? "")
      );
    },
    message: "Deletes cloud resources, buckets, backups or secrets.",
    saferAlternative: "list what would be deleted first, or use the tool's dry-run option",
    example: "aws s3 rm s3://my-bucket --recursive",
  },
];

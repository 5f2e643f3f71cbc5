/** Version control, containers, clusters, infrastructure, cloud storage, databases and package managers. */
import { hasLongOption, hasShortFlag, hasWord, operands, subcommand } from "../command-words.js";
import type { CommandContext, SafetyRule } from "./rule.js";

const GIT_VALUED = ["-C", "-c", "--git-dir", "--work-tree", "--namespace"];

function gitSubcommand(context: CommandContext): string {
  return subcommand(context.args, GIT_VALUED) ?? "";
}

function gitArgs(context: CommandContext): string[] {
  const words = [...context.args];
  const index = words.indexOf(gitSubcommand(context));
  return words.slice(index + 1);
}

function git(
  sub: string | string[],
  predicate: (args: string[]) => boolean = () => true,
): (context: CommandContext) => boolean {
  const subs = Array.isArray(sub) ? sub : [sub];
  return (context) => subs.includes(gitSubcommand(context)) && predicate(gitArgs(context));
}

const SQL_DESTRUCTIVE =
  /\b(drop\s+(database|schema|table|user|role|index|view|collection|keyspace)|truncate(\s+table)?\s+[`"\w]|delete\s+from\s+[`"\w.]+\s*(;|$|"|')|update\s+[`"\w.]+\s+set\s+(?:(?!\bwhere\b)[^;])*(;|$)|flushall|flushdb|dropDatabase\s*\(|\.drop\s*\(|deleteMany\s*\(\s*\{\s*\}\s*\)|remove\s*\(\s*\{\s*\}\s*\)|alter\s+table\s+\S+\s+drop)/i;
const SQL_WRITE =
  /\b(insert\s+into|replace\s+into|merge\s+into|update\s+[`"\w.]+\s+set|delete\s+from|create\s+(table|database|schema|index|view|user|role)|alter\s+(table|database|user|role)|grant|revoke|copy\s+\S+\s+from)\b|\.(insert|update|delete|replace)(One|Many)?\s*\(/i;
const DATABASE_CLIENTS = [
  "psql",
  "mysql",
  "mariadb",
  "sqlite3",
  "sqlite",
  "mongo",
  "mongosh",
  "redis-cli",
  "clickhouse-client",
  "clickhouse",
  "cqlsh",
  "sqlcmd",
  "duckdb",
  "cockroach",
  "influx",
  "valkey-cli",
  "keydb-cli",
  "pgcli",
  "mycli",
  "usql",
  "snowsql",
  "bq",
  "trino",
  "presto",
];

const REDIS_VALUED = new Set([
  "-h",
  "-p",
  "-a",
  "-n",
  "-u",
  "-s",
  "--user",
  "--pass",
  "--tls",
  "-r",
  "-i",
  "--cacert",
  "--cert",
  "--key",
]);

/**
 * The statements a database client runs. SQL string literals are blanked (`SELECT 'DROP TABLE x'` only
 * mentions a drop); for redis-cli only the command word counts (`GET flushall` reads a key named flushall).
 */
function databaseText(context: CommandContext): string {
  if (context.name === "redis-cli") {
    const words: string[] = [];
    for (let index = 0; index < context.args.length; index++) {
      const word = context.args[index] ?? "";
      if (REDIS_VALUED.has(word)) index++;
      else if (!word.startsWith("-")) {
        words.push(word);
        break;
      }
    }
    const piped = (context.stdinText ?? "").split("\n").map((line) => line.trim().split(/\s+/)[0] ?? "");
    return [...words, ...piped].join(" ; ");
  }
  const text = `${context.args.join(" ")} ${context.stdinText ?? ""}`;
  return /^(mongo|mongosh)$/.test(context.name) ? text : text.replace(/'(?:[^']|'')*'/g, "''");
}

function cloudArgsText(context: CommandContext): string {
  return context.args.join(" ");
}

export const projectRules: SafetyRule[] = [
  {
    id: "git-reset-hard",
    commands: ["git"],
    level: "high",
    matches: git(
      "reset",
      (args) => hasLongOption(args, "--hard", "--merge", "--keep") && !hasLongOption(args, "--keep"),
    ),
    message: "Throws away every uncommitted change in the working tree and index.",
    saferAlternative: "run `git stash` first, or `git reset --keep`",
    example: "git reset --hard HEAD~3",
  },
  {
    id: "git-push-force",
    commands: ["git"],
    level: "high",
    matches: git(
      "push",
      (args) =>
        // A plain `--force`, `-f` or `+ref` overrides any `--force-with-lease` next to it.
        hasShortFlag(args, "f") ||
        args.includes("--force") ||
        args.some((word) => /^\+[^+]/.test(word)) ||
        (hasLongOption(args, "--force", "--mirror", "--prune") &&
          !hasLongOption(args, "--force-with-lease", "--force-if-includes")),
    ),
    message: "Force-pushes, overwriting the remote branch and other people's commits on it.",
    saferAlternative: "use `git push --force-with-lease`",
    example: "git push --force origin main",
  },
  {
    id: "git-push-delete",
    commands: ["git"],
    level: "high",
    matches: git(
      "push",
      (args) =>
        hasShortFlag(args, "d") ||
        hasLongOption(args, "--delete") ||
        operands(args)
          .slice(1)
          .some((word) => word.startsWith(":")),
    ),
    message: "Deletes a branch or tag on the remote.",
    example: "git push origin --delete main",
  },
  {
    id: "git-clean-force",
    commands: ["git"],
    level: "high",
    matches: git(
      "clean",
      (args) =>
        (hasShortFlag(args, "f") || hasLongOption(args, "--force")) &&
        !hasShortFlag(args, "n") &&
        !hasLongOption(args, "--dry-run"),
    ),
    message: "Deletes untracked files (and with -x ignored files) that git cannot bring back.",
    saferAlternative: "preview with `git clean -n` first",
    example: "git clean -fdx",
  },
  {
    id: "git-discard-changes",
    commands: ["git"],
    level: "high",
    matches: (context) =>
      git(["checkout", "restore"], (args) => {
        const words = operands(args);
        return (
          (words.includes(".") || words.includes("*") || words.includes(":/")) &&
          (!hasLongOption(args, "--staged") || hasLongOption(args, "--worktree") || hasShortFlag(args, "W"))
        );
      })(context) ||
      git("stash", (args) => ["drop", "clear"].includes(args[0] ?? ""))(context) ||
      git(
        "branch",
        (args) =>
          hasWord(args, "-D") ||
          (hasLongOption(args, "--delete") && hasLongOption(args, "--force")) ||
          /^-[a-zA-Z]*D/.test(args[0] ?? ""),
      )(context) ||
      git(["filter-branch", "filter-repo"])(context) ||
      git("reflog", (args) => args[0] === "expire" || args[0] === "delete")(context) ||
      git("gc", (args) => args.some((word) => /--prune=(now|all)/.test(word)))(context) ||
      git("update-ref", (args) => hasShortFlag(args, "d"))(context) ||
      git(
        "worktree",
        (args) => args[0] === "remove" && (hasShortFlag(args, "f") || hasLongOption(args, "--force")),
      )(context) ||
      git(
        "rm",
        (args) => hasShortFlag(args, "r") && hasShortFlag(args, "f") && !hasLongOption(args, "--cached"),
      )(context) ||
      git("checkout", (args) => hasShortFlag(args, "f") || hasLongOption(args, "--force"))(context),
    message: "Discards work git cannot recover: uncommitted changes, stashes, unmerged branches or history.",
    saferAlternative: "commit or `git stash` first; delete branches with `git branch -d`",
    example: "git branch -D feature",
  },
  {
    id: "git-change",
    commands: ["git"],
    level: "moderate",
    matches: (context) => !GIT_READ_ONLY.has(gitSubcommand(context)) && !isGitReadOnlyUse(context),
    message: (context) => `Changes the repository (git ${gitSubcommand(context)}).`,
    example: "git commit -am wip",
  },
  {
    id: "database-destructive",
    commands: DATABASE_CLIENTS,
    level: "high",
    matches: (context) => SQL_DESTRUCTIVE.test(databaseText(context)),
    message: "Drops, truncates or wipes database data.",
    saferAlternative: "take a dump first (`pg_dump`, `mysqldump`) and run inside a transaction",
    example: `psql -c "DROP DATABASE production;"`,
  },
  {
    id: "database-write",
    commands: DATABASE_CLIENTS,
    level: "moderate",
    matches: (context) => SQL_WRITE.test(databaseText(context)),
    message: "Changes data or schema in the database.",
    saferAlternative: "run it inside a transaction (`BEGIN; …; ROLLBACK;`) first to check what it changes",
    example: `psql -c "UPDATE users SET name = 'x' WHERE id = 3"`,
  },
  {
    id: "database-drop-tool",
    commands: ["dropdb", "dropuser", "mysqladmin"],
    level: "high",
    matches: (context) => context.name !== "mysqladmin" || hasWord(context.args, "drop", "DROP"),
    message: "Deletes a database or database user.",
    saferAlternative: "dump the database first",
    example: "dropdb production",
  },
  {
    id: "container-prune",
    commands: ["docker", "podman", "nerdctl", "docker-compose", "podman-compose"],
    level: "high",
    matches: (context) => {
      const text = context.name.endsWith("-compose")
        ? `compose ${context.args.join(" ")}`
        : context.args.join(" ");
      if (/\bsystem\s+reset\b/.test(text)) return true;
      // `docker run --rm -v …` removes the container when it exits: not a volume removal.
      if (
        /^(run|create|exec|start)\b/.test(subcommand(context.args, ["-H", "--host", "--context", "-c"]) ?? "")
      )
        return false;
      return (
        (/\b(system|image|volume|builder|buildx)\s+prune\b/.test(text) &&
          (/(\s-[a-z]*a|--all|--volumes)/.test(text) || /\bvolume\s+prune/.test(text))) ||
        /\b(volume\s+(rm|remove)|(container\s+)?rm\s+(.*\s)?(-[a-z]*v[a-z]*|--volumes)(\s|$)|rm\s+(-[a-z]*f|--force)\b.*\$\(|compose\s+down\b.*(-v\b|--volumes)|rmi\b.*\$\()/.test(
          text,
        ) ||
        false
      );
    },
    message: "Deletes containers, images or volumes in bulk (volumes hold data).",
    saferAlternative:
      "list what would go first (`docker system df`, `docker volume ls`) and remove named items",
    example: "docker system prune -af --volumes",
  },
  {
    id: "cluster-delete",
    commands: ["kubectl", "oc", "helm", "k9s", "kubeadm"],
    level: "high",
    matches: (context) => {
      const text = context.args.join(" ");
      if (context.name === "helm") return /\b(uninstall|delete|del)\b/.test(text);
      if (context.name === "kubeadm") return /\breset\b/.test(text);
      return (
        (/\bdelete\b/.test(text) &&
          /\b(namespaces?|ns|nodes?|pv|pvc|persistentvolumes?|persistentvolumeclaims?|crd|customresourcedefinitions?|deployments?|statefulsets?|daemonsets?|secrets?)\b|(^|\s)(--all|-A|-f|-k|--filename|--kustomize)\b|--all-namespaces|--filename=|--kustomize=/.test(
            text,
          )) ||
        (/\bscale\b/.test(text) &&
          /--replicas[= ]0\b/.test(text) &&
          /(^|\s)(--all|-A)\b|--all-namespaces/.test(text)) ||
        (/\b(drain|cordon)\b/.test(text) &&
          /\bnodes?\b|\bdrain\b/.test(text) &&
          /--force|--delete-emptydir-data|--delete-local-data/.test(text))
      );
    },
    message:
      "Deletes cluster resources (a namespace, volumes, nodes or everything of a kind) and the workloads and data in them.",
    saferAlternative: "run with `--dry-run=client` first and delete named resources",
    example: "kubectl delete namespace production",
  },
  {
    id: "infrastructure-destroy",
    commands: [
      "terraform",
      "tofu",
      "pulumi",
      "cdk",
      "terragrunt",
      "serverless",
      "sls",
      "eksctl",
      "vagrant",
      "cdktf",
      "nomad",
      "sam",
      "ansible",
      "copilot",
      "fly",
      "flyctl",
      "heroku",
      "vercel",
      "netlify",
      "firebase",
      "doctl",
      "linode-cli",
      "hcloud",
    ],
    level: "high",
    // A plan or preview changes nothing, even of a destroy (`terraform plan -destroy`, `pulumi preview`).
    matches: (context) =>
      !/^(plan|preview|show|validate|graph|output)$/.test(subcommand(context.args) ?? "") &&
      /\b(destroy|delete|remove|rm|down|apps:destroy|purge|terminate)\b|-destroy\b|\bstate\s+(rm|push)\b|\bworkspace\s+delete\b|\bforce-unlock\b/.test(
        context.args.join(" "),
      ),
    message: "Destroys infrastructure and the data it holds.",
    saferAlternative: "run a plan or preview first (`terraform plan -destroy`)",
    example: "terraform destroy -auto-approve",
  },
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
  {
    id: "package-remove-essential",
    commands: [
      "apt",
      "apt-get",
      "aptitude",
      "dpkg",
      "yum",
      "dnf",
      "rpm",
      "pacman",
      "zypper",
      "apk",
      "pip",
      "pip3",
      "brew",
      "snap",
    ],
    level: "high",
    matches: (context) =>
      (/\b(remove|purge|erase|autoremove|-R[sncu]*|-e|-P|--purge|uninstall|del)\b/.test(
        context.args.join(" "),
      ) &&
        context.args.some((word) =>
          /^(libc6|glibc|systemd|sudo|bash|coreutils|apt|dpkg|rpm|yum|dnf|pacman|python3?|openssh-server|linux-image.*|kernel.*|grub.*|init|util-linux|login|passwd|libpam.*|pam|base|base-files|perl-base|zlib.*|libssl.*|openssl|pip|setuptools|xorg.*|gnome-shell|network-manager)$/.test(
            word,
          ),
        )) ||
      (hasLongOption(
        context.args,
        "--nodeps",
        "--force-remove-essential",
        "--force-all",
        "--break-system-packages",
      ) &&
        /\b(remove|erase|-e|-P|purge)\b/.test(context.args.join(" "))),
    message: "Removes a package the operating system needs; the system may no longer boot or log in.",
    example: "sudo apt-get remove --purge python3",
  },
  {
    id: "package-change",
    commands: [
      "apt",
      "apt-get",
      "aptitude",
      "dpkg",
      "yum",
      "dnf",
      "rpm",
      "pacman",
      "zypper",
      "apk",
      "pip",
      "pip3",
      "pipx",
      "brew",
      "snap",
      "flatpak",
      "npm",
      "pnpm",
      "yarn",
      "bun",
      "gem",
      "cargo",
      "go",
      "composer",
      "conda",
      "mamba",
      "port",
      "nix-env",
      "choco",
      "winget",
      "scoop",
      "uv",
      "poetry",
      "dotnet",
      "mvn",
      "gradle",
      "make",
      "cmake",
      "ninja",
      "bundle",
      "mix",
      "stack",
      "cabal",
      "opam",
      "nuget",
      "deno",
      "npx",
      "pnpx",
      "bunx",
      "rustup",
      "nvm",
      "pyenv",
      "sdk",
      "asdf",
      "mise",
    ],
    level: "moderate",
    matches: (context) => !isPackageQuery(context),
    message: (context) =>
      `Installs, removes, builds or runs packages (${context.name} ${subcommand(context.args) ?? ""}).`.replace(
        " )",
        ")",
      ),
    example: "npm install -g some-package",
  },
  {
    id: "package-unpublish",
    commands: ["npm", "pnpm", "yarn", "cargo", "gem"],
    level: "high",
    matches: (context) => /\b(unpublish|yank|owner\s+rm)\b/.test(context.args.join(" ")),
    message: "Removes a published package version that other people depend on.",
    example: "npm unpublish my-lib --force",
  },
];

const GIT_READ_ONLY = new Set([
  "status",
  "log",
  "diff",
  "show",
  "blame",
  "grep",
  "ls-files",
  "ls-tree",
  "ls-remote",
  "rev-parse",
  "rev-list",
  "describe",
  "shortlog",
  "whatchanged",
  "reflog",
  "cat-file",
  "show-ref",
  "for-each-ref",
  "name-rev",
  "help",
  "version",
  "--version",
  "count-objects",
  "fsck",
  "check-ignore",
  "check-attr",
  "var",
  "annotate",
  "cherry",
  "merge-base",
  "show-branch",
  "verify-commit",
  "verify-tag",
  "range-diff",
  "difftool",
  "bisect",
  "fetch",
  "",
  "archive",
  "bundle",
  "instaweb",
  "request-pull",
  "format-patch",
  "get-tar-commit-id",
  "hash-object",
  "notes",
]);

function isGitReadOnlyUse(context: CommandContext): boolean {
  const sub = gitSubcommand(context);
  const args = gitArgs(context);
  const words = operands(args);
  switch (sub) {
    case "branch":
      return (
        words.length === 0 ||
        hasShortFlag(args, "alvr") ||
        hasLongOption(
          args,
          "--list",
          "--all",
          "--contains",
          "--merged",
          "--no-merged",
          "--show-current",
          "--remotes",
        )
      );
    case "tag":
      return words.length === 0 || hasShortFlag(args, "l") || hasLongOption(args, "--list", "--contains");
    case "remote":
      return (
        words.length === 0 || ["show", "get-url", "-v"].includes(words[0] ?? "") || hasShortFlag(args, "v")
      );
    case "config":
      return (
        hasLongOption(args, "--get", "--list", "--get-all", "--get-regexp", "-l") ||
        hasShortFlag(args, "l") ||
        words.length === 1
      );
    case "stash":
      return ["list", "show"].includes(args[0] ?? "");
    case "clean":
      return hasShortFlag(args, "n") || hasLongOption(args, "--dry-run");
    case "worktree":
      return args[0] === "list";
    case "submodule":
      return words.length === 0 || args[0] === "status";
    default:
      return false;
  }
}

const PACKAGE_QUERY =
  /^(list|ls|ll|la|search|show|info|view|outdated|audit|why|explain|doctor|config|help|version|--version|-v|-V|--help|-h|policy|madison|depends|rdepends|query|-Q[a-z]*|-S[si]|-q[a-z]*|freeze|check|inspect|whoami|ping|bin|root|prefix|env|which|home|desc|deps|uses|leaves|tree|metadata|pkgid|locate-project|vet|fmt|doc|cache|history|repolist|provides|whatprovides|list-installed|--list|-l|-L|-s|-p|-f|-c|status|show-installed|showpkg|--get-selections|-W|--status|download-only|repoquery|updateinfo|clean-check|fund|owner|ls-remote|licenses|--print-architecture|print|shell|dry-run)$/;

function isPackageQuery(context: CommandContext): boolean {
  const sub = subcommand(context.args) ?? context.args[0] ?? "";
  if (context.name === "dpkg" || context.name === "rpm") {
    return /^-(l|L|s|S|p|q[a-z]*|-list|-listfiles|-status|-search|-print-architecture|-get-selections|-info|I|c|-contents|V)$/.test(
      context.args[0] ?? "",
    );
  }
  if (context.name === "pacman") return /^-(Q|S[si]|F|T)/.test(context.args[0] ?? "");
  if (context.name === "go") return ["version", "env", "list", "doc", "vet", "fmt", "help"].includes(sub);
  if (context.name === "make" || context.name === "cmake" || context.name === "ninja")
    return hasShortFlag(context.args, "n") && context.name === "make";
  return (
    PACKAGE_QUERY.test(sub) ||
    (context.args.length === 0 &&
      ["npm", "pip", "pip3", "brew", "apt", "cargo", "yarn", "go", "gem"].includes(context.name))
  );
}

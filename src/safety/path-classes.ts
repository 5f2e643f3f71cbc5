/**
 * Sorts the paths a command touches into the classes the rubric cares about, so every rule (rm, mv, chmod, chown,
 * find -delete, shred, redirections) judges targets the same way.
 */

/**
 * - `root`: the whole system, a home directory or a system directory (critical when deleted recursively).
 * - `broad`: everything in the current or parent folder, a whole project folder or a sensitive store (high).
 * - `unsetVariable`: a path that becomes `/…` if a variable is empty (`$DIR/*`, high).
 * - `scratch`: build output, caches, dependencies and temporary files (moderate).
 * - `unresolved`: a path computed at run time that could be anything (`"$X"`, `$(cat list)`; high when deleted
 *   recursively).
 * - `ordinary`: anything else.
 */
export type PathClass = "root" | "broad" | "unsetVariable" | "unresolved" | "scratch" | "ordinary";

const SYSTEM_DIRECTORIES = new Set([
  "bin",
  "boot",
  "dev",
  "etc",
  "lib",
  "lib32",
  "lib64",
  "libx32",
  "opt",
  "proc",
  "sbin",
  "sys",
  "usr",
  "var",
  "srv",
  "snap",
  "home",
  "root",
  "mnt",
  "media",
  "System",
  "Library",
  "Applications",
  "private",
  "Users",
  "Volumes",
  "nix",
]);
const SYSTEM_SECOND_LEVEL = /^\/(usr|var|etc|System|Library|private|opt|boot|lib|lib64)\/[^/]+$/;
const SCRATCH_NAMES = new Set([
  "build",
  "builds",
  "dist",
  "out",
  "output",
  "target",
  "node_modules",
  "tmp",
  "temp",
  ".tmp",
  "cache",
  ".cache",
  "__pycache__",
  "coverage",
  ".coverage",
  ".nyc_output",
  ".pytest_cache",
  ".mypy_cache",
  ".ruff_cache",
  ".next",
  ".nuxt",
  ".turbo",
  ".parcel-cache",
  ".svelte-kit",
  "bin",
  "obj",
  ".gradle",
  ".tox",
  ".venv",
  "venv",
  ".eggs",
  "_build",
  "cmake-build-debug",
  "cmake-build-release",
  "deps",
  "_site",
  ".sass-cache",
  ".angular",
  "storybook-static",
  "public/build",
  "logs",
  "log",
  "vendor",
  ".terraform",
  "pkg",
  "lib-cov",
  ".serverless",
  "artifacts",
  "release",
  "debug",
  "htmlcov",
  "site",
  "docs/_build",
  ".docusaurus",
  ".expo",
  "DerivedData",
  "Pods",
  ".build",
]);
const SENSITIVE =
  /(^|\/)(\.ssh|\.gnupg|\.aws|\.kube|\.docker|\.config|\.password-store|\.git|\.local|Documents|Desktop|Pictures|Photos|Music|Videos|Downloads|Library|src|source|projects|work|code|repos|data|backups?)(\/\*?)?$/;
const HOME_FORMS = /^(~[A-Za-z0-9_.-]*|\$HOME|\$\{HOME\}|\$USERPROFILE|\/home\/[^/]+|\/Users\/[^/]+|\/root)$/;

/** Normalises a path word: collapses `//`, drops trailing `/`, `/.` and a trailing `/*` or `/.*` glob. */
export function normalisePath(path: string): { path: string; glob: boolean } {
  let value = path.replace(/\/{2,}/g, "/");
  while (value.includes("/./")) value = value.replace("/./", "/");
  let glob = false;
  for (;;) {
    const before = value;
    if (/\/(\*|\.\*|\.\[!.\]\*|\{\*,\.\*\})$/.test(value)) {
      value = value.slice(0, value.lastIndexOf("/")) || "/";
      glob = true;
    }
    if (value.length > 1 && value.endsWith("/")) value = value.slice(0, -1);
    if (value.length > 2 && value.endsWith("/.")) value = value.slice(0, -2);
    if (value === before) break;
  }
  if (value === "") value = "/";
  // `~/..`, `$HOME/../..`: resolve against a home folder so the parent is seen for what it is.
  if (value.includes("/..")) value = resolveDots(value.replace(/^(~|\$HOME|\$\{HOME\})(?=\/)/, "/home/user"));
  return { path: value, glob };
}

/** Resolves `..` in an absolute path (`/tmp/../etc` → `/etc`); a relative or variable base stays marked. */
function resolveDots(path: string): string {
  if (!path.startsWith("/")) return path;
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "..") segments.pop();
    else if (segment !== "" && segment !== ".") segments.push(segment);
  }
  return `/${segments.join("/")}`;
}

/** The class of one path word. */
export function classifyPath(word: string): PathClass {
  if (word === "" || word === "{}") return "ordinary";
  if (
    /^[A-Za-z]:([\\/]+)?$/.test(word) ||
    /^[A-Za-z]:[\\/](windows|program files|users|programdata)/i.test(word)
  )
    return "root";
  const { path } = normalisePath(word);
  if (path === "/" || path === "/*" || HOME_FORMS.test(path)) return "root";
  // `./**/*`, `~/Documents/**`: everything below a folder, as broad as the folder itself.
  const recursive = /^(.*?)\/?\*\*(\/\*)?$/.exec(path);
  if (recursive)
    return recursive[1] === "" && path.startsWith("/") ? "root" : classifyPath(recursive[1] || ".");
  const globbed = globClass(path);
  if (globbed !== undefined) return globbed;
  if (
    path === "~/*" ||
    path === "*" ||
    path === "." ||
    path === ".." ||
    path === ".*" ||
    /^(\.\.\/)+\.\.?$/.test(path)
  ) {
    return "broad";
  }
  if (/^\.\.?\/\*?$/.test(word) || word === "./*" || word === "../*" || word === "$PWD" || word === "${PWD}")
    return "broad";
  const absolute = path.startsWith("/") ? path : undefined;
  if (absolute) {
    const segments = absolute.split("/").filter(Boolean);
    const top = segments[0] ?? "";
    if (top === "tmp" || absolute.startsWith("/var/tmp") || absolute.startsWith("/dev/shm")) return "scratch";
    if (absolute === "/usr/local") return "root";
    if (absolute.startsWith("/usr/local/")) return segments.length <= 3 ? "broad" : "ordinary";
    if (segments.length === 1 && SYSTEM_DIRECTORIES.has(top)) return "root";
    if (SYSTEM_SECOND_LEVEL.test(absolute) && !/^\/var\/(tmp|cache)/.test(absolute)) {
      if (/^\/var\/(lib|db|run|spool|mail)$/.test(absolute)) return "root";
      return absolute.startsWith("/opt/") || absolute.startsWith("/var/") ? "broad" : "root";
    }
    if (["etc", "usr", "boot", "bin", "sbin", "lib", "lib64", "var", "System", "Library"].includes(top))
      return "broad";
  }
  if (/^(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)\/+(\*|\.\*)?$/.test(word) || /^\/\$/.test(word))
    return "unsetVariable";
  if (/^\$\{?\w+\}?\/(.*\/)?\.\.(\/|$)/.test(path)) return "broad";
  if (/^~\/[^/]+\/?$/.test(word) || /^\$\{?HOME\}?\/[^/]+\/?$/.test(word)) {
    const name = word.replace(/\/$/, "").split("/").pop() ?? "";
    return SCRATCH_NAMES.has(name) ? "scratch" : "broad";
  }
  if (SENSITIVE.test(path)) return "broad";
  const last = path.split("/").pop() ?? path;
  if (SCRATCH_NAMES.has(last) || /\.egg-info$/.test(last)) return "scratch";
  if (
    path
      .split("/")
      .some((segment) =>
        ["tmp", "temp", "node_modules", "__pycache__", ".cache", "cache", "caches", "_cacache"].includes(
          segment,
        ),
      )
  ) {
    return "scratch";
  }
  return "ordinary";
}

/**
 * A glob whose first wildcard sits in `/`, a home or a system folder (`/u*`, `/e??`, `/[a-z]*`, `/usr/l*`, `~/.*`):
 * root when it can match a system folder or everything there, broad when only files of one kind (`~/*.txt`).
 */
function globClass(path: string): PathClass | undefined {
  if (!/[*?[]/.test(path) || !/^(\/|~|\$HOME|\$\{HOME\})/.test(path)) return undefined;
  const segments = path.split("/");
  const wild = segments.findIndex((segment) => /[*?[]/.test(segment));
  if (wild <= 0) return undefined;
  const parent = segments.slice(0, wild).join("/") || "/";
  const pattern = segments[wild] ?? "";
  let matcher: RegExp;
  try {
    matcher = new RegExp(`^${globToRegex(pattern)}$`);
  } catch {
    return "root";
  }
  if (parent === "/") return [...SYSTEM_DIRECTORIES].some((name) => matcher.test(name)) ? "root" : "broad";
  const parentClass = HOME_FORMS.test(parent) ? "root" : classifyPath(parent);
  if (parentClass !== "root") return undefined;
  return /\.[A-Za-z0-9]+$/.test(pattern) && !pattern.startsWith(".") ? "broad" : "root";
}

function globToRegex(pattern: string): string {
  return pattern
    .replace(/[.+^${}()|\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".")
    .replace(/\[!/g, "[^");
}

/** Whether a word looks like a single file rather than a folder (`notes.txt`, `*.log`). */
export function looksLikeFile(word: string): boolean {
  const last = word.split("/").pop() ?? word;
  return /^[^.].*\.[A-Za-z0-9]{1,8}$/.test(last) || /^\*\.[A-Za-z0-9]+$/.test(last);
}

/** A short phrase naming a target for a person: "/", "your home directory", "the system folder /etc". */
export function describeTarget(word: string): string {
  const { path } = normalisePath(word);
  if (path === "/") return word.includes("*") ? "everything under /" : "the whole file system (/)";
  if (HOME_FORMS.test(path))
    return path.startsWith("/home/") || path.startsWith("/Users/")
      ? `the home directory ${path}`
      : "your home directory";
  if (path === "." || word === "./*" || word === "*") return "everything in the current folder";
  if (path === ".." || /^(\.\.\/)+/.test(path)) return "the parent folder";
  if (/^[A-Za-z]:/.test(word)) return `the drive or system folder ${word}`;
  if (path.startsWith("/") && classifyPath(word) === "root") return `the system folder ${path}`;
  return word;
}

/** Block devices whose contents a raw write destroys. */
export const DISK_DEVICE =
  /^\/dev\/(sd[a-z]+\d*|hd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|nvme\d+(n\d+)?(p\d+)?|mmcblk\d+(p\d+)?|disk\d+(s\d+)?|rdisk\d+|md\d+|dm-\d+|mapper\/.+|root|sr\d+|loop\d+|[a-z]+\/by-(id|uuid|label|path)\/.+|r?fd\d+|mem|kmem|port)$/;

/** Files whose change compromises the whole system: accounts, sudo, PAM, boot. */
export const CRITICAL_SYSTEM_FILE =
  /^\/(etc\/(passwd|shadow|gshadow|group|sudoers|sudoers\.d(\/.*)?|crontab|cron\.d\/.*|rc\.local|pam\.d(\/.*)?|pam\.conf|security\/.*|ld\.so\.preload)|boot\/.*|bin\/(ba|z|da|k)?sh|proc\/sysrq-trigger|(usr\/)?lib(32|64)?\/([^/]+\/)?security\/.+)$/;

/** Files that hold secrets. */
export const CREDENTIAL_FILE =
  /(^|\/)(\.ssh\/(id_[a-z0-9_]+|.*_key|identity)(?!\.pub)\b|etc\/shadow|etc\/gshadow|\.aws\/credentials|\.netrc|\.pgpass|\.git-credentials|\.docker\/config\.json|\.kube\/config|\.gnupg(\/|$)|\.password-store|etc\/ssl\/private|\.config\/gcloud|\.azure\/|credentials\.json|[^/ ]+\.(key|p12|pfx|keystore|jks)$|[^/ ]*(key|priv|secret)[^/ ]*\.pem$|\.ssh\/?$|\.aws\/?$|\.vault-token|\.pypirc|secrets?\.(ya?ml|json)|logins\.json$|key[34]\.db$|cookies\.sqlite$|Login Data$|\/Cookies$|Library\/Keychains(\/|$)|\.config\/gh\/hosts\.ya?ml$|etc\/master\.passwd$|etc\/security\/opasswd$|\.npmrc$|\.terraform\.d\/credentials|\.cargo\/credentials|\.gem\/credentials|\.config\/hub$|\.s3cfg$|\.boto$|rclone\/rclone\.conf$|\.my\.cnf$|etc\/ssh\/ssh_host_\w+_key$|\/proc\/(\d+|self)\/environ$|\.docker\/config\.json$|\.kube\/config$|(^|\/)\.env(\.[\w.-]+)?$|etc\/kubernetes\/admin\.conf$|\.local\/share\/keyrings(\/|$)|\.m2\/settings\.xml$|login\.keychain(-db)?$|\.config\/Code\/User\/globalStorage\/state\.vscdb$)/;

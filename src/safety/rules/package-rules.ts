/** Package managers: removing essential packages, changing installed packages, unpublishing. */
import { hasLongOption, hasShortFlag, subcommand } from "../command-words.js";
import type { CommandContext, SafetyRule } from "./rule.js";

export const packageRules: SafetyRule[] = [
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

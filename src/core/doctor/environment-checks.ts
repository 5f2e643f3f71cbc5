/** Proxy variables (credentials masked) and whether `cmdai init` is wired into the user's shells. */
import fs from "node:fs/promises";
import path from "node:path";
import { detectShell } from "../detect-shell.js";
import type { DoctorCheck, DoctorContext, DoctorResult } from "./doctor-check.js";

/** The proxy variables HTTP clients honour, upper and lower case. */
export const PROXY_VARIABLES = [
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_PROXY",
  "no_proxy",
] as const;

/** Whether a value is written as a URL with a scheme (`user:pw@host` would otherwise parse with scheme "user:"). */
function hasScheme(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim());
}

/** Hide the user name and password in a proxy URL: `http://u:p@host:3128` → `http://***:***@host:3128`. */
export function maskProxyCredentials(value: string): string {
  if (!hasScheme(value)) return value.replace(/[^\s/@,]+@/g, "***@");
  try {
    const url = new URL(value);
    if (url.username === "" && url.password === "") return value;
    url.username = "***";
    if (url.password !== "") url.password = "***";
    return url.toString().replace(/\/$/, value.endsWith("/") ? "/" : "");
  } catch {
    // Not a URL (host:port, or a NO_PROXY list): mask anything that looks like credentials before an @.
    return value.replace(/[^\s/@,]+@/g, "***@");
  }
}

export const proxyCheck: DoctorCheck = {
  id: "proxy",
  title: "Proxy",
  timeoutMs: 1000,
  run: ({ env }: DoctorContext): Promise<DoctorResult> => {
    const set = PROXY_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== "");
    if (set.length === 0) {
      return Promise.resolve({
        id: "proxy",
        title: "Proxy",
        status: "ok",
        message: "no proxy variables set",
      });
    }
    const shown = Object.fromEntries(set.map((name) => [name, maskProxyCredentials(env[name] ?? "")]));
    const invalid = set.filter(
      (name) =>
        !name.toLowerCase().startsWith("no_") &&
        !(hasScheme(env[name] ?? "") && URL.canParse(env[name] ?? "")),
    );
    const message = set.map((name) => `${name}=${shown[name] ?? ""}`).join(" ");
    if (invalid.length > 0) {
      return Promise.resolve({
        id: "proxy",
        title: "Proxy",
        status: "warn",
        message: `${message} (${invalid.join(", ")} not a URL)`,
        fix: "Write proxy variables as full URLs, e.g. HTTPS_PROXY=http://proxy.example:3128.",
        details: shown,
      });
    }
    return Promise.resolve({ id: "proxy", title: "Proxy", status: "ok", message, details: shown });
  },
};

/** Startup files where `cmdai init <shell>` may be wired in, per shell. */
export function shellStartupFiles(context: DoctorContext): { shell: string; file: string }[] {
  const { env, homedir, platform } = context.paths;
  const p = platform === "win32" ? path.win32 : path.posix;
  const xdgConfig =
    env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== ""
      ? env.XDG_CONFIG_HOME
      : p.join(homedir, ".config");
  const zdotdir = env.ZDOTDIR !== undefined && env.ZDOTDIR !== "" ? env.ZDOTDIR : homedir;
  const documents = p.join(homedir, "Documents");
  return [
    { shell: "bash", file: p.join(homedir, ".bashrc") },
    { shell: "bash", file: p.join(homedir, ".bash_profile") },
    { shell: "zsh", file: p.join(zdotdir, ".zshrc") },
    { shell: "fish", file: p.join(xdgConfig, "fish", "config.fish") },
    { shell: "fish", file: p.join(xdgConfig, "fish", "conf.d", "cmdai.fish") },
    {
      shell: "powershell",
      file:
        platform === "win32"
          ? p.join(documents, "PowerShell", "Microsoft.PowerShell_profile.ps1")
          : p.join(xdgConfig, "powershell", "Microsoft.PowerShell_profile.ps1"),
    },
    ...(platform === "win32"
      ? [
          {
            shell: "powershell",
            file: p.join(documents, "WindowsPowerShell", "Microsoft.PowerShell_profile.ps1"),
          },
        ]
      : []),
  ];
}

/** How to wire `cmdai init` into a shell's startup file. */
export function shellIntegrationFix(shell: string): string {
  switch (shell) {
    case "zsh":
      return `echo 'eval "$(cmdai init zsh)"' >> ~/.zshrc`;
    case "fish":
      return "echo 'cmdai init fish | source' >> ~/.config/fish/config.fish";
    case "powershell":
      return "Add-Content $PROFILE 'Invoke-Expression (& cmdai init powershell | Out-String)'";
    default:
      return `echo 'eval "$(cmdai init bash)"' >> ~/.bashrc`;
  }
}

export const shellIntegrationCheck: DoctorCheck = {
  id: "shell-integration",
  title: "Shell integration",
  timeoutMs: 2000,
  run: async (context: DoctorContext): Promise<DoctorResult> => {
    const candidates = shellStartupFiles(context);
    const wired = await Promise.all(
      candidates.map(async (candidate) => {
        const text = await fs.readFile(candidate.file, "utf8").catch(() => "");
        return /\bcmdai(\.exe)?\s+init\b/.test(text) ? candidate : undefined;
      }),
    );
    const found = wired.filter((entry) => entry !== undefined);
    const shell = context.config.shell ?? detectShell({ env: context.env, platform: context.paths.platform });
    if (found.length > 0) {
      return {
        id: "shell-integration",
        title: "Shell integration",
        status: "ok",
        message: `installed for ${[...new Set(found.map((entry) => entry.shell))].join(", ")} (${found.map((entry) => entry.file).join(", ")})`,
        details: { files: found.map((entry) => entry.file) },
      };
    }
    const initShell = shell === "sh" || shell === "cmd" ? "bash" : shell;
    return {
      id: "shell-integration",
      title: "Shell integration",
      status: "warn",
      message: `not installed (the Ctrl-G hotkey needs it; looked in ${candidates.length} startup files)`,
      fix: `Add it for ${initShell}: ${shellIntegrationFix(initShell)}  (see \`cmdai init ${initShell}\`)`,
      details: { looked: candidates.map((entry) => entry.file), shell },
    };
  },
};

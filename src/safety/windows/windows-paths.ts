/**
 * Windows paths in the same classes as POSIX ones (`path-classes.ts`), so `Remove-Item -Recurse -Force .\build`,
 * `rd /s /q build` and `rm -rf ./build` get the same level: drive roots, `C:\Windows`, `C:\Program Files`,
 * `C:\Users` and a home are `root`; a home's documents or AppData, or everything here, `broad`; temp folders and
 * build output `scratch`; variables cmdai cannot resolve `unresolved` (or `unsetVariable` when an empty value turns
 * the path into a drive root).
 */
import { classifyPath, type PathClass } from "../path-classes.js";

/** Environment variables whose value is known on every Windows machine (the user's name stands for any user). */
const KNOWN_FOLDERS: Record<string, string> = {
  userprofile: "C:/Users/user",
  username: "user",
  home: "C:/Users/user",
  homepath: "/Users/user",
  systemroot: "C:/Windows",
  windir: "C:/Windows",
  systemdrive: "C:",
  homedrive: "C:",
  programfiles: "C:/Program Files",
  "programfiles(x86)": "C:/Program Files (x86)",
  programw6432: "C:/Program Files",
  commonprogramfiles: "C:/Program Files/Common Files",
  programdata: "C:/ProgramData",
  allusersprofile: "C:/ProgramData",
  appdata: "C:/Users/user/AppData/Roaming",
  localappdata: "C:/Users/user/AppData/Local",
  temp: "C:/Users/user/AppData/Local/Temp",
  tmp: "C:/Users/user/AppData/Local/Temp",
  public: "C:/Users/Public",
  onedrive: "C:/Users/user/OneDrive",
  pshome: "C:/Windows/System32/WindowsPowerShell/v1.0",
};

/** `[Environment]::GetFolderPath(…)` names. */
const SPECIAL_FOLDERS: Record<string, string> = {
  userprofile: "C:/Users/user",
  windows: "C:/Windows",
  system: "C:/Windows/System32",
  systemx86: "C:/Windows/SysWOW64",
  programfiles: "C:/Program Files",
  programfilesx86: "C:/Program Files (x86)",
  commonapplicationdata: "C:/ProgramData",
  applicationdata: "C:/Users/user/AppData/Roaming",
  localapplicationdata: "C:/Users/user/AppData/Local",
  desktop: "C:/Users/user/Desktop",
  desktopdirectory: "C:/Users/user/Desktop",
  mydocuments: "C:/Users/user/Documents",
  personal: "C:/Users/user/Documents",
  mypictures: "C:/Users/user/Pictures",
  startup: "C:/Users/user/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup",
  commonstartup: "C:/ProgramData/Microsoft/Windows/Start Menu/Programs/StartUp",
};

const WINDOWS_SYSTEM = new Set([
  "system32",
  "syswow64",
  "winsxs",
  "boot",
  "fonts",
  "inf",
  "servicing",
  "assembly",
  "microsoft.net",
  "sysnative",
  "system",
  "systemapps",
  "security",
]);
const WINDOWS_SCRATCH = new Set([
  "temp",
  "prefetch",
  "softwaredistribution",
  "logs",
  "installer\\$patchcache$",
]);
const HOME_BROAD =
  /^(documents|desktop|pictures|music|videos|downloads|appdata|onedrive|favorites|contacts|source|repos|projects|\.ssh|\.aws|\.kube|\.docker|\.gnupg|\.config|saved games|links|searches)$/;
const DRIVE_TOP_ROOT = new Set([
  "windows",
  "program files",
  "program files (x86)",
  "programdata",
  "users",
  "boot",
  "recovery",
  "system volume information",
  "$recycle.bin",
  "documents and settings",
  "bootmgr",
  "pagefile.sys",
]);

/**
 * Replaces known variables (`$env:USERPROFILE`, `${env:windir}`, `$HOME`, `~`, `%SystemRoot%`) with their usual
 * values and turns backslashes into slashes; unknown variables stay as written.
 */
export function expandWindowsPath(word: string): string {
  let path = word
    .trim()
    .replace(/^(['"])(.*)\1$/, "$2")
    .replace(/^(filesystem::|microsoft\.powershell\.core\\filesystem::)/i, "")
    .replace(/^\\\\[?.]\\(?=[A-Za-z]:)/, "");
  const known = (name: string): string | undefined => KNOWN_FOLDERS[name.toLowerCase()];
  path = path
    .replace(
      /^\(\s*join-path\s+(?:-path\s+)?(\S+)\s+(?:-childpath\s+)?(\S+)\s*\)$/i,
      (_match, parent: string, child: string) =>
        `${parent.replace(/^['"]|['"]$/g, "")}\\${child.replace(/^['"]|['"]$/g, "")}`,
    )
    .replace(
      /\(?\[(?:system\.)?environment\]::getfolderpath\(\s*['"]?(?:\[environment\+specialfolder\]::)?(\w+)['"]?\s*\)\)?/gi,
      (match, folder: string) => SPECIAL_FOLDERS[folder.toLowerCase()] ?? match,
    );
  path = path.replace(
    /\$\{env:([^}]+)\}|\$env:([A-Za-z_][\w()]*)|%([A-Za-z_][\w()]*)%/gi,
    (match, a, b, c) => {
      const name = (a ?? b ?? c ?? "") as string;
      return known(name) ?? match;
    },
  );
  path = path.replace(/^(~|\$home|\$\{home\})(?=$|[\\/])/i, "C:/Users/user");
  return path.replace(/\\/g, "/");
}

/** The class of a Windows path word (already unquoted), for deletions, moves and permission changes. */
export function classifyWindowsPath(word: string): PathClass {
  if (word === "") return "ordinary";
  const expanded = expandWindowsPath(word);
  const lower = expanded.toLowerCase();
  if (/^[a-z]+:(?!\/)/i.test(lower) && !/^[a-z]:/.test(lower)) return "ordinary";
  if (/^(\$[\w:{}]+|%[\w]+%|!\w+!)[/]*(\*(\.\*)?)?$/.test(lower) && /[/*]$/.test(lower))
    return "unsetVariable";
  if (/^(\$pwd|\(get-location\)|\(pwd\))(\/\*?)?$/.test(lower)) return "broad";
  if (/\$[\w{]|%\w+%|!\w+!/.test(lower)) return "unresolved";
  if (lower === "*.*") return "broad";
  // `/etc` from PowerShell on Linux or macOS is the POSIX path.
  if (/^\/(?!\/)/.test(lower)) {
    const posix = classifyPath(expanded);
    if (posix === "root" || posix === "broad") return posix;
  }
  const unc = /^\/\/([^/]+)\/([^/]+)(\/.*)?$/.exec(lower);
  if (unc) {
    if (/^[a-z]\$$/.test(unc[2] ?? "")) return classifyWindowsPath(`C:${unc[3] ?? "/"}`);
    return (unc[3] ?? "").replace(/\/+\*?$/, "") === "" ? "broad" : "ordinary";
  }
  const drive = /^([a-z]):(.*)$/.exec(lower);
  const rest = drive ? (drive[2] ?? "") : lower.startsWith("/") ? lower : undefined;
  if (rest === undefined) return classifyPath(expanded.replace(/^\.\//, "./"));
  const segments = rest.split("/").filter((segment) => segment !== "" && segment !== ".");
  while (segments.at(-1) === "*" || segments.at(-1) === "*.*") segments.pop();
  const [top, second, third, fourth] = segments;
  if (top === undefined) return "root";
  if (/[*?]/.test(top)) return "root";
  if (segments.includes("..")) return "broad";
  if (top === "windows") {
    if (second === undefined || /[*?]/.test(second)) return "root";
    if (WINDOWS_SCRATCH.has(second)) return "scratch";
    if (WINDOWS_SYSTEM.has(second)) return segments.length <= 3 ? "root" : "broad";
    return "broad";
  }
  if (top === "users" || top === "documents and settings") {
    if (second === undefined || (/[*?]/.test(second) && third === undefined)) return "root";
    // `C:\Users\*\AppData\Local\Temp` is that folder in every home: judged as in one.
    if (/[*?]/.test(second)) return classifyWindowsPath(`C:/Users/user/${segments.slice(2).join("/")}`);
    if (third === undefined || /[*?]/.test(third)) return "root";
    if (third === "appdata" && fourth === "local" && segments[4] === "temp") return "scratch";
    if (HOME_BROAD.test(third) && segments.length <= 4) return "broad";
    return classifyPath(`./${segments.slice(2).join("/")}`);
  }
  if (DRIVE_TOP_ROOT.has(top)) {
    if (second === undefined || /[*?]/.test(second)) return "root";
    if (top === "programdata" && second === "microsoft") return third === undefined ? "root" : "broad";
    return segments.length === 2 ? "broad" : "ordinary";
  }
  if (top === "temp" || top === "tmp") return "scratch";
  return classifyPath(`./${segments.join("/")}`);
}

/** Whether a path lies in the Windows system folders (writes there change the system). */
export function isWindowsSystemPath(word: string): boolean {
  const lower = expandWindowsPath(word).toLowerCase();
  return /^([a-z]:)?\/(windows(?!\/temp)|program files|programdata\/microsoft\/windows\/start menu|boot|bootmgr)(\/|$)/.test(
    lower,
  );
}

/** Files that hold the system's credentials: the SAM, SECURITY and SYSTEM hives, NTDS.dit, LSA secrets. */
export const WINDOWS_CREDENTIAL_FILE =
  /(^|[\\/])(sam|security|system)(\.(save|bak|hiv))?$|ntds\.dit$|[\\/]config[\\/](sam|security|system)\b|\\login data\b|[\\/]login data$|logins\.json$|key[34]\.db$|[\\/]cookies$|unattend\.xml$|sysprep\.inf$|\.kdbx$|credentials\.xml$|[\\/]microsoft[\\/](credentials|protect|vault)([\\/]|$)/i;

/** Places whose contents run at log-on or start-up. */
export const STARTUP_LOCATION =
  /start menu[\\/]programs[\\/]startup|shell:(common )?startup|\\run(once)?(ex)?\\?$|currentversion[\\/]run(once|services)?(ex)?\b|winlogon|image file execution options|\\policies\\explorer\\run|appinit_dlls|\$profile\b|profile\.ps1$|microsoft\.powershell_profile|userinit|\bwmi\b.*subscription/i;

/** A short phrase naming a Windows target for a person. */
export function describeWindowsTarget(word: string): string {
  const expanded = expandWindowsPath(word).toLowerCase();
  if (/^([a-z]:)?\/?(\*(\.\*)?)?$/.test(expanded)) return `the whole drive ${word}`;
  if (/^c:\/users\/user\/?$/.test(expanded)) return `your home folder (${word})`;
  return word;
}

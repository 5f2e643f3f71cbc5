/**
 * Deletions, moves and writes in PowerShell and cmd, judged with the same table as `rm` in bash
 * (`rules/filesystem-rules.ts`): a recursive delete of a drive root, a system folder or a home is critical; of
 * everything here, a home's documents or a path cmdai cannot resolve, high; a forced recursive delete of an ordinary
 * folder high; build output and caches moderate. `-Recurse -Force` is `-rf`, `/s /q` is `-rf`, `-Confirm` and `/p`
 * ask each time, `-WhatIf` changes nothing.
 */
import { looksLikeFile, type PathClass } from "../path-classes.js";
import {
  classifyWindowsPath,
  describeWindowsTarget,
  isWindowsSystemPath,
  STARTUP_LOCATION,
  WINDOWS_CREDENTIAL_FILE,
} from "./windows-paths.js";
import type { FindingList } from "./windows-types.js";

/** One delete as the shells express it. */
export interface DeletionRequest {
  targets: readonly string[];
  /** Descends into folders (`-Recurse`, `/s`, `[IO.Directory]::Delete(p, $true)`). */
  recursive: boolean;
  /** Deletes without asking (`-Force`, `/q`). */
  force: boolean;
  /** Asks before each item (`-Confirm`, `/p`). */
  confirms?: boolean;
  /** The command as the user wrote it, for messages. */
  command: string;
}

const TRASH = "delete a specific folder, and list it first (Get-ChildItem / dir) to check what goes";

function isEverythingHere(word: string): boolean {
  return /^(\.[\\/])?\*(\.\*)?$/.test(word);
}

/** Adds the findings of one delete. */
export function judgeDeletion(request: DeletionRequest, findings: FindingList): void {
  const targets = request.targets.filter((word) => word !== "");
  const classes = targets.map((word) => classifyWindowsPath(word));
  const targetOf = (wanted: readonly PathClass[]): string | undefined =>
    targets.find((_, index) => wanted.includes(classes[index] ?? "ordinary"));
  const root = targetOf(["root"]);
  const glob = targets.find(
    (word, index) => classes[index] === "root" && /\*|^[A-Za-z]:\\?$|^[\\/]$/.test(word),
  );
  if (root !== undefined && (request.recursive || glob !== undefined)) {
    findings.add(
      "remove-item-root",
      "critical",
      `${request.recursive ? "Recursively deletes" : "Deletes every file in"} ${describeWindowsTarget(glob ?? root)}, a drive root, system folder or home folder: the system or a whole home would be lost.`,
      TRASH,
    );
    return;
  }
  const credential = targets.find((word) => WINDOWS_CREDENTIAL_FILE.test(word));
  if (credential !== undefined) {
    findings.add(
      "credential-store-delete",
      "high",
      `Deletes ${credential}, which holds credentials or keys.`,
    );
    return;
  }
  const unresolved = targetOf(["unresolved"]);
  const unset = targetOf(["unsetVariable"]);
  const broad = targetOf(["broad"]);
  if (request.recursive && request.confirms !== true && (unresolved ?? unset ?? broad) !== undefined) {
    findings.add(
      "remove-item-recursive-broad",
      "high",
      unresolved !== undefined
        ? `Recursively deletes ${unresolved}, a path computed at run time: cmdai cannot tell what it will be.`
        : unset !== undefined
          ? `Recursively deletes ${unset}; if the variable is empty this becomes the drive root.`
          : `Recursively deletes ${broad ?? ""}${request.force ? " without asking" : ""}.`,
      TRASH,
    );
    return;
  }
  const folder = targets.find(
    (word, index) =>
      classes[index] === "ordinary" && !looksLikeFile(word.replace(/\\/g, "/")) && !/[*?$%]/.test(word),
  );
  if (request.recursive && request.force && folder !== undefined) {
    findings.add(
      "remove-item-recursive",
      "high",
      `Recursively deletes the folder ${folder} and everything in it without asking.`,
      "use -WhatIf (PowerShell) or dir first, and delete without -Force / /q",
    );
    return;
  }
  if (request.confirms !== true && targets.some(isEverythingHere)) {
    findings.add("rm-everything-here", "high", "Deletes every file in the folder at once.");
    return;
  }
  const system = targets.find((word) => isWindowsSystemPath(word) || classifyWindowsPath(word) === "root");
  if (system !== undefined) {
    findings.add(
      "remove-system-file",
      "high",
      `Deletes ${system}, which belongs to Windows or an installed program.`,
    );
    return;
  }
  findings.add(
    "remove-item",
    "moderate",
    `Deletes ${targets.join(" ") || "items"}${request.recursive ? " and everything in it" : ""}.`,
    "use -WhatIf first, or move the files to the Recycle Bin",
  );
}

/** Adds the findings of moving or renaming `sources` (a system folder moved away breaks Windows). */
export function judgeMove(sources: readonly string[], command: string, findings: FindingList): void {
  const root = sources.find((word) => classifyWindowsPath(word) === "root");
  if (root !== undefined) {
    findings.add(
      "move-root",
      "critical",
      `Moves or renames ${describeWindowsTarget(root)} away, which breaks the system or a whole home folder.`,
    );
    return;
  }
  findings.add("move-item", "moderate", `Moves or renames files (${command}).`);
}

/** Adds the findings of writing to `target` (a file or folder a command creates or overwrites). */
export function judgeWrite(target: string, what: string, findings: FindingList, content = ""): void {
  const clean = target.replace(/^["']|["']$/g, "");
  if (/^\$null$|^nul$/i.test(clean) || clean === "") return;
  if (/^\\\\\.\\(physicaldrive\d+|[a-z]:)$/i.test(clean)) {
    findings.add(
      "disk-overwrite",
      "critical",
      `${what} straight onto the disk ${clean}: everything on it is lost.`,
    );
    return;
  }
  if (STARTUP_LOCATION.test(clean)) {
    const remote =
      /\b(iwr|irm|iex|invoke-webrequest|invoke-restmethod|invoke-expression|downloadstring|downloadfile|net\.sockets)\b|https?:\/\//i.test(
        content,
      );
    findings.add(
      "persistence",
      remote ? "critical" : "high",
      `${what} into ${clean}, which runs every time Windows starts or you log on (persistence).`,
    );
    return;
  }
  if (/drivers[\\/]etc[\\/]hosts$/i.test(clean)) {
    findings.add("hosts-file-write", "high", `${what} into the hosts file, which redirects network names.`);
    return;
  }
  if (isWindowsSystemPath(clean) || classifyWindowsPath(clean) === "root") {
    findings.add("system-write", "high", `${what} into ${clean}, a system folder.`);
    return;
  }
  findings.add("file-write", "moderate", `${what} ${clean}.`);
}

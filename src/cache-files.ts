/**
 * cmdai's small cache files (remembered verdicts, notes, versions): each is written whole or not at all — a
 * temporary file beside it, then a rename, so a reader never sees half a record — and private to the user.
 * And the identity of a file whose verdict is remembered: a file written again, replaced or moved to another
 * inode gets another identity, whatever its modification time says.
 */
import fs from "node:fs";
import fsPromises from "node:fs/promises";
import path from "node:path";

function temporaryBeside(file: string): string {
  return `${file}.${process.pid}.tmp`;
}

/** Replace `file` with `text` at once (its folder is created). Rejects when it cannot be written. */
export async function replaceFile(file: string, text: string): Promise<void> {
  await fsPromises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = temporaryBeside(file);
  await fsPromises.writeFile(temporary, text, { mode: 0o600 });
  await fsPromises.rename(temporary, file);
}

/** {@link replaceFile}, synchronously. Throws when it cannot be written. */
export function replaceFileSync(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = temporaryBeside(file);
  fs.writeFileSync(temporary, text, { mode: 0o600 });
  fs.renameSync(temporary, file);
}

function identityOf(stat: fs.BigIntStats): string | undefined {
  if (!stat.isFile()) return undefined;
  return [stat.size, stat.mtimeNs, stat.ctimeNs, stat.ino, stat.dev].map(String).join(":");
}

/** A regular file's identity (size, modification and change times, inode, device); undefined when it is none. */
export async function fileIdentity(filePath: string): Promise<string | undefined> {
  try {
    return identityOf(await fsPromises.stat(filePath, { bigint: true }));
  } catch {
    return undefined;
  }
}

/** {@link fileIdentity}, synchronously. */
export function fileIdentitySync(filePath: string): string | undefined {
  try {
    return identityOf(fs.statSync(filePath, { bigint: true }));
  } catch {
    return undefined;
  }
}

/**
 * Saved prompt state: the KV state of the fixed prompt prefix (system prompt + the user-turn header), saved with
 * `saveStateToFile` and reloaded on later runs (measured: 3 s of prompt evaluation on the 1.5B shape becomes a
 * few milliseconds). A state file is only valid for the exact model, llama.cpp build and prefix tokens, so its
 * name is a hash of all of them; a JSON manifest written after it records its size and SHA-256, so a torn,
 * truncated or tampered file is detected and rebuilt instead of handed to llama.cpp.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

/** What a saved state depends on. */
export interface PromptStateIdentity {
  modelPath: string;
  modelSizeBytes: number;
  modelModifiedMs: number;
  /** llama.cpp release the state was produced with. */
  runtime: string;
  promptTemplateVersion: number;
  /** The prefix tokens themselves: they capture shell, context text and chat template. */
  prefixTokens: readonly number[];
}

interface Manifest {
  key: string;
  stateBytes: number;
  stateSha256: string;
  tokenCount: number;
}

/** By default at most this many states are kept; the least recently used are pruned when one is written. */
export const MAX_SAVED_STATES = 16;

/** The cache key (hex SHA-256) of an identity. */
export function promptStateKey(identity: PromptStateIdentity): string {
  const hash = createHash("sha256");
  hash.update(
    JSON.stringify([
      identity.modelPath,
      identity.modelSizeBytes,
      identity.modelModifiedMs,
      identity.runtime,
      identity.promptTemplateVersion,
    ]),
  );
  hash.update(Buffer.from(Uint32Array.from(identity.prefixTokens).buffer));
  return hash.digest("hex");
}

async function sha256File(filePath: string): Promise<string> {
  return createHash("sha256")
    .update(await fs.readFile(filePath))
    .digest("hex");
}

/** Where states of one key live, and the checks around reading and writing them. */
export class PromptStateCache {
  constructor(
    private readonly directory: string,
    private readonly maxStates: number = MAX_SAVED_STATES,
  ) {}

  statePath(key: string): string {
    return path.join(this.directory, `${key}.state`);
  }

  private manifestPath(key: string): string {
    return path.join(this.directory, `${key}.json`);
  }

  /**
   * The path of a verified state file for `key`, or undefined. A file whose manifest is missing or does not
   * match (torn write, truncation, corruption) is deleted so the caller rebuilds it.
   */
  async find(key: string, tokenCount: number): Promise<string | undefined> {
    const statePath = this.statePath(key);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await fs.readFile(this.manifestPath(key), "utf8")) as Manifest;
    } catch {
      await this.remove(key);
      return undefined;
    }
    try {
      const stat = await fs.stat(statePath);
      if (
        manifest.key === key &&
        manifest.tokenCount === tokenCount &&
        stat.size === manifest.stateBytes &&
        (await sha256File(statePath)) === manifest.stateSha256
      ) {
        // Marked as used: pruning keeps the states used last, not the ones written last.
        const now = new Date();
        await fs.utimes(statePath, now, now).catch(() => undefined);
        return statePath;
      }
    } catch {
      // Missing state file: rebuild.
    }
    await this.remove(key);
    return undefined;
  }

  /**
   * Save a state atomically: `save` writes to a temporary path, which is renamed into place, then the manifest
   * is written and renamed (a state without a manifest is never used).
   */
  async store(
    key: string,
    tokenCount: number,
    save: (temporaryPath: string) => Promise<void>,
  ): Promise<void> {
    await fs.mkdir(this.directory, { recursive: true });
    const suffix = `${process.pid}.${Date.now()}.tmp`;
    const temporaryState = `${this.statePath(key)}.${suffix}`;
    const temporaryManifest = `${this.manifestPath(key)}.${suffix}`;
    try {
      await save(temporaryState);
      const stat = await fs.stat(temporaryState);
      const manifest: Manifest = {
        key,
        stateBytes: stat.size,
        stateSha256: await sha256File(temporaryState),
        tokenCount,
      };
      await fs.rename(temporaryState, this.statePath(key));
      await fs.writeFile(temporaryManifest, JSON.stringify(manifest));
      await fs.rename(temporaryManifest, this.manifestPath(key));
    } finally {
      await fs.rm(temporaryState, { force: true });
      await fs.rm(temporaryManifest, { force: true });
    }
    await this.prune();
  }

  /** Delete one key's files. */
  async remove(key: string): Promise<void> {
    await fs.rm(this.statePath(key), { force: true });
    await fs.rm(this.manifestPath(key), { force: true });
  }

  /** Keep only the `maxStates` states used (found or written) last. */
  private async prune(): Promise<void> {
    const names = await fs.readdir(this.directory);
    const states: { key: string; modifiedMs: number }[] = [];
    for (const name of names.filter((entry) => entry.endsWith(".state"))) {
      try {
        const stat = await fs.stat(path.join(this.directory, name));
        states.push({ key: name.slice(0, -".state".length), modifiedMs: stat.mtimeMs });
      } catch {
        // Removed by another cmdai process meanwhile.
      }
    }
    states.sort((left, right) => right.modifiedMs - left.modifiedMs);
    for (const stale of states.slice(this.maxStates)) await this.remove(stale.key);
  }
}

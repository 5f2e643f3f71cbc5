/**
 * Bringing a context sequence to the prompt's cacheable prefix, from what it already holds or from saved KV
 * states, at two levels:
 * - the system prefix (system prompt + the user-turn header), the same in every folder;
 * - the folder prefix: that plus the user message's working-directory line and the `Request:` label, the
 *   same for every request made in one folder. It was ~30 of the 61 tokens a cold request evaluated (the
 *   warm server already kept them between requests of one folder); reloading them takes milliseconds.
 *
 * Each level is evaluated as its own batch, so a later run that loads it evaluates the rest in the same
 * batches as the run that saved it: llama.cpp's sums depend on the batch split (the split itself costs nothing
 * measurable: llama-bench pp26 + pp33 at depth 351 took 1,111–1,207 ms, pp59 1,102–1,264), and a seeded answer
 * stays the same whether the prefix was evaluated or loaded. A new folder's state (~11 MB, 70–110 ms to write
 * and hash) is saved after the answer, not before it.
 */
import path from "node:path";
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import {
  MAX_SAVED_STATES,
  PromptStateCache,
  promptStateKey,
  type PromptStateIdentity,
} from "./prompt-state-cache.js";

/** Folder states kept (the ones used last): each holds the whole prefix, ~11 MB for the 1.5B model. */
export const MAX_FOLDER_STATES = 8;

/** Where the rendered prompt's cacheable prefixes end (token counts, the folder's ≥ the system's). */
export interface PrefixLengths {
  system: number;
  folder: number;
}

/** Where {@link SavedPrefixes.restore} left the sequence. */
export interface RestoredPrefix {
  /** The first input token left to evaluate. */
  next: number;
  /** How many tokens before it came from the sequence or a saved state rather than being evaluated now. */
  cached: number;
  /**
   * Save the folder's prefix, evaluated now, for later runs: call it once the answer is out. It drops what the
   * sequence holds beyond that prefix first.
   */
  saveFolder: (() => Promise<void>) | undefined;
}

export class SavedPrefixes {
  private readonly systemStates: PromptStateCache;
  private readonly folderStates: PromptStateCache;

  /**
   * @param directory the prompt-state folder; folder states live in its `folders/` subfolder, with their own
   *   limit, so a day in many folders never evicts the system prefix's states.
   * @param identity what every state here depends on besides its tokens (model file, llama.cpp build).
   */
  constructor(
    directory: string,
    private readonly identity: Omit<PromptStateIdentity, "prefixTokens">,
    private readonly log: (line: string) => void,
  ) {
    this.systemStates = new PromptStateCache(directory, MAX_SAVED_STATES);
    this.folderStates = new PromptStateCache(path.join(directory, "folders"), MAX_FOLDER_STATES);
  }

  /**
   * Bring `sequence` to a state from which `input` can be evaluated. What the sequence holds from the
   * previous request is kept as far as it matches (in the warm server, usually the whole folder prefix);
   * otherwise the folder's saved state is loaded, or the system prefix is restored and the folder's part
   * evaluated (to be saved after the answer). At least one token is always left to evaluate, since sampling
   * needs its logits.
   */
  async restore(
    sequence: LlamaContextSequence,
    input: Token[],
    lengths: PrefixLengths,
  ): Promise<RestoredPrefix> {
    const last = input.length - 1;
    const system = Math.min(lengths.system, last);
    const folder = Math.max(system, Math.min(lengths.folder, last));
    const heldTokens = (): number => Math.min(sequence.compareContextTokens(input).firstDifferentIndex, last);
    let shared = heldTokens();
    if (shared >= folder) {
      await eraseFrom(sequence, shared);
      return { next: shared, cached: shared, saveFolder: undefined };
    }
    const folderPrefix = input.slice(0, folder);
    if (folder > system && (await this.load(this.folderStates, sequence, folderPrefix))) {
      return { next: folder, cached: folder, saveFolder: undefined };
    }

    // Counted again: a saved state that failed to load leaves the sequence cleared.
    shared = heldTokens();
    let held = shared;
    let cached = shared;
    if (shared >= system) await eraseFrom(sequence, shared);
    else {
      const systemPrefix = input.slice(0, system);
      if (await this.load(this.systemStates, sequence, systemPrefix)) cached = system;
      else {
        // What the sequence holds (if anything) is not the system prefix: start from nothing.
        cached = 0;
        await sequence.clearHistory();
        await sequence.evaluateWithoutGeneratingNewTokens(systemPrefix);
        await this.save(this.systemStates, sequence, systemPrefix);
      }
      held = system;
    }
    if (folder === held) return { next: folder, cached, saveFolder: undefined };
    await sequence.evaluateWithoutGeneratingNewTokens(input.slice(held, folder));
    const saveFolder = async (): Promise<void> => {
      // Only if the sequence still starts with the prefix (it always should: nothing else evaluates meanwhile).
      if (sequence.compareContextTokens(folderPrefix).firstDifferentIndex < folder) return;
      await eraseFrom(sequence, folder);
      await this.save(this.folderStates, sequence, folderPrefix);
    };
    return { next: folder, cached, saveFolder };
  }

  private key(prefix: readonly Token[]): string {
    return promptStateKey({ ...this.identity, prefixTokens: prefix });
  }

  /**
   * Load the saved state of exactly `prefix` in place of what the sequence holds. False if there is none
   * (the sequence is left as it was) or it failed to load (the sequence is left cleared).
   */
  private async load(
    cache: PromptStateCache,
    sequence: LlamaContextSequence,
    prefix: Token[],
  ): Promise<boolean> {
    const key = this.key(prefix);
    const saved = await cache.find(key, prefix.length);
    if (saved === undefined) return false;
    await sequence.clearHistory();
    try {
      await sequence.loadStateFromFile(saved, { acceptRisk: true });
      if (
        sequence.nextTokenIndex === prefix.length &&
        sequence.compareContextTokens(prefix).firstDifferentIndex === prefix.length
      ) {
        this.log(`embedded: reused saved prompt state ${path.basename(saved)} (${prefix.length} tokens)`);
        return true;
      }
    } catch (error) {
      this.log(`embedded: saved prompt state unusable (${(error as Error).message}); rebuilding`);
    }
    await sequence.clearHistory();
    await cache.remove(key);
    return false;
  }

  /** Save the sequence, which holds exactly `prefix`. A read-only cache only costs speed. */
  private async save(
    cache: PromptStateCache,
    sequence: LlamaContextSequence,
    prefix: Token[],
  ): Promise<void> {
    try {
      await cache.store(this.key(prefix), prefix.length, async (temporaryPath) => {
        await sequence.saveStateToFile(temporaryPath);
      });
    } catch (error) {
      this.log(`embedded: could not save prompt state: ${(error as Error).message}`);
    }
  }
}

/** Drop what the sequence holds from `index` on. */
async function eraseFrom(sequence: LlamaContextSequence, index: number): Promise<void> {
  if (sequence.nextTokenIndex > index) {
    await sequence.eraseContextTokenRanges([{ start: index, end: sequence.nextTokenIndex }]);
  }
}

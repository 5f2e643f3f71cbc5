/**
 * The time and entry budget of one preview, shared by every walk, glob and git call it makes: when it runs out,
 * counting stops and the preview says "at least …".
 */

/** Default number of directory entries a preview may look at. */
export const DEFAULT_ENTRY_BUDGET = 200_000;
/** Default time a preview may take, in milliseconds. */
export const DEFAULT_TIME_BUDGET_MS = 2_000;

/** A budget of directory entries and wall-clock time. */
export class PreviewBudget {
  private entriesLeft: number;
  private readonly deadline: number;
  private stopped = false;

  constructor(
    options: {
      entries?: number | undefined;
      timeMs?: number | undefined;
      signal?: AbortSignal | undefined;
    } = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.entriesLeft = options.entries ?? DEFAULT_ENTRY_BUDGET;
    this.deadline = this.now() + (options.timeMs ?? DEFAULT_TIME_BUDGET_MS);
    this.signal = options.signal;
  }

  private readonly signal: AbortSignal | undefined;

  /** Takes `count` entries; false (and exhausted from then on) when the budget cannot cover them. */
  spend(count = 1): boolean {
    if (this.exhausted) return false;
    if (count > this.entriesLeft) {
      this.entriesLeft = 0;
      this.stopped = true;
      return false;
    }
    this.entriesLeft -= count;
    return true;
  }

  /** Entries that may still be looked at. */
  get remainingEntries(): number {
    return this.exhausted ? 0 : this.entriesLeft;
  }

  /** Milliseconds left, at least 0. */
  get remainingMs(): number {
    return Math.max(0, this.deadline - this.now());
  }

  /** Whether counting must stop: entries or time spent, or aborted. */
  get exhausted(): boolean {
    if (!this.stopped && (this.now() >= this.deadline || this.signal?.aborted === true)) this.stopped = true;
    return this.stopped;
  }
}

/**
 * What cmdai is doing, live, on a terminal's stderr while a person waits: one status line naming the step
 * (`loading qwen2.5-coder-1.5b…`, `starting the model server…`, `generating…`) with its elapsed seconds, shown
 * shortly after the step begins so quick steps do not flicker, and under it the command as the model writes
 * it. Each row is cut to the terminal's width so it never wraps, which keeps erasing exact. Whoever draws
 * next (the result, a question, a progress bar, an error) calls {@link LiveStatus.clear} first.
 */
import type { ProgressEvent } from "../backends/backend.js";
import { painter } from "./colors.js";
import type { CliWritable } from "./io.js";

/** Options of {@link LiveStatus}. */
export interface LiveStatusOptions {
  stream: CliWritable;
  color: boolean;
  /** Delay before a step's line appears. Default 100 ms (the line must be up within 150 ms). */
  showAfterMs?: number;
  /** How often the elapsed seconds are redrawn. Default 250 ms. */
  tickMs?: number;
  /** Clock, for tests. Default `performance.now`. */
  now?: () => number;
}

/** The words for a step of a request; undefined for events that are not steps (downloads, status lines). */
export function describeStep(event: ProgressEvent): string | undefined {
  const model = event.label.replace(/\.gguf$/i, "");
  switch (event.kind) {
    case "load":
      return `loading ${model}`;
    case "serve":
      return `starting the model server (${model})`;
    case "generate":
      return "generating";
    case "download":
    case "status":
      return undefined;
  }
}

/** Model text made safe to print: control characters (escape sequences, newlines) shown, never obeyed. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this replaces
  const controls = /[\u0000-\u001f\u007f-\u009f]/g;
  return text.replace(/\n/g, "⏎").replace(/\t/g, " ").replace(controls, "�");
}

/** Cut `text` to `width` code points, keeping its end (the newest part of a growing command). */
function keepEnd(text: string, width: number): string {
  const characters = Array.from(text);
  return characters.length <= width ? text : `…${characters.slice(characters.length - width + 1).join("")}`;
}

function keepStart(text: string, width: number): string {
  const characters = Array.from(text);
  return characters.length <= width ? text : `${characters.slice(0, width - 1).join("")}…`;
}

export class LiveStatus {
  private readonly stream: CliWritable;
  private readonly paint: ReturnType<typeof painter>;
  private readonly showAfterMs: number;
  private readonly tickMs: number;
  private readonly now: () => number;
  private step: string | undefined;
  private stepStartedAt = 0;
  private command = "";
  private visible = false;
  private rowsDrawn = 0;
  private lastDrawn = "";
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: LiveStatusOptions) {
    this.stream = options.stream;
    this.paint = painter(options.color);
    this.showAfterMs = options.showAfterMs ?? 100;
    this.tickMs = options.tickMs ?? 250;
    this.now = options.now ?? (() => performance.now());
  }

  /** A step begins; its line shows after a moment and counts seconds until the next step or {@link clear}. */
  startStep(label: string): void {
    if (this.closed) return;
    this.step = label;
    this.stepStartedAt = this.now();
    this.stopTimer();
    if (this.visible) {
      this.draw();
      this.tick();
      return;
    }
    this.timer = setTimeout(() => {
      this.visible = true;
      this.draw();
      this.tick();
    }, this.showAfterMs);
    this.timer.unref();
  }

  /** The command so far; shown at once ("" takes it away). */
  showCommand(command: string): void {
    if (this.closed) return;
    this.command = command;
    if (this.step === undefined && command === "") return;
    this.visible = true;
    this.stopTimer();
    this.draw();
    this.tick();
  }

  /** Erase what is drawn and stop: the next output takes the lines' place. Safe to call any time. */
  clear(): void {
    this.stopTimer();
    this.erase();
    this.visible = false;
    this.step = undefined;
    this.command = "";
  }

  /** Clear for good: the result is drawn, and later steps (a revision in the menu) have their own display. */
  close(): void {
    this.clear();
    this.closed = true;
  }

  private tick(): void {
    this.stopTimer();
    this.timer = setInterval(() => this.draw(), this.tickMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private rows(): string[] {
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    const rows: string[] = [];
    if (this.step !== undefined) {
      const seconds = Math.floor((this.now() - this.stepStartedAt) / 1000);
      rows.push(this.paint.dim(keepStart(`${this.step}… ${seconds}s`, width)));
    }
    if (this.command !== "")
      rows.push(`${this.paint.dim("$")} ${keepEnd(printable(this.command), width - 2)}`);
    return rows;
  }

  private draw(): void {
    const rows = this.rows();
    const text = rows.join("\n");
    if (text === this.lastDrawn && this.rowsDrawn === rows.length) return;
    this.erase();
    if (rows.length === 0) return;
    this.stream.write(text);
    this.rowsDrawn = rows.length;
    this.lastDrawn = text;
  }

  /** Back to the start of the first row drawn, with every drawn row cleared. */
  private erase(): void {
    if (this.rowsDrawn === 0) return;
    this.stream.write(`\r\u001b[2K${"\u001b[1A\u001b[2K".repeat(this.rowsDrawn - 1)}`);
    this.rowsDrawn = 0;
    this.lastDrawn = "";
  }
}

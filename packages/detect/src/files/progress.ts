/** How far the processing of a file has come. `done` only grows, and equals `total` once, at the end. */
export interface FileProgress {
  readonly done: number;
  readonly total: number;
}

/** How long the engine works before letting other tasks of the process (a server's requests) run. */
const SLICE_MS = 10;

/**
 * Reports progress and yields to the event loop during a long, synchronous analysis. Reports are
 * spaced (about every 1%); `done === total` is reported only by {@link finish}, once the output exists.
 */
export class ProgressReporter {
  private done = 0;
  private lastReported = -1;
  private lastYield = performance.now();
  private readonly step: number;

  constructor(
    readonly total: number,
    private readonly onProgress: ((p: FileProgress) => void) | undefined,
  ) {
    this.step = Math.max(1, Math.floor(total / 100));
  }

  /** Counts `n` more units of work done, and yields if the engine has worked for a while. */
  async advance(n: number): Promise<void> {
    this.done = Math.min(this.done + n, this.total);
    if (this.onProgress && this.done < this.total && this.done - this.lastReported >= this.step) {
      this.lastReported = this.done;
      this.onProgress({ done: this.done, total: this.total });
    }
    if (performance.now() - this.lastYield >= SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.lastYield = performance.now();
    }
  }

  /** Reports completion. */
  finish(): void {
    this.done = this.total;
    this.onProgress?.({ done: this.total, total: this.total });
  }
}

/**
 * Signals for many concurrent pieces of work under one parent signal, with ONE listener on
 * the parent. Each repository's check adds a few listeners to its own signal (restic's
 * process, its deadline, a push attempt); had they all gone on the run's or the daemon's one
 * signal, a dozen repositories in flight would pass Node's limit of 10 and log a
 * MaxListenersExceededWarning, and a leak there would go unnoticed among legitimate ones.
 */
export class AbortFanout {
  private readonly children = new Set<AbortController>();
  private readonly onAbort = () => {
    for (const child of this.children) child.abort(this.parent?.reason);
  };

  /** Without a parent, `abortAll()` is the only way the children abort (the scheduler's stop). */
  constructor(private readonly parent?: AbortSignal) {
    parent?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * A signal that aborts with the parent (or `abortAll`). `release()` forgets it without
   * aborting it: work that outlives its owner (a restic run shared by a group) goes on.
   */
  child(): { signal: AbortSignal; release(): void } {
    const controller = new AbortController();
    if (this.parent?.aborted) controller.abort(this.parent.reason);
    else this.children.add(controller);
    return { signal: controller.signal, release: () => this.children.delete(controller) };
  }

  abortAll(reason?: unknown): void {
    for (const child of this.children) child.abort(reason);
    this.children.clear();
  }

  /** Children in flight: what a test looks at to see that nothing is kept. */
  get size(): number {
    return this.children.size;
  }

  /** Lets go of the parent (its one listener). */
  dispose(): void {
    this.parent?.removeEventListener('abort', this.onAbort);
  }
}

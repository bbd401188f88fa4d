import type { PrimarySeen } from '../health/signals.js';
import type { Outcome } from '../verdict.js';

/**
 * What each primary's look saw (mirror_of), handed to its copies. A copy asks after its own
 * look, outside any check slot, and waits only for a primary whose look has already begun:
 * that look needs nothing but a check slot, which the limiter (FIFO) gives it before the
 * copy's own (the run starts primaries first), so no copy can hold up its primary. A primary
 * not begun yet (the daemon, where each check has its own schedule) gives its last look, or
 * "not checked yet". One entry per primary: memory stays flat however long the daemon runs.
 */
export class PrimaryLooks {
  private readonly pending = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  private readonly last = new Map<string, PrimarySeen>();
  private primaries: ReadonlySet<string>;

  constructor(primaries: Iterable<string>) {
    this.primaries = new Set(primaries);
  }

  /** A reloaded config: the primaries it names; what is kept of others goes. */
  retain(primaries: Iterable<string>): void {
    this.primaries = new Set(primaries);
    for (const name of [...this.last.keys()]) if (!this.primaries.has(name)) this.last.delete(name);
    // A copy may be waiting on a look that is no longer a primary's: let it go, or it (and a
    // stop that waits for it) would wait for ever.
    for (const [name, waiting] of [...this.pending]) {
      if (this.primaries.has(name)) continue;
      waiting.resolve();
      this.pending.delete(name);
    }
  }

  /** A check's look begins: its copies wait for it from now on. */
  begun(name: string): void {
    if (!this.primaries.has(name) || this.pending.has(name)) return;
    let resolve!: () => void;
    const promise = new Promise<void>((done) => (resolve = done));
    this.pending.set(name, { promise, resolve });
  }

  /** A check's look ended with `outcome` (before its own signals are judged). */
  seen(name: string, outcome: Outcome): void {
    // Whoever waits is released first, even when a reload has since dropped this primary.
    this.pending.get(name)?.resolve();
    this.pending.delete(name);
    if (!this.primaries.has(name)) return;
    this.last.set(name, 'failure' in outcome ? { name, failure: outcome.failure } : { name, latest: outcome.latest });
  }

  /** What a copy knows of `name`: its look in progress (awaited), else its last one. */
  async of(name: string): Promise<PrimarySeen> {
    await this.pending.get(name)?.promise;
    return this.last.get(name) ?? { name };
  }
}

/** The checks some copy names as its primary. */
export function primariesOf(checks: readonly { mirrorOf?: string }[]): string[] {
  return [...new Set(checks.flatMap((check) => (check.mirrorOf === undefined ? [] : [check.mirrorOf])))];
}

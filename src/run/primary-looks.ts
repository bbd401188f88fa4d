import { needsOf } from '../health/registry.js';
import type { PrimarySeen } from '../health/signal.js';
import type { Check } from '../config/types.js';
import type { Outcome } from '../verdict.js';

/**
 * The `primary` capability: what a check's look saw, handed to the checks that compare
 * themselves with it (Needs.primary: a copy and its primary). A copy asks after its own
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

/** The check whose look this one compares with (its primary); undefined when none. */
export function primaryOf(check: Pick<Check, 'name'>): string | undefined {
  return needsOf(check as Check).primary;
}

/** The checks some copy names as its primary. */
export function primariesOf(checks: readonly Check[]): string[] {
  return [...new Set(checks.flatMap((check) => primaryOf(check) ?? []))];
}

/**
 * Every check in an order where each primary comes before its copies (config order
 * otherwise): a copy waits for its primary's look, and a primary started first never waits
 * behind its copies for a place (run-once.ts, daemon.ts).
 */
export function primariesFirst<T extends Pick<Check, 'name'>>(checks: readonly T[]): T[] {
  const byName = new Map(checks.map((check) => [check.name, check]));
  const placed = new Set<string>();
  const ordered: T[] = [];
  const place = (check: T, seen: Set<string>) => {
    if (placed.has(check.name) || seen.has(check.name)) return;
    seen.add(check.name);
    const name = primaryOf(check);
    const primary = name === undefined ? undefined : byName.get(name);
    if (primary) place(primary, seen);
    placed.add(check.name);
    ordered.push(check);
  };
  for (const check of checks) place(check, new Set());
  return ordered;
}

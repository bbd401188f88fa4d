/**
 * The concurrency design, in one place. Two bounds, and only two:
 * - checks: at most `concurrency` (the config key) checks run at once (restic, S3, rclone,
 *   local listings): restic's key derivation is CPU-bound and repositories are remote.
 * - pushes: at most PUSH_CONCURRENCY pushes are in flight at once, on a limiter of its
 *   own, so a slow push target never holds a check's place.
 * The one-shot run's worker pool (run-once.ts) and the daemon's scheduler each also cap how
 * many checks are somewhere between "waiting for a check slot" and "pushed": that cap is
 * inFlightBound, every check slot plus every push slot, so it never binds before the two
 * limiters do; it only keeps the number of waiting checks (and their memory) finite.
 */

/** The two bounds a run or the daemon shares between all its checks. */
export interface Limits {
  checks: Limiter;
  pushes: Limiter;
}

export function limitsFor(concurrency: number): Limits {
  return { checks: new Limiter(concurrency), pushes: new Limiter(PUSH_CONCURRENCY) };
}

/**
 * Checks between start and end at once (waiting for a slot, checking or pushing): enough for
 * every check slot and every push slot, so a check waiting on a slow push does not keep the
 * next one from being checked. Not a third bound: the limiters above are the bounds.
 */
export function inFlightBound(concurrency: number): number {
  return concurrency + PUSH_CONCURRENCY;
}

/** At most `limit` pieces of work at once, the rest waiting in arrival order. */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private limit: number) {}

  /** A reloaded config may change the limit; waiting work starts if there is room now. */
  setLimit(limit: number): void {
    this.limit = limit;
    this.drain();
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.drain();
    }
  }

  private drain(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}

/** Pushes in flight at once: each is a small HTTP request, mostly waiting on the network. */
export const PUSH_CONCURRENCY = 16;

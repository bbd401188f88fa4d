/**
 * At most `limit` pieces of work at once, the rest waiting in arrival order. Checks and
 * pushes each have their own, so a slow heartbeat target never holds a check's place.
 */
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

import type { Timers } from '../../src/daemon/timers.js';

/** A manual clock: time moves only through advance(), and due callbacks run in time order. */
export class FakeTimers implements Timers {
  private time: number;
  private nextId = 1;
  readonly pending = new Map<number, { at: number; callback: () => void }>();

  /** `startMs`: the clock's first reading; an epoch time where calendar (cron) times matter. */
  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + delayMs, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Moves the clock forward, firing every timer that falls due, with microtasks settled between. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
    }
    this.time = end;
    await settle();
  }
}

/** Lets queued promise callbacks run (several hops: async functions chain a few). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

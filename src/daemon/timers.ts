/** The clock and timers the scheduler runs on; tests pass a fake one. */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A fleet that shares an interval should not fire all at once: up to 10% later, at most 5 min. */
export const MAX_JITTER_MS = 5 * 60_000;

export function jitterMs(intervalMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(intervalMs / 10, MAX_JITTER_MS));
}

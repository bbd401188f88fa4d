import { MAX_TIMER_MS } from '../abort/deadline.js';

/** The clock and timers the scheduler runs on; tests pass a fake one. */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  // The scheduler re-arms when it wakes, so a wait beyond a timer's limit (an interval of
  // weeks) is made in steps rather than firing at once, over and over (FACTS.md).
  setTimeout: (callback, delayMs) => setTimeout(callback, Math.min(delayMs, MAX_TIMER_MS)),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A fleet that shares an interval should not fire all at once: up to 10% later, at most 5 min. */
export const MAX_JITTER_MS = 5 * 60_000;

export function maxJitterMs(intervalMs: number): number {
  return Math.min(intervalMs / 10, MAX_JITTER_MS);
}

export function jitterMs(intervalMs: number, random: () => number): number {
  return Math.floor(random() * maxJitterMs(intervalMs));
}

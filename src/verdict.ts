import { formatDuration } from './duration.js';

export type Status = 'up' | 'down';

export interface Verdict {
  status: Status;
  message: string;
  /**
   * Milliseconds since the newest snapshot, as judged: 0 for one ahead of the clock within
   * FUTURE_TOLERANCE_MS, negative beyond it; null when there is none or the check failed.
   */
  ageMs: number | null;
}

/** A snapshot this far ahead of our clock means one of the two clocks is wrong. */
export const FUTURE_TOLERANCE_MS = 3_600_000;

export type Outcome = { latest: Date | null; scope?: string } | { failure: string };

/** Pure: what to report, given what the check saw, the allowed age and the time now. */
export function decide(observed: Outcome, maxAgeMs: number, now: Date): Verdict {
  const max = formatDuration(maxAgeMs, true);
  if ('failure' in observed) return { status: 'down', message: `check failed: ${observed.failure}`, ageMs: null };
  if (observed.latest === null) {
    return { status: 'down', message: observed.scope ? `no snapshots for ${observed.scope}` : 'no snapshots', ageMs: null };
  }
  const ageMs = now.getTime() - observed.latest.getTime();
  if (ageMs < -FUTURE_TOLERANCE_MS) {
    return {
      status: 'down',
      message: `latest snapshot is ${formatDuration(-ageMs)} in the future: check the clocks`,
      ageMs,
    };
  }
  const judged = Math.max(0, ageMs);
  const age = ageMs < 1000 ? 'just now' : `${formatDuration(ageMs)} ago`;
  if (ageMs <= maxAgeMs) return { status: 'up', message: `latest snapshot ${age} (max ${max})`, ageMs: judged };
  return { status: 'down', message: `stale: latest snapshot ${age} (max ${max})`, ageMs: judged };
}

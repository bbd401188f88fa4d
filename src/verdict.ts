import type { SignalLimits } from './health/registry.js';
import { formatDuration } from './duration.js';
import { evaluateSignals, type SignalResult } from './health/signals.js';
import type { Seen } from './health/signal.js';

export type Status = 'up' | 'down';

export interface Verdict {
  status: Status;
  message: string;
  /**
   * Milliseconds since the newest snapshot, as judged: 0 for one ahead of the clock within
   * FUTURE_TOLERANCE_MS, negative beyond it; null when there is none or the check failed.
   */
  ageMs: number | null;
  /** One result per configured health signal; absent when none is configured. */
  signals?: SignalResult[];
}

/** A snapshot this far ahead of our clock means one of the two clocks is wrong. */
export const FUTURE_TOLERANCE_MS = 3_600_000;

/** What a check saw (health/signal.ts: by capability), or why it could not look. */
export type Outcome = (Seen & { scope?: string }) | { failure: string };

/**
 * Pure: what to report, given what the check saw, the allowed age, the health signals'
 * limits and the time now. One verdict: up only when the newest snapshot is fresh and every
 * configured signal holds; the message leads with what failed first and keeps the age.
 */
export function decide(observed: Outcome, maxAgeMs: number, now: Date, limits: SignalLimits = {}): Verdict {
  const freshness = decideFreshness(observed, maxAgeMs, now);
  const outcome = evaluateSignals(limits, 'failure' in observed ? undefined : observed, now);
  if (outcome.results.length === 0 && outcome.failures.length === 0 && outcome.unchecked === undefined) return freshness.verdict;
  const verdict = outcome.results.length === 0 ? freshness.verdict : { ...freshness.verdict, signals: outcome.results };
  // No snapshot, a failed check, clocks apart: that message says it all.
  if (freshness.age === undefined) return verdict;
  const [first, ...rest] = outcome.failures;
  const failed = first === undefined ? undefined : `${first}${rest.length > 0 ? ` and ${rest.length} more` : ''}`;
  if (freshness.verdict.status === 'down') return failed === undefined ? verdict : { ...verdict, message: `${verdict.message}; ${failed}` };
  if (failed !== undefined) return { ...verdict, status: 'down', message: `${failed}; latest snapshot ${freshness.age}` };
  return outcome.unchecked === undefined ? verdict : { ...verdict, message: `${verdict.message}; ${outcome.unchecked}` };
}

/** Freshness alone; `age` ("2h ago") when a snapshot was seen at a sane time. */
function decideFreshness(observed: Outcome, maxAgeMs: number, now: Date): { verdict: Verdict; age?: string } {
  const max = formatDuration(maxAgeMs, true);
  if ('failure' in observed) return { verdict: { status: 'down', message: `check failed: ${observed.failure}`, ageMs: null } };
  if (observed.latest === null) {
    return { verdict: { status: 'down', message: observed.scope ? `no snapshots for ${observed.scope}` : 'no snapshots', ageMs: null } };
  }
  const ageMs = now.getTime() - observed.latest.getTime();
  if (ageMs < -FUTURE_TOLERANCE_MS) {
    return {
      verdict: {
        status: 'down',
        message: `latest snapshot is ${formatDuration(-ageMs)} in the future: check the clocks`,
        ageMs,
      },
    };
  }
  const judged = Math.max(0, ageMs);
  const age = ageMs < 1000 ? 'just now' : `${formatDuration(ageMs)} ago`;
  if (ageMs <= maxAgeMs) return { verdict: { status: 'up', message: `latest snapshot ${age} (max ${max})`, ageMs: judged }, age };
  return { verdict: { status: 'down', message: `stale: latest snapshot ${age} (max ${max})`, ageMs: judged }, age };
}

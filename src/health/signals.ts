// Health beyond freshness: every signal a check sets, judged against what it saw. Pure:
// limits and what was seen in, one result per listed signal and the failures out. The
// signals themselves are modules (registry.ts); this only runs them in order.
import { JUDGED } from './registry.js';
import type { SignalLimits } from './registry.js';
import type { Seen } from './signal.js';

export type { PrimarySeen } from './signal.js';

/**
 * One configured signal as `status --json` shows it. `limit` and `value` are in the signal's
 * unit (files, bytes, snapshots, percent, seconds: see each module). `ok: null` (and
 * `value: null`): could not be checked (no summary, no listing), which alone never makes a
 * check down.
 */
export interface SignalResult {
  name: string;
  limit: number;
  value: number | null;
  ok: boolean | null;
}

export interface SignalsOutcome {
  results: SignalResult[];
  /** Short texts of the failed signals: those not listed first, then the listed in the order of `results`. */
  failures: string[];
  /** Why a configured signal could not be checked (first reason), for an `up` message. */
  unchecked?: string;
}

/** Every signal judged against what a check saw (`seen` undefined: the check failed) as of `now`. */
export function evaluateSignals(limits: SignalLimits, seen: Seen | undefined, now: Date): SignalsOutcome {
  const results: SignalResult[] = [];
  const leading: string[] = [];
  const failures: string[] = [];
  let unchecked: string | undefined;
  for (const signal of JUDGED) {
    const judged = signal.judge(limits, seen, now);
    if (judged === undefined) continue;
    const listed = signal.listed !== false;
    if (listed) results.push({ name: signal.name, limit: judged.limit ?? 0, value: judged.value ?? null, ok: judged.ok });
    // One not listed (a damaged repository) matters most: its failure leads.
    if (judged.ok === false && judged.failure !== undefined) (listed ? failures : leading).push(judged.failure);
    if (judged.ok === null && judged.unchecked !== undefined) unchecked ??= judged.unchecked;
  }
  return { results, failures: [...leading, ...failures], ...(unchecked !== undefined && { unchecked }) };
}

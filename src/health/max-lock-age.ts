// max_lock_age: a restic killed mid-backup leaves its lock, and forget --prune fails from
// then on while backups go on. restic rewrites a live lock every 5 minutes, so a lock older
// than the limit is one nobody refreshes: fast mode judges lock file times (no password),
// restic mode the locks themselves (their time, host and PID).
import { formatDuration, readDuration } from '../duration.js';
import { readLimit } from './limit.js';
import type { SignalModule } from './signal.js';

export interface MaxLockAgeLimits {
  /** max_lock_age: no lock in the repository is older than this (milliseconds). */
  maxLockAgeMs?: number;
}

export interface MaxLockAgeResult {
  /** How old the oldest lock was when the check started (0: no lock); when the locks were listed. */
  oldestLockAgeMs?: number;
}

export const maxLockAge: SignalModule<'max_lock_age'> = {
  name: 'max_lock_age',
  keys: {
    max_lock_age: {
      value: { type: 'text' },
      places: ['repository', 'defaults', 'host'],
      shownDefault: 'none',
      doc: 'no lock in the repository is older than this duration (`2h`); fast mode reads lock file times (no password), restic mode the locks themselves (host and PID)',
      show: (check) => (check.signals?.maxLockAgeMs === undefined ? undefined : formatDuration(check.signals.maxLockAgeMs, true)),
    },
  },
  observes: ['locks'],
  read(context) {
    // A duration is never 0, so this limit has no "off" value: a check that must not inherit
    // it from defaults sets one of its own.
    const maxLockAgeMs = readLimit(context, 'max_lock_age', { read: readLockAge, accepts: (raw) => typeof raw === 'string' });
    return maxLockAgeMs === undefined ? undefined : { limits: { maxLockAgeMs } };
  },
  configured: (limits) => limits.maxLockAgeMs !== undefined,
  needs: (check) => (check.signals?.maxLockAgeMs === undefined ? undefined : { locks: true }),
  judge({ maxLockAgeMs: limitMs }, seen, now) {
    if (limitMs === undefined) return undefined;
    const limit = limitMs / 1000;
    const oldest = seen?.oldestLock;
    if (oldest === undefined) return { limit, value: null, ok: null, ...(seen && { unchecked: 'max_lock_age not checked: the locks were not listed' }) };
    if (oldest === null) return { limit, value: null, ok: true };
    const ageMs = Math.max(0, now.getTime() - oldest.time.getTime());
    const from = oldest.hostname === undefined ? '' : ` from ${oldest.hostname}${oldest.pid === undefined ? '' : ` (pid ${oldest.pid})`}`;
    const failure = `stale lock${from} for ${formatDuration(ageMs)} (max_lock_age ${formatDuration(limitMs, true)})`;
    return { limit, value: Math.round(ageMs / 1000), ok: ageMs <= limitMs, failure };
  },
  report(_check, observed, startedAt) {
    const oldest = 'failure' in observed ? undefined : observed.oldestLock;
    if (oldest === undefined) return {};
    return { oldestLockAgeMs: oldest === null ? 0 : Math.max(0, startedAt.getTime() - oldest.time.getTime()) };
  },
  metrics: [
    {
      name: 'oldest_lock_age_seconds',
      help: 'Age of the oldest lock in the repository when the last check looked (0: none); only with max_lock_age set.',
      value: (result) => (result.oldestLockAgeMs === undefined ? undefined : Math.round(result.oldestLockAgeMs) / 1000),
    },
  ],
};

function readLockAge(raw: unknown) {
  const parsed = readDuration(String(raw));
  return 'ms' in parsed ? { value: parsed.ms } : parsed;
}

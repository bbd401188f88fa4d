import { formatDuration } from '../duration.js';
import type { EntryView } from './scheduler.js';

export interface Health {
  ok: boolean;
  reason: string;
}

/**
 * A repository's cycle is overdue when no check of it ended for two intervals plus its
 * timeout: one interval and its jitter for the next check to come due, one more for a
 * queue behind the concurrency limit, and the timeout for the check itself.
 */
export function overdueAfterMs(entry: Pick<EntryView, 'intervalMs' | 'timeoutMs'>): number {
  return 2 * entry.intervalMs + entry.timeoutMs;
}

/** Pure: healthy while the scheduler runs and every repository's cycle is recent enough. */
export function judgeHealth(running: boolean, entries: readonly EntryView[], now: number): Health {
  if (!running) return { ok: false, reason: 'scheduler stopped' };
  for (const entry of entries) {
    const silent = now - entry.lastProgressAt;
    const limit = overdueAfterMs(entry);
    if (silent > limit) {
      return { ok: false, reason: `${entry.name}: no check ended for ${formatDuration(silent)} (limit ${formatDuration(limit)})` };
    }
  }
  return { ok: true, reason: `ok: ${entries.length} ${entries.length === 1 ? 'repository' : 'repositories'} on schedule` };
}

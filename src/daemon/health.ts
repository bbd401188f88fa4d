import { formatDuration } from '../duration.js';

export interface Health {
  ok: boolean;
  reason: string;
}

/** What health needs to know of one repository. */
export interface HealthEntry {
  name: string;
  /** When its last cycle ended, or when it joined the schedule if none has. */
  lastProgressAt: number;
  /** How long it may go without a cycle ending (overdueAfterMs in src/run/bounds.ts). */
  overdueAfterMs: number;
}

/** Pure: healthy while the scheduler runs and every repository's cycle is recent enough. */
export function judgeHealth(running: boolean, entries: readonly HealthEntry[], now: number): Health {
  if (!running) return { ok: false, reason: 'scheduler stopped' };
  for (const entry of entries) {
    const silent = now - entry.lastProgressAt;
    const limit = entry.overdueAfterMs;
    if (silent > limit) {
      return { ok: false, reason: `${entry.name}: no check ended for ${formatDuration(silent)} (limit ${formatDuration(limit)})` };
    }
  }
  return { ok: true, reason: `ok: ${entries.length} ${entries.length === 1 ? 'check' : 'checks'} on schedule` };
}

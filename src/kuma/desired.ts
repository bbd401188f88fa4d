import type { KumaSettings } from '../config/kuma.js';
import { isKumaPushBase, MAX_KUMA_INTERVAL_MS, monitorNameOf } from '../config/kuma.js';
import type { Check } from '../config/types.js';

/** The push monitor a check should have in Kuma. */
export interface DesiredMonitor {
  /** The check's name: the value of the marking tag, and how a monitor is matched to its check. */
  check: string;
  name: string;
  pushToken: string;
  /** Heartbeat interval (and retry interval), whole seconds. */
  intervalSeconds: number;
  /** The expected gap between two beats, and what was added to it. */
  gapMs: number;
  graceMs: number;
  /** The interval was cut to what Kuma can wait (MAX_KUMA_INTERVAL_MS). */
  capped: boolean;
}

export interface Skipped {
  check: string;
  reason: string;
}

/** The grace allowed for a timer's or the daemon's jitter: 10% of the gap, at most this. */
const MAX_JITTER_GRACE_MS = 15 * 60_000;

/**
 * Pure: the monitor each check should have. A beat arrives at most `gap` apart plus how much
 * later one check may end than the one before (its worst-case cycle: `cycleMs`) plus the
 * jitter of the daemon or of a timer's randomized delay; Kuma waits that long before it calls
 * a silent monitor down, so a monitor is never down between two on-time beats, and a monitor
 * that stops beating is down within two intervals.
 */
export function desiredMonitors(checks: readonly Check[], kuma: KumaSettings, cycleMs: (check: Check) => number): { monitors: DesiredMonitor[]; skipped: Skipped[] } {
  const monitors: DesiredMonitor[] = [];
  const skipped: Skipped[] = [];
  for (const check of checks) {
    if (!isKumaPushBase(kuma, check.pushUrl)) {
      skipped.push({ check: check.name, reason: check.pushUrl === undefined ? 'has no push_url' : `pushes to another push_url (${check.pushUrl})` });
      continue;
    }
    if (check.pushToken === undefined) {
      skipped.push({ check: check.name, reason: 'has no push_token, and kuma.token_secret is not set to derive one' });
      continue;
    }
    const gapMs = kuma.runIntervalMs ?? check.intervalMs;
    const graceMs = kuma.graceMs ?? cycleMs(check) + Math.min(gapMs / 10, MAX_JITTER_GRACE_MS);
    const wanted = Math.ceil((gapMs + graceMs) / 1000);
    const most = MAX_KUMA_INTERVAL_MS / 1000;
    monitors.push({
      check: check.name,
      name: monitorNameOf(kuma, check.name),
      pushToken: check.pushToken,
      intervalSeconds: Math.min(wanted, most),
      gapMs,
      graceMs,
      capped: wanted > most,
    });
  }
  return { monitors, skipped };
}

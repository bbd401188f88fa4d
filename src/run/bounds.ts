import type { Check } from '../config/types.js';
import { maxJitterMs } from '../daemon/timers.js';
import type { PushTarget } from '../push/target.js';
import { worstCasePushMs } from '../push/retry.js';
import { STOP_GRACE_MS } from '../process/run-process.js';

/**
 * Pure: the longest one check's cycle can take once it has its slots, whatever restic
 * and the push targets do: the check's `timeout`, the grace for stopping restic and
 * what it started (SIGTERM, then SIGKILL), then, for each target, every push attempt at its
 * `push_timeout` and the waits between them. Stated in docs/reliability.md; /healthz and the soak
 * hold the daemon to it.
 */
export function worstCaseCycleMs(check: Check, pushTargets: ReadonlyArray<Pick<PushTarget, 'wants'>>): number {
  const targets = pushTargets.filter((target) => target.wants(check)).length;
  return check.timeoutMs + STOP_GRACE_MS + targets * worstCasePushMs(check.pushTimeoutMs);
}

/**
 * Pure: the longest a daemon's check may go without a cycle ending, before it counts as
 * overdue: an interval and its jitter until the next check is due, one more interval for a
 * queue behind the concurrency limits, and its worst-case cycle.
 */
export function overdueAfterMs(intervalMs: number, cycleMs: number): number {
  return 2 * intervalMs + maxJitterMs(intervalMs) + cycleMs;
}

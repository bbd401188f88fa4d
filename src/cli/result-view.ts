import type { Status } from '../verdict.js';
import type { CheckResult, PushOutcome } from '../run/result.js';

/**
 * What the run line, the status table and the progress read of one result. The one place
 * that knows CheckResult's field names, so that a change of its shape touches only viewOf.
 */
export interface ResultView {
  name: string;
  mode: string;
  status: Status;
  latest: Date | null;
  /**
   * The snapshot's age when the check decided; negative for a snapshot ahead of the
   * clock (even within the tolerance that still counts it fresh); null without one.
   */
  ageMs: number | null;
  maxAgeMs: number;
  durationMs: number;
  message: string;
  pushes: readonly PushOutcome[];
}

export function viewOf(result: CheckResult): ResultView {
  const latest = result.latest === null ? null : new Date(result.latest);
  return {
    name: result.name,
    mode: result.mode,
    status: result.status,
    latest,
    ageMs: signedAgeMs(result, latest),
    maxAgeMs: result.max_age_seconds * 1000,
    durationMs: result.duration_ms,
    message: result.message,
    pushes: result.pushes,
  };
}

/**
 * age_seconds is clamped at 0 for a snapshot less than the future tolerance ahead (the
 * verdict counts it fresh, and status --json keeps that). A person reading the table should
 * still see that it is ahead: its distance from the moment of the verdict (the check's
 * start plus its duration), to the second.
 */
function signedAgeMs(result: CheckResult, latest: Date | null): number | null {
  if (result.age_seconds === null || latest === null) return null;
  if (result.age_seconds !== 0) return result.age_seconds * 1000;
  const decidedAt = Date.parse(result.checked_at) + result.duration_ms;
  const aheadMs = Math.round((latest.getTime() - decidedAt) / 1000) * 1000;
  return aheadMs > 0 ? -aheadMs : 0;
}

import type { SignalResult } from '../health/signals.js';
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
  /** The configured health signals' results; undefined when none is configured. */
  signals: readonly SignalResult[] | undefined;
}

export function viewOf(result: CheckResult): ResultView {
  return {
    name: result.name,
    mode: result.mode,
    status: result.status,
    latest: result.latest,
    ageMs: signedAgeMs(result),
    maxAgeMs: result.maxAgeMs,
    durationMs: result.durationMs,
    message: result.message,
    pushes: result.pushes,
    signals: result.signals,
  };
}

/**
 * ageMs is clamped at 0 for a snapshot less than the future tolerance ahead (the verdict
 * counts it fresh, and status --json keeps that). A person reading the table should still
 * see that it is ahead: its distance from the moment of the verdict (the check's start plus
 * its duration), to the second.
 */
function signedAgeMs(result: CheckResult): number | null {
  if (result.ageMs === null || result.latest === null) return null;
  if (result.ageMs !== 0) return result.ageMs;
  const decidedAt = result.checkedAt.getTime() + result.durationMs;
  const aheadMs = Math.round((result.latest.getTime() - decidedAt) / 1000) * 1000;
  return aheadMs > 0 ? -aheadMs : 0;
}

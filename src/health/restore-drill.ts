// restore_drill: judging one drill's result against its limit. Pure: the drill (run by
// checkers/restic/restore-drill.ts, kept between runs by run/drills.ts) and the limit in,
// the signal's result and its failure text out.
import type { RestoreDrill } from '../config/types.js';
import { formatDuration } from '../duration.js';

/** A canary this far ahead of the drill's clock means one of the two clocks is wrong (as verdict.ts). */
const FUTURE_TOLERANCE_MS = 3_600_000;

/**
 * One drill: when it ran and the time the canary held, or why it failed ("/var/lib/canary
 * not in the latest snapshot", restic's own reason). The age is judged as of `at`, so that
 * a result the daemon keeps between drills says what that drill found.
 */
export type DrillRun = { at: Date; writtenAt: Date } | { at: Date; failure: string };

export interface DrillJudgement {
  /** The canary's age in seconds when the drill read it; null when it read none. */
  value: number | null;
  ok: boolean;
  /** The failure as the verdict's message shows it: "restore drill: canary is 3d old (max_age 1d)". */
  failure?: string;
}

export function judgeDrill(limit: RestoreDrill, run: DrillRun): DrillJudgement {
  if ('failure' in run) return { value: null, ok: false, failure: `restore drill: ${run.failure}` };
  const ageMs = run.at.getTime() - run.writtenAt.getTime();
  if (ageMs < -FUTURE_TOLERANCE_MS) {
    return { value: Math.round(ageMs / 1000), ok: false, failure: `restore drill: canary is ${formatDuration(-ageMs)} in the future: check the clocks` };
  }
  const judged = Math.max(0, ageMs);
  const value = Math.round(judged / 1000);
  if (judged <= limit.maxAgeMs) return { value, ok: true };
  return { value, ok: false, failure: `restore drill: canary is ${formatDuration(judged)} old (max_age ${formatDuration(limit.maxAgeMs, true)})` };
}

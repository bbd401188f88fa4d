import type { CheckResult } from '../run/result.js';

/**
 * What the metrics need to know about one check: its latest result and the running
 * totals since the process started. One of these per check and nothing more, so a
 * daemon that runs for months holds as much as it did after its first cycle.
 */
export interface Tally {
  latest: CheckResult;
  /**
   * The newest snapshot time the last check that could be made found (null: none). A
   * failed check leaves it as it was, so `time() - timestamp` alerts do not flap with a
   * check that failed once; `check_success` tells the failure.
   */
  lastKnownSnapshot: Date | null;
  checks: number;
  checkErrors: number;
  pushFailures: number;
}

/** Folds one more result into a check's tally (a new object: tallies are values). */
export function addResult(previous: Tally | undefined, result: CheckResult): Tally {
  return {
    latest: result,
    lastKnownSnapshot: result.error === null ? result.latest : (previous?.lastKnownSnapshot ?? null),
    checks: (previous?.checks ?? 0) + 1,
    checkErrors: (previous?.checkErrors ?? 0) + (result.error === null ? 0 : 1),
    pushFailures: (previous?.pushFailures ?? 0) + result.pushes.filter((push) => !push.delivered).length,
  };
}

/** The tallies of a one-shot run: every result counted once. */
export function talliesOf(results: readonly CheckResult[]): Tally[] {
  return results.map((result) => addResult(undefined, result));
}

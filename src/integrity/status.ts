// What a check shows of its repository's integrity: the last result, or that none exists yet.
import { formatDuration } from '../duration.js';

/**
 * A check's view of its repository's integrity check (daemon only). `ok: null` and
 * `checkedAt: null`: configured, but no check has ended yet.
 */
export interface IntegrityStatus {
  ok: boolean | null;
  checkedAt: Date | null;
  /** "no errors found", restic's reason (redacted, shortened), or "not checked yet". */
  message: string;
}

export const NOT_CHECKED_YET = 'not checked yet';

/** The failure a check's verdict leads with, or undefined when the last check passed (or none ended). */
export function integrityFailure(status: IntegrityStatus | undefined, now: Date): string | undefined {
  if (status === undefined || status.ok !== false || status.checkedAt === null) return undefined;
  const ageMs = now.getTime() - status.checkedAt.getTime();
  return `integrity check failed ${ageMs < 1000 ? 'just now' : `${formatDuration(ageMs)} ago`}: ${status.message}`;
}

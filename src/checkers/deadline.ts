import { DeadlineEnded, runWithin, type WithinOptions } from '../abort/deadline.js';
import { formatDuration } from '../duration.js';
import { CheckError } from './checker.js';

/** What a check that ran out of time says, whichever checker ran it: "timed out after 10m". */
export function timeoutReason(timeoutMs: number): string {
  // Exact: the configured limit as written (1h30m), never rounded to its largest units.
  return `timed out after ${formatDuration(timeoutMs, true)}`;
}

/**
 * A checker's bounded wait (runWithin): settles with `work`, or rejects with a CheckError
 * once `timeoutMs` passed or `signal` aborted. `work` is a function of the deadline's signal
 * (requests that heed it stop with it), or a promise already under way: a file system call,
 * which cannot be cancelled (a dead NFS server blocks it in the kernel), or a listing shared
 * with other checks; the monitor stops waiting for those instead of hanging with them.
 */
export async function withDeadline<T>(
  work: Promise<T> | ((signal: AbortSignal) => Promise<T>),
  timeoutMs: number,
  signal: AbortSignal,
  options: WithinOptions = {},
): Promise<T> {
  // A promise already under way may fail after we stopped waiting: not an unhandled rejection.
  if (typeof work !== 'function') work.catch(() => undefined);
  try {
    return await runWithin(timeoutMs, signal, typeof work === 'function' ? work : () => work, options);
  } catch (error) {
    if (error instanceof DeadlineEnded) throw new CheckError(error.timedOut ? timeoutReason(timeoutMs) : 'aborted');
    throw error;
  }
}

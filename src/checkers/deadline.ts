import { startDeadline, untilAborted } from '../abort/deadline.js';
import { formatDuration } from '../duration.js';
import { CheckError } from './checker.js';

/**
 * Settles with `work`, or rejects with a CheckError once `timeoutMs` passed or `signal`
 * aborted. File system calls cannot be cancelled (a dead NFS server blocks them in the
 * kernel), so the monitor stops waiting for them instead of hanging with them.
 */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    throw new CheckError('aborted');
  }
  const deadline = startDeadline(timeoutMs, signal);
  try {
    return await untilAborted(work, deadline.signal);
  } catch (error) {
    if (!deadline.signal.aborted) throw error;
    throw new CheckError(deadline.timedOut ? `timed out after ${formatDuration(timeoutMs, true)}` : 'aborted');
  } finally {
    deadline.clear();
  }
}

import { formatDuration } from '../duration.js';
import { CheckError } from './checker.js';

/**
 * Settles with `work`, or rejects with a CheckError once `timeoutMs` passed or `signal`
 * aborted. File system calls cannot be cancelled (a dead NFS server blocks them in the
 * kernel), so the monitor stops waiting for them instead of hanging with them.
 */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw new CheckError('aborted');
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CheckError(`timed out after ${formatDuration(timeoutMs, true)}`)), timeoutMs);
    onAbort = () => reject(new CheckError('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  // A late failure of abandoned work must not surface as an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, stop]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort!);
  }
}

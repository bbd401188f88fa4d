import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../duration.js';
import { PushError } from './notifier.js';

export interface RetryPolicy {
  attempts: number;
  /** Delay before the second attempt; doubled before each one after that. */
  firstDelayMs: number;
}

const DEFAULT_POLICY: RetryPolicy = { attempts: 3, firstDelayMs: 1000 };

/**
 * Runs `attempt` with its own timeout until it succeeds, fails for good, or the attempts
 * run out. Network errors and timeouts are retried; an answer the target gave is retried
 * only when `attempt` says so (5xx), never a 404 for an unknown monitor.
 */
export async function retrying(
  policy: Partial<RetryPolicy>,
  signal: AbortSignal,
  timeoutMs: number,
  attempt: (signal: AbortSignal) => Promise<{ retry: boolean; error?: PushError }>,
): Promise<void> {
  const { attempts, firstDelayMs } = { ...DEFAULT_POLICY, ...policy };
  let last: PushError = new PushError('not sent');
  for (let index = 0; index < attempts; index++) {
    if (index > 0) {
      try {
        await sleep(firstDelayMs * 2 ** (index - 1), undefined, { signal });
      } catch {
        throw new PushError('aborted');
      }
    }
    if (signal.aborted) throw new PushError('aborted');
    const attemptSignal = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    try {
      const outcome = await attempt(attemptSignal);
      if (!outcome.error) return;
      last = outcome.error;
      if (!outcome.retry) throw last;
    } catch (error) {
      if (error instanceof PushError) throw error;
      if (signal.aborted) throw new PushError('aborted');
      last = new PushError(networkReason(error, attemptSignal.aborted, timeoutMs));
    }
  }
  throw last;
}

function networkReason(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${timeoutMs < 1000 ? `${timeoutMs}ms` : formatDuration(timeoutMs, true)}`;
  const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  return code ? `network error (${code})` : `network error (${(error as Error).message ?? 'unknown'})`;
}

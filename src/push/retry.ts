import { setTimeout as sleep } from 'node:timers/promises';
import { DeadlineEnded, runWithin } from '../abort/deadline.js';
import { formatDuration } from '../duration.js';
import { PushError } from './target.js';

export interface RetryPolicy {
  attempts: number;
  /** Delay before the second attempt; doubled before each one after that. */
  firstDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, firstDelayMs: 1000 };

/** What one attempt made of the target's answer. */
export interface AttemptOutcome {
  /** Worth another attempt (a busy or failing target), or final (no such monitor). */
  retry: boolean;
  error?: PushError;
}

/**
 * The longest a push to one target can take, whatever the target does: every attempt ends
 * at its timeout, and the waits between them are fixed. docs/reliability.md states it; /healthz and
 * the soak count on it.
 */
export function worstCasePushMs(timeoutMs: number, policy: Partial<RetryPolicy> = {}): number {
  const { attempts, firstDelayMs } = { ...DEFAULT_RETRY_POLICY, ...policy };
  let backoff = 0;
  for (let index = 1; index < attempts; index++) backoff += firstDelayMs * 2 ** (index - 1);
  return attempts * timeoutMs + backoff;
}

/**
 * Runs `attempt` with its own deadline until it succeeds, fails for good, or the attempts
 * run out. Network errors and timeouts are retried; an answer the target gave is retried
 * when `attempt` says so. An attempt ends at `timeoutMs` even if the request under it does
 * not heed its signal: the caller is never held longer than worstCasePushMs.
 */
export async function retrying(
  policy: Partial<RetryPolicy>,
  signal: AbortSignal,
  timeoutMs: number,
  attempt: (signal: AbortSignal) => Promise<AttemptOutcome>,
): Promise<void> {
  const { attempts, firstDelayMs } = { ...DEFAULT_RETRY_POLICY, ...policy };
  // Made only when needed: an Error records a stack trace, and most pushes succeed at once.
  let last: PushError | undefined;
  for (let index = 0; index < attempts; index++) {
    if (index > 0) {
      try {
        await sleep(firstDelayMs * 2 ** (index - 1), undefined, { signal });
      } catch {
        throw new PushError('aborted');
      }
    }
    let outcome: AttemptOutcome;
    try {
      outcome = await runWithin(timeoutMs, signal, attempt);
    } catch (error) {
      if (error instanceof PushError) throw error;
      if (signal.aborted) throw new PushError('aborted');
      last = new PushError(networkReason(error, error instanceof DeadlineEnded && error.timedOut, timeoutMs));
      continue;
    }
    if (!outcome.error) return;
    last = outcome.error;
    if (!outcome.retry) throw last;
  }
  throw last ?? new PushError('not sent');
}

function networkReason(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${timeoutMs < 1000 ? `${timeoutMs}ms` : formatDuration(timeoutMs, true)}`;
  const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  return code ? `network error (${code})` : `network error (${(error as Error).message ?? 'unknown'})`;
}

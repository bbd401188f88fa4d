/**
 * The one way this program bounds a wait: startDeadline (a signal that aborts at a time or
 * with its parent) and runWithin (work raced against it) for every timeout there is: a
 * restic or rclone process (process/run-process.ts, which must stop the process and wait
 * for it, so it takes the signal, not the race), an S3 listing, a local directory read, a
 * shared restic listing and the built-in reader (checkers/deadline.ts gives them their
 * CheckError), and each push attempt (push/retry.ts). A plain timer and an AbortController, both kept
 * referenced until `clear()`: on Node 20 `AbortSignal.timeout()` inside `AbortSignal.any()`
 * can be garbage collected and never fire (FACTS.md, "Node 20 traps"), which left a push to a
 * silent target waiting for the HTTP client's own limit (undici's 300 s then; node:http, which
 * pushes use now, has none) instead of `push_timeout`. A timer in Node's
 * timer list is a strong root: its callback, and through it the controller, cannot be
 * collected while it is armed.
 */

/** The longest delay setTimeout accepts; a longer one fires after 1 ms (FACTS.md). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Deadline {
  /** Aborts when the time is up or the parent signal aborts, whichever comes first. */
  readonly signal: AbortSignal;
  /** True once the time ran out; false when the parent aborted first (or nothing did). */
  readonly timedOut: boolean;
  /** Stops the timer and lets go of the parent. Call it in `finally`, every time. */
  clear(): void;
  /** Clears, then aborts the signal now: work still in flight under it stops. */
  abort(): void;
}

/** Starts a deadline `timeoutMs` from now, tied to `parent` (a run's or a check's signal). */
export function startDeadline(timeoutMs: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  let remaining = Math.max(0, timeoutMs);
  const expire = () => {
    timer = undefined;
    timedOut = true;
    controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
  };
  // Longer than a timer can wait (a 30-day timeout): wait in steps instead of firing at once.
  const arm = () => {
    const step = Math.min(remaining, MAX_TIMER_MS);
    remaining -= step;
    timer = setTimeout(remaining > 0 ? arm : expire, step);
  };
  const onAbort = () => {
    clearTimeout(timer);
    timer = undefined;
    controller.abort(parent?.reason);
  };
  if (parent?.aborted) onAbort();
  else {
    parent?.addEventListener('abort', onAbort, { once: true });
    arm();
  }
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear() {
      clearTimeout(timer);
      timer = undefined;
      parent?.removeEventListener('abort', onAbort);
    },
    abort() {
      this.clear();
      controller.abort(new DOMException('done', 'AbortError'));
    },
  };
}

/** Why a wait under a deadline ended before its work did: the time ran out, or the parent aborted. */
export class DeadlineEnded extends Error {
  constructor(readonly timedOut: boolean) {
    super(timedOut ? 'timed out' : 'aborted');
    this.name = 'DeadlineEnded';
  }
}

export interface WithinOptions {
  /**
   * Abort the work's signal once the wait is over, whatever ended it. For work that runs
   * requests side by side (the built-in reader): when one fails, or the answer is in, the
   * ones still in flight stop instead of running to their end. Left off where the signal's
   * requests share pooled connections that must outlive the call (the S3 checker's clients).
   */
  abortWhenSettled?: boolean;
}

/**
 * The shape every bounded wait here takes: `work` gets the deadline's signal (for requests
 * that heed it) and the caller stops waiting at the deadline whether or not the work heeds
 * it (untilAborted). Rejects with DeadlineEnded when the time or the parent ended the wait,
 * with the work's own error otherwise. Not started when the parent has already aborted.
 */
export async function runWithin<T>(timeoutMs: number, parent: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>, options: WithinOptions = {}): Promise<T> {
  if (parent?.aborted) throw new DeadlineEnded(false);
  const deadline = startDeadline(timeoutMs, parent);
  try {
    // async: a work that throws before its first await rejects like any other.
    return await untilAborted((async () => work(deadline.signal))(), deadline.signal);
  } catch (error) {
    if (deadline.signal.aborted) throw new DeadlineEnded(deadline.timedOut);
    throw error;
  } finally {
    if (options.abortWhenSettled) deadline.abort();
    else deadline.clear();
  }
}

/**
 * Settles with `work`, or rejects with `signal.reason` as soon as `signal` aborts, whether or
 * not `work` heeds the signal (a file system call, a credential lookup, a library that
 * ignores it). A late failure of the abandoned work is swallowed, not left unhandled.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

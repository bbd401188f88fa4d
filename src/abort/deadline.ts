/**
 * The one way this program bounds a wait. A plain timer and an AbortController, both kept
 * referenced until `clear()`: on Node 20 `AbortSignal.timeout()` inside `AbortSignal.any()`
 * can be garbage collected and never fire (FACTS.md, "Node 20 traps"), which left a push to a
 * silent target waiting for undici's own 300 s instead of `push_timeout`. A timer in Node's
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
  };
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

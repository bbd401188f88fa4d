import type { Check } from '../config/types.js';
import type { Status } from '../verdict.js';

/** What one push carries about a check: its verdict and how long the check took. */
export interface Report {
  status: Status;
  /** Short, already free of secrets. */
  message: string;
  /** How long the check took, in milliseconds. */
  durationMs: number;
}

/**
 * The contract of a push target: a service that is told each check's verdict, and raises its
 * own alarm when the pushes turn down or stop (an Uptime Kuma push monitor, a healthchecks.io
 * check). Pushing is the one act: the config's `push_url` and `ping_url` name two targets.
 *
 * - `wants` says whether the check is configured for this target at all.
 * - `push` resolves once the target confirmed the push, and rejects with a PushError
 *   (short reason, no secret) when it did not. It retries what is worth retrying (network
 *   errors, a busy or failing target) and gives up promptly when `signal` aborts. Each
 *   attempt ends at the check's `push_timeout`, reading at most a few KiB of the
 *   answer, so the whole call ends within worstCasePushMs (retry.ts).
 */
export interface PushTarget {
  readonly kind: string;
  wants(check: Check): boolean;
  /**
   * Where a push of `status` would go (shown by `run --dry-run` and `test-push`), with the
   * secrets this target knows by name masked; the caller still passes it through the
   * redactor (a ping URL's key, a password in the URL).
   */
  destination(check: Check, status: Status): string;
  push(check: Check, report: Report, signal: AbortSignal): Promise<void>;
}

export class PushError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PushError';
  }
}

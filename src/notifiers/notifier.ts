import type { Check } from '../config/types.js';
import type { Status } from '../verdict.js';

/** What is reported about one repository after its check. */
export interface Report {
  status: Status;
  /** Short, already free of secrets. */
  message: string;
  /** How long the check took, in milliseconds. */
  durationMs: number;
}

/**
 * The contract of a heartbeat target (Uptime Kuma push monitor, ...).
 *
 * - `wants` says whether the repository is configured for this target at all.
 * - `notify` resolves once the target confirmed the beat, and rejects with a PushError
 *   (short reason, no secret) when it did not. It retries what is worth retrying (network
 *   errors, a busy or failing target) and gives up promptly when `signal` aborts. Each
 *   attempt ends at the repository's `push_timeout`, reading at most a few KiB of the
 *   answer, so the whole call ends within worstCasePushMs (retry.ts).
 */
export interface Notifier {
  readonly kind: string;
  wants(repository: Check): boolean;
  /**
   * Where a report of `status` would go (shown by `run --dry-run` and `test-push`), with the
   * secrets this target knows by name masked; the caller still passes it through the
   * redactor (a ping URL's key, a password in the URL).
   */
  destination(repository: Check, status: Status): string;
  notify(repository: Check, report: Report, signal: AbortSignal): Promise<void>;
}

export class PushError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PushError';
  }
}

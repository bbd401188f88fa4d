// The daemon's integrity checks as a background service of the integrity signal: the queue
// runs them, each result is logged and the repository's checks are judged again at once.
import type { BackgroundDeps, BackgroundService } from '../health/signal.js';
import { shorten } from '../text.js';
import { IntegrityQueue } from './queue.js';
import { NOT_CHECKED_YET, type IntegrityStatus } from './status.js';

/** An integrity check's reason, as long as a check's (run-once.ts). */
const MAX_INTEGRITY_MESSAGE = 200;

export function startIntegrityChecks(deps: BackgroundDeps): BackgroundService {
  const queue = new IntegrityQueue(deps.checks, {
    run: async (job, signal) => {
      deps.logger().info({ repository: job.repository }, 'integrity check started');
      // Loaded by the first check: the signal's module is part of every command's start-up.
      const { runIntegrityCheck } = await import('./restic-check.js');
      const result = await runIntegrityCheck(job.check, job.settings, { env: deps.env, now: deps.now, signal });
      // Redact first, shorten after: a cut through a secret would hide it from the redactor.
      return result && { ...result, message: shorten(deps.redact(result.message), MAX_INTEGRITY_MESSAGE) };
    },
    onResult: (repository, result) => {
      deps.logger()[result.ok ? 'info' : 'error']({ repository, duration_ms: result.durationMs }, result.ok ? `integrity check passed: ${result.message}` : `integrity check failed: ${result.message}`);
      // The checks of this repository judge the new result now, not an interval later.
      deps.recheck((check) => check.repository === repository);
    },
    onError: (error, job) => deps.logger().error({ repository: job.repository }, `internal error: ${(error as Error).message}`),
    ...(deps.timers && { timers: deps.timers }),
  });
  return {
    start: () => queue.start(),
    update: (checks) => queue.update(checks),
    stop: () => queue.stop(),
    // A check's view of its repository's integrity: the last result, or that none has ended yet.
    observe: (check): IntegrityStatus | undefined => {
      if (check.integrity === undefined) return undefined;
      const result = queue.result(check.repository);
      return result === undefined ? { ok: null, checkedAt: null, message: NOT_CHECKED_YET } : { ok: result.ok, checkedAt: result.checkedAt, message: result.message };
    },
  };
}

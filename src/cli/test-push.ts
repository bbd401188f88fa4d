import { editDistance } from '../config/errors.js';
import type { Check } from '../config/types.js';
import { PushError, type PushTarget } from '../push/target.js';
import type { Redactor } from '../redact.js';
import { printable, shortenMiddle } from '../text.js';
import { UsageError } from './args.js';

/** What a test beat says, so that whoever looks at the monitor knows it was not a check. */
export const TEST_MESSAGE = 'restic-monitor test push';

/**
 * The checks NAME stands for: the check of that name, or every host check of a repository
 * with `hosts:` (as --only). Else a usage error with the nearest name, if one is near.
 */
export function checksNamed(checks: readonly Check[], name: string): Check[] {
  const exact = checks.filter((check) => check.name === name);
  if (exact.length > 0) return exact;
  const hosts = checks.filter((check) => check.repository === name);
  if (hosts.length > 0) return hosts;
  const names = [...new Set(checks.flatMap((check) => [check.name, check.repository]))];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of names) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  const near = best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3));
  throw new UsageError(`test-push: no check named "${name}" ${near ? `(did you mean "${best}"?)` : '(restic-monitor validate lists them)'}`);
}

export interface TestPushDeps {
  pushTargets: readonly PushTarget[];
  redactor: Redactor;
  signal: AbortSignal;
}

/**
 * Sends one `up` beat with TEST_MESSAGE to every push target of `checks`, one at a time,
 * checking nothing: for trying a new Kuma token. One line per target; `ok` when every
 * target got its beat (and there was at least one).
 */
export async function testPush(checks: readonly Check[], deps: TestPushDeps): Promise<{ lines: string[]; ok: boolean }> {
  const lines: string[] = [];
  let ok = true;
  for (const check of checks) {
    const targets = deps.pushTargets.filter((target) => target.wants(check));
    if (targets.length === 0) {
      lines.push(`${check.name}: no push target (set push_url and push_token, or ping_url)`);
      ok = false;
    }
    for (const target of targets) {
      const where = `${target.kind} ${deps.redactor.redact(target.destination(check, 'up'))}`;
      try {
        // A ping of 1 ms: Kuma stores 0 as "no value", and nothing was measured.
        await target.push(check, { status: 'up', message: TEST_MESSAGE, durationMs: 1 }, deps.signal);
        lines.push(`${check.name}: test beat delivered to ${where}`);
      } catch (error) {
        const reason = error instanceof PushError ? error.reason : `internal error: ${(error as Error).message}`;
        // Redact first, shorten after: a cut through a secret would hide it from the redactor.
        lines.push(`${check.name}: test beat to ${where} failed: ${shortenMiddle(deps.redactor.redact(reason), 200)}`);
        ok = false;
      }
    }
  }
  // A server's answer is text from outside: each line stays one line.
  return { lines: lines.map(printable), ok };
}

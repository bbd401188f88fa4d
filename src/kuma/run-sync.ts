import type { KumaSettings } from '../config/kuma.js';
import type { Check } from '../config/types.js';
import { KumaError, type KumaSession } from './api.js';
import { desiredMonitors } from './desired.js';
import { planSync, type PruneMode } from './plan.js';
import { applyPlan, type StepOutcome } from './sync.js';

export interface SyncInput {
  checks: readonly Check[];
  kuma: KumaSettings;
  /** A check's worst-case cycle (run/bounds.ts), for its heartbeat interval. */
  cycleMs: (check: Check) => number;
  prune: PruneMode;
  /** Only some checks were picked: the others' monitors are left out of the plan. */
  partial: boolean;
  discoveryIncomplete: boolean;
  dryRun: boolean;
  /** Ends the session at once (a daemon stopping): the sync then rejects with a KumaError. */
  signal?: AbortSignal;
}

export interface SyncResult {
  version: string;
  outcomes: StepOutcome[];
  /** How many checks have a monitor to keep in line. */
  desired: number;
}

/** Why `kuma sync` cannot log in with these settings, or undefined when it can. */
export function loginProblem(kuma: KumaSettings): string | undefined {
  if (kuma.loginProblems.length > 0) return `kuma sync cannot log in:\n  ${kuma.loginProblems.join('\n  ')}`;
  if (kuma.username === undefined) return 'kuma sync needs kuma.username: the Kuma account to log in with';
  if (kuma.password === undefined) return 'kuma sync needs kuma.password (write "${KUMA_PASSWORD}" and set it in the environment file)';
  return undefined;
}

/**
 * One sync, for the CLI and the daemon alike: log in, read Kuma's monitors, plan, and carry
 * the plan out unless it is a dry run. Rejects with a KumaError when Kuma cannot be reached,
 * refuses the login or cannot list its monitors; a refused change is an outcome, not an error.
 */
export async function syncKuma(input: SyncInput): Promise<SyncResult> {
  const { kuma } = input;
  const problem = loginProblem(kuma);
  if (problem !== undefined) throw new KumaError(problem);
  const { monitors: desired, skipped } = desiredMonitors(input.checks, kuma, input.cycleMs);
  if (input.signal?.aborted) throw new KumaError('stopped');
  // socket.io-client loads only when a sync runs.
  const { openSocketSession } = await import('./socket-session.js');
  const session: KumaSession = await openSocketSession({ url: kuma.url, username: kuma.username!, password: kuma.password!, ...(kuma.totpSecret && { totpSecret: kuma.totpSecret }), timeoutMs: kuma.timeoutMs });
  const stop = () => session.close();
  input.signal?.addEventListener('abort', stop, { once: true });
  try {
    if (input.signal?.aborted) throw new KumaError('stopped');
    const steps = planSync({ desired, skipped, monitors: await session.monitors(), tag: kuma.tag, prune: input.prune, discoveryIncomplete: input.discoveryIncomplete, partial: input.partial });
    const outcomes = input.dryRun ? steps.map((step) => ({ step })) : await applyPlan(session, steps, kuma.tag);
    return { version: session.version, outcomes, desired: desired.length };
  } finally {
    input.signal?.removeEventListener('abort', stop);
    session.close();
  }
}

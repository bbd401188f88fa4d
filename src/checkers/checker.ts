import type { Check } from '../config/types.js';
import type { CheckerKind } from './plan.js';
import type { SeenLock } from './lock-facts.js';
import type { SnapshotFacts } from './snapshot-facts.js';

/**
 * The contract every way of finding a repository's newest snapshot fulfils.
 *
 * - `check` resolves with the newest snapshot's time, or `latest: null` when the repository
 *   holds no snapshot at all (that is an answer, not a failure).
 * - It rejects with a CheckError whose `reason` is short, human and free of secrets when it
 *   could not find out: the caller reports that as `down`, never as silence.
 * - It gives up by itself after `repository.timeoutMs`, and promptly when `signal` aborts,
 *   leaving no process or socket behind.
 * - It only reads: no write, lock, or delete request ever reaches the repository.
 */
export interface Checker {
  /** Reported as the repository's `mode` in status output and metrics. */
  readonly mode: Mode;
  /** The kind planCheck (plan.ts) names for the repositories this checker serves. */
  readonly kind: CheckerKind;
  /** Whether this checker can serve the repository's URL at all. */
  supports(check: Check): boolean;
  check(check: Check, context: CheckContext): Promise<Observation>;
  /** Drops what it keeps for checks no longer configured; the daemon calls it on reload. */
  retain?(checks: readonly Check[]): void;
  /** Releases what it keeps between checks (pooled connections); the daemon calls it on stop. */
  close?(): Promise<void>;
}

export type Mode = 'restic' | 'fast';

export interface CheckContext {
  signal: AbortSignal;
  /** The process environment; a repository's extra_env is laid over it. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface Observation {
  latest: Date | null;
  /**
   * What `latest` is: the end of the backup (restic 0.17+ snapshots) or its start (older
   * ones). Fast checkers leave it out: theirs is the snapshot file's time.
   */
  basis?: 'backup_end' | 'time';
  /**
   * Set when the answer came from a restic run that several checks shared: how long that run
   * took, which each of them reports as its duration in a push (a check that found the listing done would
   * otherwise report a millisecond).
   */
  sharedRunMs?: number;
  /** How many snapshots were seen, when the checker knows. */
  snapshots?: number;
  /** What a filtered check looked for ("host web1"): completes "no snapshots for ...". */
  scope?: string;
  /** Restic mode: which reader answered (the built-in one or the restic binary). */
  reader?: 'builtin' | 'restic';
  /** Restic mode: the newest snapshot's summary, its predecessor's, the count (health signals). */
  facts?: SnapshotFacts;
  /**
   * The oldest lock in the repository, null when it holds none; absent when the locks were
   * not listed (no signal asked for them, or a reader that cannot list them).
   */
  oldestLock?: SeenLock | null;
}

export class CheckError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CheckError';
  }
}

import type { CheckMode } from '../checkers/checker.js';
import type { Status } from '../verdict.js';

export interface PushOutcome {
  target: string;
  delivered: boolean;
  error?: string;
}

/** One repository's outcome; the shape of `status --json` (snake_case for machines). */
export interface RepositoryResult {
  name: string;
  status: Status;
  mode: CheckMode;
  /** ISO time of the newest snapshot, null when none was found. */
  latest: string | null;
  age_seconds: number | null;
  max_age_seconds: number;
  message: string;
  /** Set when the check itself could not be made. */
  error: string | null;
  duration_ms: number;
  checked_at: string;
  pushes: PushOutcome[];
}

/** 0 when every repository is up and every push was delivered, else 1 (2 is for usage). */
export function exitCodeFor(results: readonly RepositoryResult[]): 0 | 1 {
  const bad = results.some((result) => result.status !== 'up' || result.pushes.some((push) => !push.delivered));
  return bad ? 1 : 0;
}

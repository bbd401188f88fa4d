import type { Mode } from '../checkers/checker.js';
import type { SignalResult } from '../health/signals.js';
import type { Status } from '../verdict.js';

export interface PushOutcome {
  target: string;
  delivered: boolean;
  error?: string;
}

/** One repository's outcome; the shape of `status --json` (snake_case for machines). */
export interface CheckResult {
  name: string;
  status: Status;
  mode: Mode;
  /** Restic mode: which reader answered, or failed (the built-in one or the restic binary). */
  reader?: 'builtin' | 'restic';
  /** ISO time of the newest snapshot, null when none was found. */
  latest: string | null;
  /**
   * What `latest` is: `backup_end` (restic 0.17+ snapshot: its backup's end), `time` (an
   * older snapshot: its start), `file_time` (fast mode: the snapshot file's time); null
   * with `latest`.
   */
  latest_basis: 'backup_end' | 'time' | 'file_time' | null;
  age_seconds: number | null;
  max_age_seconds: number;
  message: string;
  /** Set when the check itself could not be made. */
  error: string | null;
  duration_ms: number;
  checked_at: string;
  pushes: PushOutcome[];
  /** One object per configured health signal (name, limit, value, ok); absent when none is set. */
  signals?: SignalResult[];
  /** Restic mode: the newest snapshot's files and bytes (its summary, restic 0.17+), when known. */
  latest_files?: number;
  latest_bytes?: number;
  /** Restic mode: how many snapshots the check counts, when its listing held them all (min_snapshots). */
  snapshot_count?: number;
}

/** The documented exit codes (README), in one place. */
export const EXIT_OK = 0;
/** Something is down, a push failed, or (daemon) the endpoint could not be opened. */
export const EXIT_FAILED = 1;
/** The config or the command line is wrong; nothing was checked. */
export const EXIT_USAGE = 2;

/** 0 when every repository is up and every push was delivered, else 1. */
export function exitCodeFor(results: readonly CheckResult[]): typeof EXIT_OK | typeof EXIT_FAILED {
  const bad = results.some((result) => result.status !== 'up' || result.pushes.some((push) => !push.delivered));
  return bad ? EXIT_FAILED : EXIT_OK;
}

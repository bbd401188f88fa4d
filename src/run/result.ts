import type { Mode } from '../checkers/checker.js';
import type { SignalResultFields } from '../health/registry.js';
import type { SignalResult } from '../health/signals.js';
import type { Status } from '../verdict.js';

export interface PushOutcome {
  target: string;
  delivered: boolean;
  error?: string;
}

/** What `latest` is: see CheckResult.latestBasis. */
export type LatestBasis = 'backup_end' | 'time' | 'file_time';

/**
 * One check's outcome, typed: times are Dates, durations milliseconds. Every output is a
 * rendering of it: `status --json` and `/status` (result-json.ts), the status table and the
 * run line (cli/status-table.ts, cli/run-line.ts), metrics and the textfile (metrics/), the status page
 * (http/status-page.ts) and the pushed message (its `message`). The health signals' own
 * fields come from their modules (health/registry.ts).
 */
export interface CheckResult extends SignalResultFields {
  /** The check's name (unique): the repository's key, or `repository/host`. */
  name: string;
  /** The key of the repository the check reads. */
  repository: string;
  status: Status;
  mode: Mode;
  /** Restic mode: which reader answered, or failed (the built-in one or the restic binary). */
  reader?: 'builtin' | 'restic';
  /** The newest snapshot's time; null when none was found or the check failed. */
  latest: Date | null;
  /**
   * What `latest` is: `backup_end` (restic 0.17+ snapshot: its backup's end), `time` (an
   * older snapshot: its start), `file_time` (fast mode: the snapshot file's time); null
   * with `latest`.
   */
  latestBasis: LatestBasis | null;
  /** The age the verdict judged (verdict.ts): 0 within the future tolerance, negative beyond it. */
  ageMs: number | null;
  maxAgeMs: number;
  /** The verdict's message, free of secrets: what the pushes carry. */
  message: string;
  /** Set when the check itself could not be made. */
  error: string | null;
  /** Whole milliseconds the check took (its wait for a slot not counted). */
  durationMs: number;
  /** When the check started (after its wait for a slot). */
  checkedAt: Date;
  pushes: PushOutcome[];
  /** One object per configured health signal (name, limit, value, ok); absent when none is set. */
  signals?: SignalResult[];
  /** Restic mode: the newest snapshot's files and bytes (its summary, restic 0.17+), when known. */
  latestFiles?: number;
  latestBytes?: number;
  /** Restic mode: how many snapshots the check counts, when its listing held them all (a signal counts them). */
  snapshotCount?: number;
}

/**
 * A repository `discover:` found that no check covers (no configured check has its URL, or
 * its name is taken): a row of its own in every output, status `unmonitored`. Nothing is
 * pushed for it: it has no monitor. Its URLs are redacted.
 */
export interface UnmonitoredRepository {
  /** Its path below the location (what `{{ .Name }}` would be). */
  name: string;
  url: string;
  /** The location it was found under, as written in `discover:`. */
  location: string;
  /** Why it is not checked: "no check has this url", "the name ... is taken by ...". */
  reason: string;
  /** When the discovery that found it started. */
  foundAt: Date;
}

/** The documented exit codes (README), in one place. */
export const EXIT_OK = 0;
/** Something is down, a push failed, or (daemon) the endpoint could not be opened. */
export const EXIT_FAILED = 1;
/** The config or the command line is wrong; nothing was checked. */
export const EXIT_USAGE = 2;

/** 0 when every check is up and every push was delivered (and discover found no unmonitored repository), else 1. */
export function exitCodeFor(results: readonly CheckResult[], unmonitored: readonly UnmonitoredRepository[] = []): typeof EXIT_OK | typeof EXIT_FAILED {
  const bad = unmonitored.length > 0 || results.some((result) => result.status !== 'up' || result.pushes.some((push) => !push.delivered));
  return bad ? EXIT_FAILED : EXIT_OK;
}

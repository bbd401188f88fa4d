// Health beyond freshness: the configured limits against what one check's listing showed.
// Pure: limits and facts in, one result per configured signal and the first failure out.
import type { SeenLock } from '../checkers/lock-facts.js';
import type { SnapshotFacts } from '../checkers/snapshot-facts.js';
import { formatDuration } from '../duration.js';
import type { SignalLimits } from '../config/types.js';
import { formatBytes, formatPercent } from '../config/sizes.js';
import { judgeDrill, type DrillRun } from './restore-drill.js';

export type SignalName = 'min_files' | 'min_size' | 'max_shrink' | 'min_snapshots' | 'max_lock_age' | 'max_lag' | 'restore_drill';

/**
 * One configured signal as `status --json` shows it. `limit` and `value` are in the signal's
 * unit: files, bytes, snapshots, percent (max_shrink: how much smaller the newest is, the
 * larger of its files and bytes shrinkage), or seconds (max_lock_age: the oldest lock's age;
 * value null and ok true when the repository holds no lock; max_lag: how far the newest
 * snapshot trails the primary's, 0 when it does not). `ok: null` (and `value: null`): could not be
 * checked (no summary, no listing), which alone never makes a check down.
 */
export interface SignalResult {
  name: SignalName;
  limit: number;
  value: number | null;
  ok: boolean | null;
}

export interface SignalsOutcome {
  results: SignalResult[];
  /** Short texts of the failed signals, in the order of `results`. */
  failures: string[];
  /** Why a configured signal could not be checked (first reason), for an `up` message. */
  unchecked?: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const NO_SUMMARY = 'size not checked: the latest snapshot has no summary (restic before 0.17)';
const NO_PREVIOUS_SUMMARY = 'max_shrink not checked: the previous snapshot has no summary (restic before 0.17)';

/** What a check saw of the repository's locks, and when it judges them. */
export interface LockObservation {
  /** The oldest lock, null when there is none; undefined when the locks were not listed. */
  oldest: SeenLock | null | undefined;
  now: Date;
}

/**
 * What a copy (mirror_of) knows of its primary's newest snapshot, from the primary's own look:
 * `latest` (null: it holds none), `failure` (it could not be checked), or neither (not checked
 * yet: the daemon before the primary's first check).
 */
export interface PrimarySeen {
  /** The primary's check name. */
  name: string;
  latest?: Date | null;
  failure?: string;
}

/** A copy's newest snapshot and its primary's, for max_lag. */
export interface MirrorObservation {
  primary: PrimarySeen;
  latest: Date | null;
}

/**
 * Every configured signal is evaluated against `facts`, `locks`, `mirror` and `drill` (all
 * undefined: the check saw nothing; `drill` undefined: no restore drill ran).
 */
export function evaluateSignals(limits: SignalLimits, facts: SnapshotFacts | undefined, locks?: LockObservation, mirror?: MirrorObservation, drill?: DrillRun): SignalsOutcome {
  const results: SignalResult[] = [];
  const failures: string[] = [];
  let unchecked: string | undefined;
  const add = (name: SignalName, limit: number, value: number | null, ok: boolean | null, failure?: string, why?: string) => {
    results.push({ name, limit, value, ok });
    if (ok === false && failure) failures.push(failure);
    if (ok === null && why && facts) unchecked ??= why;
  };
  const latest = facts?.latest ?? null;

  if (limits.minFiles !== undefined) {
    const files = latest?.files ?? null;
    add('min_files', limits.minFiles, files, files === null ? null : files >= limits.minFiles, files === null ? undefined : `${plural(files, 'file')} (min_files ${limits.minFiles})`, NO_SUMMARY);
  }
  if (limits.minBytes !== undefined) {
    const bytes = latest?.bytes ?? null;
    const failure = bytes === null ? undefined : `${formatBytes(bytes)} (min_size ${formatBytes(limits.minBytes)})`;
    add('min_size', limits.minBytes, bytes, bytes === null ? null : bytes >= limits.minBytes, failure, NO_SUMMARY);
  }
  if (limits.maxShrink !== undefined) {
    const limit = round(limits.maxShrink * 100);
    if (!facts || latest === null) add('max_shrink', limit, null, null, undefined, NO_SUMMARY);
    else if (facts.previous === undefined) add('max_shrink', limit, null, true); // a first backup shrank from nothing
    else if (facts.previous === null) add('max_shrink', limit, null, null, undefined, NO_PREVIOUS_SUMMARY);
    else {
      const previous = facts.previous;
      const files = shrinkage(previous.files, latest.files);
      const bytes = shrinkage(previous.bytes, latest.bytes);
      // Whichever shrank more: a lost mount empties both, a deleted big file only bytes.
      const text = files >= bytes ? `${previous.files} files to ${latest.files}` : `${formatBytes(previous.bytes)} to ${formatBytes(latest.bytes)}`;
      const worst = Math.max(files, bytes);
      add('max_shrink', limit, round(worst * 100), worst <= limits.maxShrink, `shrank from ${text} (max_shrink ${formatPercent(limits.maxShrink)})`);
    }
  }
  if (limits.minSnapshots !== undefined) {
    const count = facts?.count ?? null;
    const failure = count === null ? undefined : `${plural(count, 'snapshot')} (min_snapshots ${limits.minSnapshots})`;
    add('min_snapshots', limits.minSnapshots, count, count === null ? null : count >= limits.minSnapshots, failure, 'min_snapshots not checked: the snapshot count is unknown');
  }
  if (limits.maxLockAgeMs !== undefined) {
    const limit = limits.maxLockAgeMs / 1000;
    const oldest = locks?.oldest;
    if (oldest === undefined) {
      add('max_lock_age', limit, null, null);
      if (locks) unchecked ??= 'max_lock_age not checked: the locks were not listed';
    }
    else if (oldest === null) add('max_lock_age', limit, null, true);
    else {
      const ageMs = Math.max(0, locks!.now.getTime() - oldest.time.getTime());
      const from = oldest.hostname === undefined ? '' : ` from ${oldest.hostname}${oldest.pid === undefined ? '' : ` (pid ${oldest.pid})`}`;
      const failure = `stale lock${from} for ${formatDuration(ageMs)} (max_lock_age ${formatDuration(limits.maxLockAgeMs, true)})`;
      add('max_lock_age', limit, Math.round(ageMs / 1000), ageMs <= limits.maxLockAgeMs, failure);
    }
  }
  if (limits.maxLagMs !== undefined) {
    const limit = limits.maxLagMs / 1000;
    const primary = mirror?.primary;
    const theirs = primary?.latest;
    if (!mirror || !primary || mirror.latest === null || theirs === undefined || theirs === null) {
      add('max_lag', limit, null, null);
      // A primary that could not be checked says nothing about its copy: never down for it.
      if (mirror && primary && mirror.latest !== null) unchecked ??= `max_lag not checked: ${primary.name} ${theirs === null ? 'has no snapshots' : primary.failure !== undefined ? 'could not be checked' : 'has not been checked yet'}`;
    } else {
      // A copy ahead of its primary (fast mode: copied files are newer) trails by nothing.
      const lagMs = Math.max(0, theirs.getTime() - mirror.latest.getTime());
      const failure = `copy lags ${primary.name} by ${formatDuration(lagMs)} (max_lag ${formatDuration(limits.maxLagMs, true)})`;
      add('max_lag', limit, Math.round(lagMs / 1000), lagMs <= limits.maxLagMs, failure);
    }
  }
  if (limits.restoreDrill !== undefined) {
    const limit = limits.restoreDrill.maxAgeMs / 1000;
    if (drill === undefined) add('restore_drill', limit, null, null);
    else {
      const judged = judgeDrill(limits.restoreDrill, drill);
      add('restore_drill', limit, judged.value, judged.ok, judged.failure);
    }
  }
  return { results, failures, ...(unchecked !== undefined && { unchecked }) };
}

/** How much smaller `now` is than `before`, as a fraction (0 when it grew or was empty). */
function shrinkage(before: number, now: number): number {
  return before > 0 && now < before ? (before - now) / before : 0;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Whether any signal is configured. */
export function hasSignals(limits: SignalLimits | undefined): limits is SignalLimits {
  return limits !== undefined && Object.values(limits).some((value) => value !== undefined);
}

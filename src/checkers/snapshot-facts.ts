import type { Observation } from './checker.js';
import type { ListOptions } from './list-options.js';
import { newest, type SnapshotChanges, type SnapshotSummary } from './restic/restic-output.js';
import { describeFilter, type SnapshotFilter } from './snapshot-filter.js';

/** What a snapshot's summary says (restic 0.17+): its size, and what it changed against its parent. */
export interface SnapshotSize {
  files: number;
  bytes: number;
  changes?: SnapshotChanges;
}

/** What the health signals read from one check's snapshot listing. */
export interface SnapshotFacts {
  /** The newest snapshot's size; null when it has no summary (written or read by restic before 0.17). */
  latest: SnapshotSize | null;
  /**
   * The snapshot before the newest, of the same host and paths: its size, null when it has no
   * summary; absent when there is none or the listing did not hold it (`--latest 1`).
   */
  previous?: SnapshotSize | null;
  /** How many snapshots passed the check's filters; only when the listing held every one. */
  count?: number;
}

const at = (snapshot: SnapshotSummary) => (snapshot.end ?? snapshot.time).getTime();
const groupOf = (snapshot: SnapshotSummary) => JSON.stringify([snapshot.hostname, [...snapshot.paths].sort()]);
const sizeOf = (snapshot: SnapshotSummary): SnapshotSize | null =>
  snapshot.files !== undefined && snapshot.bytes !== undefined ? { files: snapshot.files, bytes: snapshot.bytes, ...(snapshot.changes && { changes: snapshot.changes }) } : null;

/**
 * Pure: the facts of a listing already filtered for one check. `complete`: the listing holds
 * every snapshot (no `--latest`), so its length is the count. The newest is picked as
 * `newest()` picks it (end of backup, else start); its previous is the latest before it in
 * its own (host, paths) group, as restic's `--group-by host,paths --latest 2` keeps it.
 */
export function snapshotFacts(snapshots: readonly SnapshotSummary[], complete: boolean): SnapshotFacts {
  let newest: SnapshotSummary | undefined;
  for (const snapshot of snapshots) if (!newest || at(snapshot) > at(newest)) newest = snapshot;
  const count = complete ? { count: snapshots.length } : {};
  if (!newest) return { latest: null, ...count };
  const group = groupOf(newest);
  let previous: SnapshotSummary | undefined;
  for (const snapshot of snapshots) {
    if (snapshot === newest || groupOf(snapshot) !== group || at(snapshot) > at(newest)) continue;
    if (!previous || at(snapshot) > at(previous)) previous = snapshot;
  }
  return { latest: sizeOf(newest), ...(previous && { previous: sizeOf(previous) }), ...count };
}

/** A restic-mode observation from a listing already filtered for `filter`'s check. */
export function observeListing(snapshots: readonly SnapshotSummary[], filter: SnapshotFilter, options: ListOptions): Observation {
  const scope = describeFilter(filter);
  const complete = options.everySnapshot === true;
  // An empty listing says nothing more than `latest: null`, unless it counts (0 snapshots).
  const facts = snapshots.length > 0 || complete ? { facts: snapshotFacts(snapshots, complete) } : {};
  return { ...newest(snapshots), snapshots: snapshots.length, ...(scope && { scope }), ...facts };
}

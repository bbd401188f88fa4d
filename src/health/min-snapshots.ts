// min_snapshots: a prune with the wrong --keep-* wipes history and leaves the newest fresh.
// Counts every snapshot of the check (of its host, for a host check).
import { readCount } from '../config/sizes.js';
import { plural, readLimit } from './limit.js';
import type { SignalModule } from './signal.js';

export interface MinSnapshotsLimits {
  /** min_snapshots: at least this many snapshots (of the check's host, for host checks). */
  minSnapshots?: number;
}

export const minSnapshots: SignalModule<'min_snapshots'> = {
  name: 'min_snapshots',
  keys: {
    min_snapshots: {
      value: { type: 'integer' },
      places: ['repository', 'defaults', 'host'],
      shownDefault: 'none',
      doc: "restic mode: the repository holds at least this many snapshots (of the check's host, for a host check)",
      show: (check) => check.signals?.minSnapshots,
    },
  },
  observes: ['count'],
  read(context) {
    const minSnapshots = readLimit(context, 'min_snapshots', { read: readCount, accepts: Number.isInteger, off: 0 });
    return minSnapshots === undefined ? undefined : { limits: { minSnapshots } };
  },
  configured: (limits) => limits.minSnapshots !== undefined,
  needs: (check) => (check.signals?.minSnapshots === undefined ? undefined : { everySnapshot: true }),
  judge({ minSnapshots: limit }, seen) {
    if (limit === undefined) return undefined;
    const count = seen?.facts?.count;
    if (count === undefined) return { limit, value: null, ok: null, ...(seen?.facts && { unchecked: 'min_snapshots not checked: the snapshot count is unknown' }) };
    return { limit, value: count, ok: count >= limit, failure: `${plural(count, 'snapshot')} (min_snapshots ${limit})` };
  },
};

// max_changed, a ransomware alarm: ransomware that encrypts a backed-up tree rewrites its
// files in place, and the next snapshot is fresh and of normal size; it passes every other
// signal while it replaces the good data, and `forget --keep-last` soon drops the last clean
// snapshot. restic 0.17+ counts in each snapshot's summary how the files it shares with its
// parent fared (files_changed, files_unmodified): down when too large a share changed.
//
// A changed file counts only where the backup stored new data: restic stores at least one
// new data blob for a file whose content changed, none for one whose metadata alone did
// (touch, chown, a copy to another disk, which restic re-reads), so the count is capped by
// data_blobs. Not judged: a snapshot without summary (restic before 0.17), one without a
// parent (a first backup, `backup --force`, new paths), one that shares no file with its
// parent (every file new: renamed, or a tree of dated files).
import { formatPercent, readPercent } from '../config/sizes.js';
import { isScalar, percent, readLimit } from './limit.js';
import type { SignalModule } from './signal.js';

export interface MaxChangedLimits {
  /** max_changed as a fraction (0.5 for 50%): the share of the files shared with its parent the newest snapshot may change. */
  maxChanged?: number;
}

const NOT_CHECKED = 'max_changed not checked: the latest snapshot';

export const maxChanged: SignalModule<'max_changed'> = {
  name: 'max_changed',
  keys: {
    max_changed: {
      value: { type: 'scalar' },
      places: ['repository', 'defaults', 'host'],
      shownDefault: 'none',
      doc: 'restic mode: the newest snapshot changed the content of at most this share of the files it shares with its parent: `50%` (0% to 100%); a ransomware alarm (restic 0.17+ snapshots)',
      show: (check) => (check.signals?.maxChanged === undefined ? undefined : formatPercent(check.signals.maxChanged)),
    },
  },
  observes: ['summary'],
  read(context) {
    const maxChanged = readLimit(context, 'max_changed', { read: readPercent, accepts: isScalar, off: 1 });
    return maxChanged === undefined ? undefined : { limits: { maxChanged } };
  },
  configured: (limits) => limits.maxChanged !== undefined,
  judge({ maxChanged: fraction }, seen) {
    if (fraction === undefined) return undefined;
    const limit = percent(fraction);
    const facts = seen?.facts;
    const changes = facts?.latest?.changes;
    const unchecked = (why: string) => ({ limit, value: null, ok: null, ...(facts && { unchecked: `${NOT_CHECKED} ${why}` }) });
    if (changes === undefined) return unchecked('has no summary (restic before 0.17)');
    if (!changes.parent) return unchecked('has no parent to compare with (a first backup, or backup --force)');
    const shared = changes.filesChanged + changes.filesUnmodified;
    if (shared === 0) return unchecked('shares no file with its parent');
    const share = Math.min(changes.filesChanged, changes.dataBlobs) / shared;
    return { limit, value: percent(share), ok: share <= fraction, failure: `changed ${formatPercent(share)} of files (max_changed ${formatPercent(fraction)})` };
  },
};

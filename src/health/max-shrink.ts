// max_shrink: the newest snapshot against the one before it, of the same host and paths: a
// lost mount empties both counts, a deleted big file the bytes. Reads both summaries.
import { formatBytes, formatPercent, readPercent } from '../config/sizes.js';
import { isScalar, NO_SUMMARY, percent, readLimit } from './limit.js';
import type { SignalModule } from './signal.js';

export interface MaxShrinkLimits {
  /** max_shrink as a fraction (0.5 for 50%): how much smaller than the previous one the newest may be. */
  maxShrink?: number;
}

const NO_PREVIOUS_SUMMARY = 'max_shrink not checked: the previous snapshot has no summary (restic before 0.17)';

export const maxShrink: SignalModule<'max_shrink'> = {
  name: 'max_shrink',
  keys: {
    max_shrink: {
      value: { type: 'scalar' },
      places: ['repository', 'defaults', 'host'],
      shownDefault: 'none',
      doc: 'restic mode: the newest snapshot is at most this much smaller (files or bytes) than the previous one of the same host and paths: `50%` (0% to 100%)',
      show: (check) => (check.signals?.maxShrink === undefined ? undefined : formatPercent(check.signals.maxShrink)),
    },
  },
  observes: ['summary', 'previous'],
  read(context) {
    const maxShrink = readLimit(context, 'max_shrink', { read: readPercent, accepts: isScalar, off: 1 });
    return maxShrink === undefined ? undefined : { limits: { maxShrink } };
  },
  configured: (limits) => limits.maxShrink !== undefined,
  needs: (check) => (check.signals?.maxShrink === undefined ? undefined : { previous: true }),
  judge({ maxShrink: fraction }, seen) {
    if (fraction === undefined) return undefined;
    const limit = percent(fraction);
    const facts = seen?.facts;
    const latest = facts?.latest ?? null;
    if (!facts || latest === null) return { limit, value: null, ok: null, ...(facts && { unchecked: NO_SUMMARY }) };
    // A first backup shrank from nothing.
    if (facts.previous === undefined) return { limit, value: null, ok: true };
    if (facts.previous === null) return { limit, value: null, ok: null, unchecked: NO_PREVIOUS_SUMMARY };
    const previous = facts.previous;
    const files = shrinkage(previous.files, latest.files);
    const bytes = shrinkage(previous.bytes, latest.bytes);
    // Whichever shrank more: a lost mount empties both, a deleted big file only bytes.
    const text = files >= bytes ? `${previous.files} files to ${latest.files}` : `${formatBytes(previous.bytes)} to ${formatBytes(latest.bytes)}`;
    const worst = Math.max(files, bytes);
    return { limit, value: percent(worst), ok: worst <= fraction, failure: `shrank from ${text} (max_shrink ${formatPercent(fraction)})` };
  },
};

/** How much smaller `now` is than `before`, as a fraction (0 when it grew or was empty). */
function shrinkage(before: number, now: number): number {
  return before > 0 && now < before ? (before - now) / before : 0;
}

// min_size: a database dump that shrank to nothing still makes a fresh snapshot. Reads the
// newest snapshot's summary (restic 0.17+).
import { formatBytes, readSize } from '../config/sizes.js';
import { isScalar, NO_SUMMARY, readLimit } from './limit.js';
import type { SignalModule } from './signal.js';

export interface MinSizeLimits {
  /** min_size: the newest snapshot processed at least this many bytes. */
  minBytes?: number;
}

export const minSize: SignalModule<'min_size'> = {
  name: 'min_size',
  keys: {
    min_size: {
      value: { type: 'scalar' },
      places: ['repository', 'defaults', 'host'],
      shownDefault: 'none',
      doc: 'restic mode: ... at least this many bytes: `10MiB`, `1.5GB`, `500KiB` or a number of bytes',
      show: (check) => (check.signals?.minBytes === undefined ? undefined : showSize(check.signals.minBytes)),
    },
  },
  observes: ['summary'],
  read(context) {
    const minBytes = readLimit(context, 'min_size', { read: readSize, accepts: isScalar, off: 0 });
    return minBytes === undefined ? undefined : { limits: { minBytes } };
  },
  configured: (limits) => limits.minBytes !== undefined,
  judge({ minBytes: limit }, seen) {
    if (limit === undefined) return undefined;
    const bytes = seen?.facts?.latest?.bytes;
    if (bytes === undefined) return { limit, value: null, ok: null, ...(seen?.facts && { unchecked: NO_SUMMARY }) };
    return { limit, value: bytes, ok: bytes >= limit, failure: `${formatBytes(bytes)} (min_size ${formatBytes(limit)})` };
  },
};

/** "10MiB" where that is exact, else the number of bytes (1.5GB is not a whole number of MiB). */
function showSize(bytes: number): string | number {
  const shown = formatBytes(bytes).replace(' ', '');
  const back = readSize(shown);
  return 'value' in back && back.value === bytes ? shown : bytes;
}

// min_files: a lost mount backs up an empty directory, and the snapshot is fresh with 0
// files in it. Reads the newest snapshot's summary (restic 0.17+).
import { readCount } from '../config/sizes.js';
import { NO_SUMMARY, plural, readLimit } from './limit.js';
import type { SignalModule } from './signal.js';

export interface MinFilesLimits {
  /** min_files: the newest snapshot processed at least this many files. */
  minFiles?: number;
}

export const minFiles: SignalModule<'min_files'> = {
  name: 'min_files',
  keys: {
    min_files: {
      value: { type: 'integer' },
      places: ['repository', 'defaults', 'host'],
      shownDefault: 'none',
      doc: 'restic mode: the newest snapshot processed at least this many files; see [Health signals](health-signals.md)',
      show: (check) => check.signals?.minFiles,
    },
  },
  observes: ['summary'],
  read(context) {
    const minFiles = readLimit(context, 'min_files', { read: readCount, accepts: Number.isInteger, off: 0 });
    return minFiles === undefined ? undefined : { limits: { minFiles } };
  },
  configured: (limits) => limits.minFiles !== undefined,
  judge({ minFiles: limit }, seen) {
    if (limit === undefined) return undefined;
    const files = seen?.facts?.latest?.files;
    if (files === undefined) return { limit, value: null, ok: null, ...(seen?.facts && { unchecked: NO_SUMMARY }) };
    return { limit, value: files, ok: files >= limit, failure: `${plural(files, 'file')} (min_files ${limit})` };
  },
};

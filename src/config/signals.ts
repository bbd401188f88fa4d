// The health-signal keys (min_files, min_size, max_shrink, min_snapshots, max_lock_age): one reader per
// key, each turning the raw YAML value into a limit or a message naming the key.
import { readDuration } from '../duration.js';
import { readCount, readPercent, readSize, type Parsed } from './sizes.js';
import type { SignalLimits } from './types.js';

const scalar = (raw: unknown) => typeof raw === 'string' || typeof raw === 'number';

/** The limits that are one number (restore_drill, a mapping, is read by config/restore-drill.ts). */
type ScalarField = { [K in keyof SignalLimits]-?: NonNullable<SignalLimits[K]> extends number ? K : never }[keyof SignalLimits];

export interface SignalKey {
  key: 'min_files' | 'min_size' | 'max_shrink' | 'min_snapshots' | 'max_lock_age';
  field: ScalarField;
  read: (raw: unknown) => Parsed;
  /** The raw YAML values its reader takes; any other was reported by the key's kind (schema.ts). */
  accepts: (raw: unknown) => boolean;
  /** The value that can never fail: it switches a signal inherited from defaults off. */
  off: number;
}

export const SIGNAL_KEYS: readonly SignalKey[] = [
  { key: 'min_files', field: 'minFiles', read: readCount, accepts: Number.isInteger, off: 0 },
  { key: 'min_size', field: 'minBytes', read: readSize, accepts: scalar, off: 0 },
  { key: 'max_shrink', field: 'maxShrink', read: readPercent, accepts: scalar, off: 1 },
  { key: 'min_snapshots', field: 'minSnapshots', read: readCount, accepts: Number.isInteger, off: 0 },
  // A duration is never 0, so this one has no "off" value: a check that must not inherit it
  // from defaults sets a limit of its own.
  { key: 'max_lock_age', field: 'maxLockAgeMs', read: readLockAge, accepts: (raw) => typeof raw === 'string', off: -1 },
];

/** Signals fast mode can check too: lock file times need no password. */
export const FAST_SIGNALS: ReadonlySet<keyof SignalLimits> = new Set(['maxLockAgeMs', 'maxLagMs']);

function readLockAge(raw: unknown): Parsed {
  const parsed = readDuration(String(raw));
  return 'ms' in parsed ? { value: parsed.ms } : parsed;
}

/**
 * The limits of one check. `value(key)` gives the key's raw value (templates expanded) or
 * undefined when unset; a bad value is reported at `where(key)` and leaves the limit out.
 */
export function readSignals(value: (key: string) => unknown, where: (key: string) => string, fail: (problem: string) => void): SignalLimits | undefined {
  const limits: SignalLimits = {};
  for (const { key, field, read, accepts, off } of SIGNAL_KEYS) {
    const raw = value(key);
    if (raw === undefined || raw === null || !accepts(raw)) continue;
    const parsed = read(raw);
    if ('error' in parsed) fail(`${where(key)}.${key}: ${parsed.error}`);
    else if (parsed.value !== off) limits[field] = parsed.value;
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}

/**
 * The config keys of the signals set in `limits`, in table order ("min_files, max_shrink");
 * `needRestic`: only those fast mode cannot check.
 */
export function signalKeyNames(limits: SignalLimits | undefined, needRestic = false): string[] {
  if (limits === undefined) return [];
  const names: string[] = SIGNAL_KEYS.filter(({ field }) => limits[field] !== undefined && !(needRestic && FAST_SIGNALS.has(field))).map(({ key }) => key);
  // restore_drill, a mapping read by config/restore-drill.ts, runs restic dump: restic mode only.
  if (limits.restoreDrill !== undefined) names.push('restore_drill');
  return names;
}

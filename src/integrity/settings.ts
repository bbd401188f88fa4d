// The `integrity:` key: `restic check --no-lock` on a schedule of its own (daemon only).
// Pure: the raw sub-keys in, the settings or a message naming the sub-key out.
import { MAX_TIMER_MS } from '../abort/deadline.js';
import { formatDuration, longestTimerText, readDuration } from '../duration.js';
import { readSize, type Parsed } from '../config/sizes.js';

export interface IntegritySettings {
  /** How often the repository is checked (from the end of one check's start). */
  intervalMs: number;
  /** restic's `--read-data-subset` argument as restic takes it (`5%`, `1/10`, `524288000b`); unset: no data is read. */
  readDataSubset?: string;
  /** A check running longer is killed (restic and its children) and recorded as failed. */
  timeoutMs: number;
}

/** The sub-keys, with their defaults: a week between checks, six hours for one. */
export const INTEGRITY_KEYS = ['interval', 'read_data_subset', 'timeout'] as const;
export const INTEGRITY_DEFAULTS = { interval: '1w', timeout: '6h' } as const;

const SUBSET_HINT = 'write it like 5%, 1/10 or 500MiB';

/**
 * `--read-data-subset`, in the forms restic takes: `x%` (above 0, at most 100), `n/t`
 * (group n of t, 1 <= n <= t), or a size. Sizes are written as every size of the config
 * (`500MiB`, `2GB`), never restic's bare `500M` (restic reads it as MiB, many people as MB),
 * and handed to restic in bytes (`524288000b`), which every restic that has the flag reads
 * alike.
 */
export function readDataSubset(raw: string): Parsed & { arg?: string } {
  const text = raw.trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const value = Number(percent[1]);
    if (value <= 0 || value > 100) return { error: `"${raw}" is out of range (above 0% and at most 100%)` };
    return { value, arg: `${percent[1]}%` };
  }
  const group = /^(\d+)\/(\d+)$/.exec(text);
  if (group) {
    const [n, t] = [Number(group[1]), Number(group[2])];
    if (n < 1 || n > t) return { error: `"${raw}" is not a group of packs (n/t needs 1 <= n <= t, e.g. 1/10)` };
    return { value: n / t, arg: `${n}/${t}` };
  }
  // A bare number is a size in bytes to readSize, but here "5" more likely meant 5%.
  if (/^\d+(\.\d+)?$/.test(text)) return { error: `"${raw}" has no unit (${SUBSET_HINT})` };
  const size = readSize(text);
  if ('error' in size) return { error: `"${raw}" is not a percentage, a group or a size (${SUBSET_HINT})` };
  if (size.value < 1) return { error: `"${raw}" must be more than zero` };
  return { value: size.value, arg: `${size.value}b` };
}

/**
 * The settings of one repository. `value(subKey)` gives a sub-key's raw value (templates
 * expanded; defaults' and the repository's merged key by key) or undefined; `where(subKey)`
 * says where it was written. Problems go to `fail`, and leave the settings out.
 */
export function readIntegrity(value: (key: string) => unknown, where: (key: string) => string, fail: (problem: string) => void): IntegritySettings | undefined {
  let ok = true;
  const problem = (key: string, text: string) => {
    ok = false;
    fail(`${where(key)}.integrity.${key}: ${text}`);
  };
  const duration = (key: 'interval' | 'timeout'): number => {
    const raw = value(key);
    const text = typeof raw === 'string' ? raw : INTEGRITY_DEFAULTS[key];
    const parsed = readDuration(text);
    if ('error' in parsed) {
      problem(key, parsed.error);
      return 0;
    }
    // The timeout becomes one timer; the interval is waited for in steps (as `interval` is).
    if (key === 'timeout' && parsed.ms > MAX_TIMER_MS) problem(key, `"${text}" is too long: at most ${longestTimerText(MAX_TIMER_MS)} (the longest a timer can wait)`);
    return parsed.ms;
  };
  const intervalMs = duration('interval');
  const timeoutMs = duration('timeout');
  const subsetRaw = value('read_data_subset');
  let readDataSubsetArg: string | undefined;
  if (typeof subsetRaw === 'string') {
    const parsed = readDataSubset(subsetRaw);
    if ('error' in parsed) problem('read_data_subset', parsed.error);
    else readDataSubsetArg = parsed.arg;
  }
  if (!ok) return undefined;
  return { intervalMs, timeoutMs, ...(readDataSubsetArg !== undefined && { readDataSubset: readDataSubsetArg }) };
}

/** As `validate` shows it: "every 1w, read_data_subset 5%, timeout 6h (daemon only)". */
export function describeIntegrity(settings: IntegritySettings): string {
  const subset = settings.readDataSubset === undefined ? '' : `, read_data_subset ${showSubset(settings.readDataSubset)}`;
  return `every ${formatDuration(settings.intervalMs, true)}${subset}, timeout ${formatDuration(settings.timeoutMs, true)} (daemon only)`;
}

function showSubset(arg: string): string {
  const bytes = /^(\d+)b$/.exec(arg);
  return bytes ? `${bytes[1]} bytes` : arg;
}

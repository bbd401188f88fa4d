// restore_drill: {path, interval, max_age}. A mapping of its own, so it is read here rather
// than by the scalar signal readers of config/signals.ts; buildCheck (check.ts) calls it.
import { readDuration } from '../duration.js';
import { unknownKeyMessage } from './errors.js';
import { isMapping } from './schema.js';
import type { RestoreDrill } from './types.js';

/** The sub-keys, in the order messages and `validate` name them. */
export const DRILL_KEYS = ['path', 'interval', 'max_age'] as const;
/** How often the daemon drills when `interval` is not set. */
export const DRILL_DEFAULT_INTERVAL = '1d';

export interface DrillReadContext {
  /** Where the mapping was written: `repositories.web.restore_drill`, `defaults.restore_drill`. */
  where: string;
  /** Expands templates and ${VAR} in a text value (reported at `path` when it fails). */
  expand: (path: string, raw: string) => string | undefined;
  /** The check's own max_age: the drill's when it sets none. */
  maxAgeMs: number | undefined;
  fail: (problem: string) => void;
}

/**
 * The drill of one check, or undefined when none is set or a value is bad (each reported
 * with its key path). A value that is not a string was reported by the shape check already.
 */
export function readRestoreDrill(raw: unknown, { where, expand, maxAgeMs, fail }: DrillReadContext): RestoreDrill | undefined {
  if (raw === undefined || raw === null || !isMapping(raw)) return undefined;
  let ok = true;
  for (const key of Object.keys(raw)) {
    if ((DRILL_KEYS as readonly string[]).includes(key)) continue;
    fail(unknownKeyMessage(where, key, DRILL_KEYS));
    ok = false;
  }
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' ? expand(`${where}.${key}`, raw[key]) : undefined);
  const duration = (key: string, fallback: string | undefined): number | undefined => {
    const value = text(key) ?? (raw[key] === undefined || raw[key] === null ? fallback : undefined);
    if (value === undefined) return undefined;
    const parsed = readDuration(value);
    if ('ms' in parsed) return parsed.ms;
    fail(`${where}.${key}: ${parsed.error}`);
    return undefined;
  };

  const path = text('path');
  if (raw.path === undefined || raw.path === null) {
    fail(`${where}.path: missing (the file the backup job writes a timestamp into before each backup, e.g. /var/lib/backup-canary)`);
    ok = false;
  } else if (path !== undefined && !path.startsWith('/')) {
    // restic stores absolute paths; "canary" would be looked up at the snapshot's root.
    fail(`${where}.path: "${path}" is not an absolute path (write it as the backup saw it, e.g. /var/lib/backup-canary)`);
    ok = false;
  }
  const intervalMs = duration('interval', DRILL_DEFAULT_INTERVAL);
  const drillMaxAgeMs = duration('max_age', undefined) ?? (raw.max_age === undefined || raw.max_age === null ? maxAgeMs : undefined);
  if (!ok || path === undefined || intervalMs === undefined || drillMaxAgeMs === undefined) return undefined;
  return { path, intervalMs, maxAgeMs: drillMaxAgeMs };
}

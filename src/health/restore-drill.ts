// restore_drill: a snapshot that exists may still not restore. The backup job writes a
// timestamp into a canary file just before it backs up; the drill (the `drill` capability:
// restic dump, checkers/restic/restore-drill.ts) reads it back from the latest snapshot, and
// this signal judges how old that timestamp was. A passing drill stands for `interval` in
// the daemon (run/drills.ts); a one-shot run drills each time.
import { unknownKeyMessage } from '../config/errors.js';
import { isMapping } from '../config/mapping.js';
import { formatDuration, readDuration } from '../duration.js';
import type { DrillRun, ReadContext, SignalModule } from './signal.js';

export type { DrillRun };

/** restore_drill: a timestamp file the backup job writes, read back from the latest snapshot. */
export interface RestoreDrill {
  /** Absolute, as the backup saw it. */
  path: string;
  /** Daemon: how long a passing drill stands before the next one (a one-shot run drills each time). */
  intervalMs: number;
  /** The timestamp inside may be at most this old when the drill reads it. */
  maxAgeMs: number;
}

export interface RestoreDrillLimits {
  /** restore_drill: the canary file restic dump reads from the latest snapshot, and its limits. */
  restoreDrill?: RestoreDrill;
}

export interface RestoreDrillResult {
  /** When the drill the verdict used ran (the daemon keeps a passing one for its interval). */
  drilledAt?: Date;
  /** How old the canary's timestamp was when that drill read it; absent when it read none. */
  drillAgeMs?: number;
}

export interface RestoreDrillJson {
  /** When the drill behind its signal ran (ISO). */
  drilled_at?: string;
}

/** The sub-keys, in the order messages and `validate` name them. */
const DRILL_KEYS = ['path', 'interval', 'max_age'] as const;
/** How often the daemon drills when `interval` is not set. */
const DRILL_DEFAULT_INTERVAL = '1d';
/** A canary this far ahead of the drill's clock means one of the two clocks is wrong (as verdict.ts). */
const FUTURE_TOLERANCE_MS = 3_600_000;

export const restoreDrill: SignalModule<'restore_drill'> = {
  name: 'restore_drill',
  keys: {
    restore_drill: {
      value: { type: 'map', switchable: true },
      places: ['repository', 'defaults', 'host'],
      shownDefault: 'none',
      doc: 'restic mode: `{path: /var/lib/backup-canary, interval: 1d, max_age: 1d}`: `restic dump --no-lock latest PATH` must succeed and the timestamp the backup job wrote into the file must be at most `max_age` (default: the check\'s) old; the daemon drills every `interval` (default `1d`), a one-shot run each time; `false` switches off the one from `defaults`',
      show: (check) => {
        const drill = check.signals?.restoreDrill;
        return drill === undefined ? undefined : { path: drill.path, interval: formatDuration(drill.intervalMs, true), max_age: formatDuration(drill.maxAgeMs, true) };
      },
    },
  },
  observes: ['drill'],
  read(context) {
    const drill = readRestoreDrill(context);
    return drill === undefined ? undefined : { limits: { restoreDrill: drill } };
  },
  configured: (limits) => limits.restoreDrill !== undefined,
  // The settings themselves: another path, interval or max_age is another drill.
  needs: (check) => (check.signals?.restoreDrill === undefined ? undefined : { drill: check.signals.restoreDrill }),
  judge({ restoreDrill: drill }, seen) {
    if (drill === undefined) return undefined;
    const limit = drill.maxAgeMs / 1000;
    if (seen?.drill === undefined) return { limit, value: null, ok: null };
    const judged = judgeDrill(drill, seen.drill);
    return { limit, value: judged.value, ok: judged.ok, ...(judged.failure !== undefined && { failure: judged.failure }) };
  },
  report(_check, observed) {
    const drill = 'failure' in observed ? undefined : observed.drill;
    if (drill === undefined) return {};
    return { drilledAt: drill.at, ...('writtenAt' in drill && { drillAgeMs: Math.max(0, drill.at.getTime() - drill.writtenAt.getTime()) }) };
  },
  json: (result) => (result.drilledAt ? { drilled_at: result.drilledAt.toISOString() } : {}),
  metrics: [
    {
      name: 'restore_drill_age_seconds',
      help: 'Age of the canary timestamp the last restore drill read from the latest snapshot, as of that drill; only with restore_drill set and a drill that read one.',
      value: (result) => (result.drillAgeMs === undefined ? undefined : Math.round(result.drillAgeMs) / 1000),
    },
  ],
};

export interface DrillJudgement {
  /** The canary's age in seconds when the drill read it; null when it read none. */
  value: number | null;
  ok: boolean;
  /** The failure as the verdict's message shows it: "restore drill: canary is 3d old (max_age 1d)". */
  failure?: string;
}

/** Pure: one drill against its limit; its age is judged as of when it ran. */
export function judgeDrill(limit: RestoreDrill, run: DrillRun): DrillJudgement {
  if ('failure' in run) return { value: null, ok: false, failure: `restore drill: ${run.failure}` };
  const ageMs = run.at.getTime() - run.writtenAt.getTime();
  if (ageMs < -FUTURE_TOLERANCE_MS) {
    return { value: Math.round(ageMs / 1000), ok: false, failure: `restore drill: canary is ${formatDuration(-ageMs)} in the future: check the clocks` };
  }
  const judged = Math.max(0, ageMs);
  const value = Math.round(judged / 1000);
  if (judged <= limit.maxAgeMs) return { value, ok: true };
  return { value, ok: false, failure: `restore drill: canary is ${formatDuration(judged)} old (max_age ${formatDuration(limit.maxAgeMs, true)})` };
}

/**
 * {path, interval, max_age}: the drill of one check, or undefined when none is set or a
 * value is bad (each reported with its key path). A value that is not a string was reported
 * by the shape check already.
 */
function readRestoreDrill(context: ReadContext): RestoreDrill | undefined {
  const raw = context.raw('restore_drill');
  if (raw === undefined || raw === null || !isMapping(raw)) return undefined;
  const where = `${context.where('restore_drill')}.restore_drill`;
  let ok = true;
  for (const key of Object.keys(raw)) {
    if ((DRILL_KEYS as readonly string[]).includes(key)) continue;
    context.fail(unknownKeyMessage(where, key, DRILL_KEYS));
    ok = false;
  }
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' ? context.expand(`${where}.${key}`, raw[key]) : undefined);
  const duration = (key: string, fallback: string | undefined): number | undefined => {
    const value = text(key) ?? (raw[key] === undefined || raw[key] === null ? fallback : undefined);
    if (value === undefined) return undefined;
    const parsed = readDuration(value);
    if ('ms' in parsed) return parsed.ms;
    context.fail(`${where}.${key}: ${parsed.error}`);
    return undefined;
  };

  const path = text('path');
  if (raw.path === undefined || raw.path === null) {
    context.fail(`${where}.path: missing (the file the backup job writes a timestamp into before each backup, e.g. /var/lib/backup-canary)`);
    ok = false;
  } else if (path !== undefined && !path.startsWith('/')) {
    // restic stores absolute paths; "canary" would be looked up at the snapshot's root.
    context.fail(`${where}.path: "${path}" is not an absolute path (write it as the backup saw it, e.g. /var/lib/backup-canary)`);
    ok = false;
  }
  const intervalMs = duration('interval', DRILL_DEFAULT_INTERVAL);
  const maxAgeMs = duration('max_age', undefined) ?? (raw.max_age === undefined || raw.max_age === null ? context.maxAgeMs : undefined);
  if (!ok || path === undefined || intervalMs === undefined || maxAgeMs === undefined) return undefined;
  return { path, intervalMs, maxAgeMs };
}

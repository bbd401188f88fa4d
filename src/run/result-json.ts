import { SIGNALS, type SignalJsonFields } from '../health/registry.js';
import type { SignalResult } from '../health/signals.js';
import type { CheckResult, LatestBasis, PushOutcome, UnmonitoredRepository } from './result.js';

/**
 * The JSON of one result, as `status --json` and the daemon's `/status` show it: snake_case,
 * ISO times, whole seconds. Scripts read this shape: its fields, their order and their
 * values stay as they are (the result inside may change, this rendering may not). The
 * health signals' own fields follow `signals`, in registry order (health/registry.ts).
 */
export interface CheckResultJson extends SignalJsonFields {
  name: string;
  status: CheckResult['status'];
  mode: CheckResult['mode'];
  reader?: 'builtin' | 'restic';
  latest: string | null;
  latest_basis: LatestBasis | null;
  age_seconds: number | null;
  max_age_seconds: number;
  message: string;
  error: string | null;
  duration_ms: number;
  checked_at: string;
  pushes: PushOutcome[];
  /** Restic mode, when known: the newest snapshot's summary, and the count (when a signal counts). */
  latest_files?: number;
  latest_bytes?: number;
  snapshot_count?: number;
  /** One object per configured health signal. */
  signals?: SignalResult[];
}

export function resultJson(result: CheckResult): CheckResultJson {
  return {
    name: result.name,
    status: result.status,
    mode: result.mode,
    ...(result.reader && { reader: result.reader }),
    latest: result.latest?.toISOString() ?? null,
    latest_basis: result.latestBasis,
    age_seconds: ageSeconds(result.ageMs),
    max_age_seconds: Math.round(result.maxAgeMs / 1000),
    message: result.message,
    error: result.error,
    duration_ms: Math.round(result.durationMs),
    checked_at: result.checkedAt.toISOString(),
    pushes: result.pushes,
    ...(result.latestFiles !== undefined && { latest_files: result.latestFiles }),
    ...(result.latestBytes !== undefined && { latest_bytes: result.latestBytes }),
    ...(result.snapshotCount !== undefined && { snapshot_count: result.snapshotCount }),
    ...(result.signals && { signals: result.signals }),
    ...Object.assign({}, ...SIGNALS.map((signal) => signal.json?.(result))),
  };
}

/**
 * A repository `discover:` found and no check covers, as `status --json` and `/status` show
 * it after the checks' results: a status of its own, its URL and where it was found.
 */
export interface UnmonitoredJson {
  name: string;
  status: 'unmonitored';
  url: string;
  location: string;
  message: string;
  found_at: string;
}

/** The one message of an unmonitored repository, in every output. */
export function unmonitoredMessage(repository: UnmonitoredRepository): string {
  return `${repository.reason} (found under ${repository.location})`;
}

export function unmonitoredJson(repository: UnmonitoredRepository): UnmonitoredJson {
  return {
    name: repository.name,
    status: 'unmonitored',
    url: repository.url,
    location: repository.location,
    message: unmonitoredMessage(repository),
    found_at: repository.foundAt.toISOString(),
  };
}

/**
 * The text of `status --json` and `/status`: the results in config order, then the
 * unmonitored repositories discover found, indented, one trailing newline. `extra` adds
 * fields after a result's own (the daemon's `next_run`).
 */
export function resultsJsonText(results: readonly CheckResult[], extra?: (result: CheckResult) => Record<string, unknown>, unmonitored: readonly UnmonitoredRepository[] = []): string {
  const rows = [...results.map((result) => ({ ...resultJson(result), ...extra?.(result) })), ...unmonitored.map(unmonitoredJson)];
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/**
 * Whole seconds, as the JSON always had them: an age is floored ("59s" until the minute is
 * full), a snapshot ahead of the clock (negative, beyond the verdict's tolerance) rounded.
 */
export function ageSeconds(ageMs: number | null): number | null {
  if (ageMs === null) return null;
  return ageMs < 0 ? Math.round(ageMs / 1000) : Math.floor(ageMs / 1000);
}

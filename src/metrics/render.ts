import type { CheckResult, UnmonitoredRepository } from '../run/result.js';
import type { Tally } from './tally.js';

/**
 * Renders tallies in the Prometheus text exposition format (version 0.0.4). A handful of
 * gauges and counters with a few labels do not need a client library's registry: this is a
 * pure function of the tallies and the time, which keeps it trivial to test and to reuse
 * for the textfile collector.
 */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface ProcessInfo {
  /** Whether the last config (re)load succeeded; daemon only. */
  configReloadOk?: boolean;
  /** Seconds since the epoch of the last successful config load; daemon only. */
  configLoadedAt?: number;
  /** What `discover:` found and no check covers; undefined (no series) without `discover:`. */
  unmonitored?: readonly UnmonitoredRepository[];
}

interface Family {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  /** undefined: this check has no sample for the family (e.g. no snapshot yet). */
  value: (tally: Tally, nowSeconds: number) => number | undefined;
}

const seconds = (time: Date | null) => (time === null ? undefined : time.getTime() / 1000);

const FAMILIES: readonly Family[] = [
  { name: 'up', type: 'gauge', help: 'Whether the last check found a fresh snapshot (1) or not (0).', value: (t) => (t.latest.status === 'up' ? 1 : 0) },
  {
    name: 'check_success',
    type: 'gauge',
    help: 'Whether the last check could be made (1) or failed: restic, the backend or a timeout (0).',
    value: (t) => (t.latest.error === null ? 1 : 0),
  },
  {
    name: 'latest_snapshot_timestamp_seconds',
    type: 'gauge',
    help: 'Time of the newest snapshot the last successful check found, seconds since the epoch; kept through failed checks.',
    value: (t) => seconds(t.lastKnownSnapshot),
  },
  {
    name: 'snapshot_age_seconds',
    type: 'gauge',
    help: 'Age of that snapshot at the time of this scrape or write; kept through failed checks.',
    value: (t, now) => {
      const latest = seconds(t.lastKnownSnapshot);
      return latest === undefined ? undefined : Math.max(0, Math.round((now - latest) * 1000) / 1000);
    },
  },
  { name: 'max_age_seconds', type: 'gauge', help: 'The configured max_age: older snapshots make the check down.', value: (t) => t.latest.maxAgeMs / 1000 },
  { name: 'check_duration_seconds', type: 'gauge', help: 'How long the last check took.', value: (t) => t.latest.durationMs / 1000 },
  { name: 'last_check_timestamp_seconds', type: 'gauge', help: 'When the last check started, seconds since the epoch.', value: (t) => seconds(t.latest.checkedAt) },
  // Health signals (restic mode): present when the last check saw them.
  { name: 'snapshots', type: 'gauge', help: 'Snapshots the last check counted (of its host, for host checks); only when its listing held them all (min_snapshots set).', value: (t) => t.latest.snapshotCount },
  { name: 'latest_snapshot_files', type: 'gauge', help: 'Files the newest snapshot processed (its summary, restic 0.17+), as the last check saw it.', value: (t) => t.latest.latestFiles },
  { name: 'latest_snapshot_bytes', type: 'gauge', help: 'Bytes the newest snapshot processed (its summary, restic 0.17+), as the last check saw it.', value: (t) => t.latest.latestBytes },
  { name: 'oldest_lock_age_seconds', type: 'gauge', help: 'Age of the oldest lock in the repository when the last check looked (0: none); only with max_lock_age set.', value: (t) => (t.latest.oldestLockAgeMs === undefined ? undefined : Math.round(t.latest.oldestLockAgeMs) / 1000) },
  // integrity: (daemon only): present once the repository's first integrity check has ended.
  { name: 'integrity_ok', type: 'gauge', help: "Whether the repository's last integrity check (restic check, integrity: set) found no errors (1) or failed (0).", value: (t) => (t.latest.integrity?.ok == null ? undefined : t.latest.integrity.ok ? 1 : 0) },
  { name: 'integrity_checked_timestamp_seconds', type: 'gauge', help: "When the repository's last integrity check started, seconds since the epoch.", value: (t) => (t.latest.integrity?.checkedAt ? seconds(t.latest.integrity.checkedAt) : undefined) },
  { name: 'restore_drill_age_seconds', type: 'gauge', help: 'Age of the canary timestamp the last restore drill read from the latest snapshot, as of that drill; only with restore_drill set and a drill that read one.', value: (t) => (t.latest.drillAgeMs === undefined ? undefined : Math.round(t.latest.drillAgeMs) / 1000) },
  { name: 'checks_total', type: 'counter', help: 'Checks made since the process started.', value: (t) => t.checks },
  { name: 'check_errors_total', type: 'counter', help: 'Checks that could not be made (restic or the backend failed, timeout).', value: (t) => t.checkErrors },
  { name: 'push_failures_total', type: 'counter', help: 'Pushes that were not delivered to their target.', value: (t) => t.pushFailures },
];

export const PREFIX = 'restic_monitor_';

/** Label values escape backslash, double quote and newline, as the format requires. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Integers as integers, everything else with full precision; the format has no locale. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

/**
 * `check` (the row: unique), `repository` (the config key it reads: a host check of `fleet`
 * is check="fleet/web1", repository="fleet"), `mode`, and in restic mode `reader` once one
 * answered: which reader the value came from.
 */
function labelsOf(result: CheckResult): string {
  const reader = result.reader ? `,reader="${escapeLabel(result.reader)}"` : '';
  return `check="${escapeLabel(result.name)}",repository="${escapeLabel(result.repository)}",mode="${escapeLabel(result.mode)}"${reader}`;
}

export function renderMetrics(tallies: readonly Tally[], now: Date, info: ProcessInfo = {}): string {
  const nowSeconds = now.getTime() / 1000;
  const lines: string[] = [];
  for (const family of FAMILIES) {
    const name = PREFIX + family.name;
    lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
    for (const tally of tallies) {
      const value = family.value(tally, nowSeconds);
      if (value === undefined) continue;
      lines.push(`${name}{${labelsOf(tally.latest)}} ${formatValue(value)}`);
    }
  }
  // One series per configured signal the last check could judge (a signal it could not,
  // such as min_size on a snapshot without summary, has none). The daemon's integrity result
  // is one of them too: it makes the check down as they do, so the one alert on signal_ok
  // covers it (monitoring/alerts.yml).
  const signal = `${PREFIX}signal_ok`;
  lines.push(`# HELP ${signal} Whether a configured health signal (min_files, min_size, max_shrink, min_snapshots, max_lock_age, max_lag, restore_drill, integrity) held at the last check (1) or not (0).`, `# TYPE ${signal} gauge`);
  for (const tally of tallies) {
    const judged: Array<{ name: string; ok: boolean }> = (tally.latest.signals ?? []).flatMap((result) => (result.ok === null ? [] : [{ name: result.name, ok: result.ok }]));
    // Only beside a snapshot the check saw, as the other signals: a failed check or none found
    // has an alert of its own, and one broken check raises one alert.
    const integrity = tally.latest.latest === null ? undefined : tally.latest.integrity?.ok;
    if (integrity !== undefined && integrity !== null) judged.push({ name: 'integrity', ok: integrity });
    for (const { name, ok } of judged) lines.push(`${signal}{${labelsOf(tally.latest)},signal="${name}"} ${ok ? 1 : 0}`);
  }
  // mirror_of: how far each copy trailed its primary at its last check (both looks had a snapshot).
  const lag = `${PREFIX}mirror_lag_seconds`;
  lines.push(`# HELP ${lag} How far the newest snapshot of a copy (mirror_of) trailed its primary's newest at the last check (0: not at all).`, `# TYPE ${lag} gauge`);
  for (const tally of tallies) {
    const { mirrorLagMs, primary } = tally.latest;
    if (mirrorLagMs === undefined || primary === undefined) continue;
    lines.push(`${lag}{${labelsOf(tally.latest)},primary="${escapeLabel(primary)}"} ${formatValue(Math.round(mirrorLagMs) / 1000)}`);
  }
  if (info.unmonitored !== undefined) {
    const count = `${PREFIX}unmonitored_repositories`;
    const each = `${PREFIX}unmonitored_repository_info`;
    lines.push(`# HELP ${count} Repositories discover: found that no check covers.`, `# TYPE ${count} gauge`, `${count} ${info.unmonitored.length}`);
    lines.push(`# HELP ${each} One series (value 1) per repository discover: found that no check covers.`, `# TYPE ${each} gauge`);
    for (const repository of info.unmonitored) {
      lines.push(`${each}{name="${escapeLabel(repository.name)}",url="${escapeLabel(repository.url)}",location="${escapeLabel(repository.location)}"} 1`);
    }
  }
  if (info.configReloadOk !== undefined) {
    const name = `${PREFIX}config_last_reload_successful`;
    lines.push(`# HELP ${name} Whether the last config load or SIGHUP reload succeeded.`, `# TYPE ${name} gauge`, `${name} ${info.configReloadOk ? 1 : 0}`);
  }
  if (info.configLoadedAt !== undefined) {
    const name = `${PREFIX}config_last_reload_success_timestamp_seconds`;
    lines.push(`# HELP ${name} When the config in use was loaded, seconds since the epoch.`, `# TYPE ${name} gauge`, `${name} ${formatValue(info.configLoadedAt)}`);
  }
  return `${lines.join('\n')}\n`;
}

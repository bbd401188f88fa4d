import { JUDGED, SIGNALS } from '../health/registry.js';
import type { SignalMetric } from '../health/signal.js';
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

/** The signals that count every snapshot, as the `snapshots` family's help names them. */
const counting = SIGNALS.filter((signal) => signal.observes.includes('count')).map((signal) => signal.name).join(', ');

/** A signal's own family of one sample per check. */
const familyOf = (metric: SignalMetric): Family => ({ name: metric.name, type: 'gauge', help: metric.help, value: (t) => metric.value(t.latest) });
const SIGNAL_METRICS = SIGNALS.flatMap((signal) => signal.metrics ?? []);

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
  // What restic mode's listing shows of the snapshots: present when the last check saw it.
  { name: 'snapshots', type: 'gauge', help: `Snapshots the last check counted (of its host, for host checks); only when its listing held them all (${counting} set).`, value: (t) => t.latest.snapshotCount },
  { name: 'latest_snapshot_files', type: 'gauge', help: 'Files the newest snapshot processed (its summary, restic 0.17+), as the last check saw it.', value: (t) => t.latest.latestFiles },
  { name: 'latest_snapshot_bytes', type: 'gauge', help: 'Bytes the newest snapshot processed (its summary, restic 0.17+), as the last check saw it.', value: (t) => t.latest.latestBytes },
  // The health signals' own families (health/registry.ts), in registry order.
  ...SIGNAL_METRICS.filter((metric) => metric.label === undefined).map(familyOf),
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
  // such as one on a snapshot without summary, has none), then the signals not listed among
  // them (a daemon's background result): each makes the check down as the others do, so the
  // one alert on signal_ok covers them all (monitoring/alerts.yml).
  const signal = `${PREFIX}signal_ok`;
  lines.push(`# HELP ${signal} Whether a configured health signal (${JUDGED.map((one) => one.name).join(', ')}) held at the last check (1) or not (0).`, `# TYPE ${signal} gauge`);
  for (const tally of tallies) {
    const judged: Array<{ name: string; ok: boolean }> = (tally.latest.signals ?? []).flatMap((result) => (result.ok === null ? [] : [{ name: result.name, ok: result.ok }]));
    for (const unlisted of JUDGED) {
      const held = unlisted.held?.(tally.latest);
      if (held !== undefined && held !== null) judged.push({ name: unlisted.name, ok: held });
    }
    for (const { name, ok } of judged) lines.push(`${signal}{${labelsOf(tally.latest)},signal="${name}"} ${ok ? 1 : 0}`);
  }
  // The signals' families with a label of their own follow, as they always have.
  for (const metric of SIGNAL_METRICS) {
    if (metric.label === undefined) continue;
    const name = PREFIX + metric.name;
    lines.push(`# HELP ${name} ${metric.help}`, `# TYPE ${name} gauge`);
    for (const tally of tallies) {
      const [value, label] = [metric.value(tally.latest), metric.label.value(tally.latest)];
      if (value === undefined || label === undefined) continue;
      lines.push(`${name}{${labelsOf(tally.latest)},${metric.label.name}="${escapeLabel(label)}"} ${formatValue(value)}`);
    }
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

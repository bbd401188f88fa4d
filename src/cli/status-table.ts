import { formatDuration } from '../duration.js';
import type { SignalResult } from '../health/signals.js';
import type { CheckResult, UnmonitoredRepository } from '../run/result.js';
import { unmonitoredMessage } from '../run/result-json.js';
import { viewOf, type ResultView } from './result-view.js';
import { padEnd, paint, widthFor, type Style } from './style.js';
import { printable } from '../text.js';

const HEADER = ['REPOSITORY', 'MODE', 'LATEST SNAPSHOT', 'AGE', 'MAX AGE', 'STATE', 'SIGNALS', 'DURATION', 'MESSAGE'];
const STATE_COLUMN = HEADER.indexOf('STATE');

/**
 * `status`: an aligned table (by display width: wide names too); ANSI colour only when
 * `style.color`. Unmonitored repositories (discover:) follow the checks, state UNMONITORED.
 */
export async function formatStatusTable(results: readonly CheckResult[], style: Style, unmonitored: readonly UnmonitoredRepository[] = []): Promise<string> {
  const cells = [...results.map((result) => cellsOf(viewOf(result))), ...unmonitored.map((repository) => [repository.name, '-', '-', '-', '-', 'UNMONITORED', '-', '-', unmonitoredMessage(repository)])];
  // A name or message from outside (a folder name, restic's error) never breaks a row in two.
  const rows = cells.map((row) => row.map(printable));
  const width = await widthFor(rows.flat());
  const widths = HEADER.map((title, column) => Math.max(width(title), ...rows.map((row) => width(row[column]!))));
  const line = (cells: string[], colorState: boolean) =>
    cells
      .map((cell, column) => {
        const padded = column === cells.length - 1 ? cell : padEnd(cell, widths[column]!, width);
        return colorState && column === STATE_COLUMN ? paint(style, cell === 'UP' ? 32 : cell === 'UNMONITORED' ? 33 : 31, padded) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(HEADER, false), ...rows.map((row) => line(row, true))].join('\n');
}

function cellsOf(view: ResultView): string[] {
  return [
    view.name,
    view.mode,
    view.latest ? `${view.latest.toISOString().slice(0, 19).replace('T', ' ')}Z` : '-',
    formatAge(view.ageMs),
    formatDuration(view.maxAgeMs, true),
    view.status.toUpperCase(),
    formatSignals(view.signals),
    formatCheckDuration(view.durationMs),
    view.message,
  ];
}

/**
 * The health signals at a glance: `-` when none is configured, `ok` when all held, else the
 * failed ones by name, comma-separated; `?` stands for those that could not be judged (`?`
 * alone: none failed, some unchecked; `NAME,?`: both).
 */
export function formatSignals(signals: readonly SignalResult[] | undefined): string {
  if (signals === undefined || signals.length === 0) return '-';
  const failed = signals.filter((signal) => signal.ok === false).map((signal) => signal.name);
  const unchecked = signals.some((signal) => signal.ok === null);
  if (failed.length === 0) return unchecked ? '?' : 'ok';
  return [...failed, ...(unchecked ? ['?'] : [])].join(',');
}

/** "3h12m"; "-5m" for a snapshot five minutes ahead of the clock; "-" without a snapshot. */
export function formatAge(ageMs: number | null): string {
  if (ageMs === null) return '-';
  return ageMs < 0 ? `-${formatDuration(-ageMs)}` : formatDuration(ageMs);
}

/** "340ms", "2.5s", "1m5s": how long a check took, precise where it is short. */
export function formatCheckDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  return formatDuration(ms);
}

// Cron schedules (the daemon's `schedule` key), on croner: parsing, the next run in a time
// zone, and the longest gap between runs. Pure: the instant to count from is passed in.
import type { Cron as CronClass } from 'croner';
import { requirePackage } from './lazy-require.js';

/** croner, loaded by the first schedule: a config without `schedule` (and every one-shot run) never needs it. */
const croner = () => requirePackage<typeof import('croner')>('croner', () => require('croner'));

/** What `schedule` means to a reader of the config: five fields, minute first. */
export const CRON_FIELDS = 'minute hour day-of-month month day-of-week';

/** The nicknames croner knows, each standing for five fields. */
const NICKNAMES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly'];

/**
 * Why `expression` is not a usable schedule, or undefined. Five fields (or a nickname such
 * as @daily); croner's optional sixth, seconds, is refused: a restic check every second
 * is a mistake, not a schedule.
 */
export function cronProblem(expression: string): string | undefined {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@') && !NICKNAMES.includes(trimmed.toLowerCase())) {
    return `"${expression}" is not a cron expression: the nicknames are ${NICKNAMES.join(', ')}`;
  }
  if (!trimmed.startsWith('@') && trimmed.split(/\s+/).length !== 5) {
    return `"${expression}" is not a cron expression: it needs five fields (${CRON_FIELDS}), e.g. "0 6,18 * * *"`;
  }
  let cron: CronClass;
  try {
    cron = new (croner().Cron)(trimmed, { timezone: 'UTC' });
  } catch (error) {
    return `"${expression}" is not a cron expression: ${(error as Error).message.replace(/^CronPattern: /, '')}`;
  }
  if (cron.nextRun(new Date(GAP_REFERENCE_MS)) === null) return `"${expression}" never runs`;
  return undefined;
}

/** Why `zone` is not a time zone the runtime knows, or undefined. */
export function timeZoneProblem(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return `"${zone}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`;
  }
}

/** The zone a schedule without `time_zone` runs in: the process's own (TZ, else the system's). */
export function processTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The first run strictly after `afterMs`, in epoch ms; undefined when there is none. */
export function nextRunAfter(expression: string, zone: string, afterMs: number): number | undefined {
  const next = new (croner().Cron)(expression.trim(), { timezone: zone }).nextRun(new Date(afterMs));
  return next === null ? undefined : next.getTime();
}

/** Where the longest gap is measured from: a fixed instant, so a config parses the same any day. */
const GAP_REFERENCE_MS = Date.UTC(2024, 0, 1);
/** A leap year and the next: long enough for schedules on a day of the month or year. */
const GAP_SPAN_MS = 2 * 366 * 86_400_000;
const DAY_MS = 86_400_000;
/** Longest wall-clock gaps, by expression: parsing a fleet that shares a schedule computes one. */
const wallGaps = new Map<string, number>();

/**
 * The longest wait between two runs in `zone`, an upper bound: the longest gap between
 * wall-clock times over two years, plus the zone's DST shift, which a run after the clocks
 * go back (or the run DST skips) can add. What "on schedule" means for a scheduled check.
 * Counted on a fixed-offset clock: croner's zone arithmetic costs a millisecond a run.
 */
export function longestGapMs(expression: string, zone: string): number {
  const key = expression.trim();
  let wall = wallGaps.get(key);
  if (wall === undefined) {
    wall = wallGapMs(new (croner().Cron)(key, { utcOffset: 0 }));
    if (wallGaps.size < 1000) wallGaps.set(key, wall);
  }
  return wall + dstShiftMs(zone);
}

/**
 * The minute and hour fields pick the same times of day on every day the day fields let
 * run, so the longest gap is either between two of those times or from one running day's
 * last run to the next running day's first. Walking days, not runs, keeps a schedule that
 * runs in bursts (every minute on the 1st) from hiding its month-long gap, at one step per
 * running day (at most ~730) plus one day's runs (at most 1,440).
 */
function wallGapMs(cron: CronClass): number {
  const first = cron.nextRun(new Date(GAP_REFERENCE_MS - 1));
  if (first === null) return 0;
  const firstDay = startOfDay(first.getTime());
  const times: number[] = [];
  for (let run: Date | null = first; run !== null && run.getTime() < firstDay + DAY_MS; run = cron.nextRun(run)) {
    times.push(run.getTime() - firstDay);
  }
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
  const [earliest, latest] = [times[0]!, times.at(-1)!];
  for (let day = firstDay; day < GAP_REFERENCE_MS + GAP_SPAN_MS; ) {
    const next = cron.nextRun(new Date(day + DAY_MS - 1));
    if (next === null) break;
    const nextDay = startOfDay(next.getTime());
    gap = Math.max(gap, nextDay + earliest - (day + latest));
    day = nextDay;
  }
  return gap;
}

const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** How far a zone's clocks move at its DST changes (0 for UTC, 1 h for most that have DST). */
function dstShiftMs(zone: string): number {
  const offsets = [Date.UTC(2024, 0, 1), Date.UTC(2024, 6, 1)].map((at) => offsetMs(zone, at));
  return Math.abs(offsets[0]! - offsets[1]!);
}

function offsetMs(zone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second')) - at;
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Check } from '../../src/config/types.js';
import { Scheduler } from '../../src/daemon/scheduler.js';
import { MAX_TIMER_MS } from '../../src/abort/deadline.js';
import type { CheckResult } from '../../src/run/result.js';
import { FakeTimers, settle } from '../helpers/fake-timers.js';
import { checkConfig } from '../helpers/config.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function scheduled(name: string, schedule: string, timeZone: string): Check {
  // intervalMs as parsing sets it for a schedule: the longest gap (unused by the scheduler).
  return checkConfig({ name, url: `/srv/${name}`, schedule, timeZone, intervalMs: 13 * HOUR });
}

function result(name: string): CheckResult {
  return { name, repository: name, status: 'up', mode: 'restic', latest: null, latestBasis: null, ageMs: null, maxAgeMs: 86_400_000, message: 'ok', error: null, durationMs: 1, checkedAt: new Date('2026-01-01T00:00:00.000Z'), pushes: [] };
}

/** A scheduler whose checks take `takesMs` on the fake clock; records when each started. */
function run(checks: Check[], timers: FakeTimers, takesMs = 0) {
  const started: string[] = [];
  const scheduler = new Scheduler(
    { checks, concurrency: 4 },
    {
      check: (check, signal) =>
        new Promise((resolve) => {
          started.push(`${check.name} ${new Date(timers.now()).toISOString()}`);
          if (takesMs === 0) resolve(result(check.name));
          else timers.setTimeout(() => resolve(result(check.name)), takesMs);
          // stop() waits for the checks in flight: one that is aborted ends.
          signal.addEventListener('abort', () => resolve(result(check.name)));
        }),
      onResult: () => {},
      timers,
      // Interval checks would be pushed up to 10% later; scheduled ones run on the minute.
      random: () => 0.999,
    },
  );
  return { scheduler, started, due: () => scheduler.view().map((entry) => (entry.nextDueAt === undefined ? 'never' : new Date(entry.nextDueAt).toISOString())) };
}

test('a schedule runs at start, then at each of its times in its zone, across the March DST change (America/New_York), without jitter', async () => {
  // 2026-03-07 05:00 EST; clocks go from 02:00 EST to 03:00 EDT on 2026-03-08.
  const timers = new FakeTimers(Date.parse('2026-03-07T10:00:00Z'));
  const { scheduler, started, due } = run([scheduled('web', '0 6,18 * * *', 'America/New_York')], timers);
  scheduler.start();
  await settle();
  assert.deepEqual(due(), ['2026-03-07T11:00:00.000Z'], '06:00 EST');
  await timers.advance(60 * HOUR);
  assert.deepEqual(started, [
    'web 2026-03-07T10:00:00.000Z', // at start
    'web 2026-03-07T11:00:00.000Z', // 06:00 EST
    'web 2026-03-07T23:00:00.000Z', // 18:00 EST
    'web 2026-03-08T10:00:00.000Z', // 06:00 EDT: 23 h after the one before
    'web 2026-03-08T22:00:00.000Z', // 18:00 EDT
    'web 2026-03-09T10:00:00.000Z',
    'web 2026-03-09T22:00:00.000Z',
  ]);
  assert.deepEqual(due(), ['2026-03-10T10:00:00.000Z']);
  await scheduler.stop();
});

test('a time that DST skips runs an hour later that day; a time that happens twice runs once', async () => {
  const spring = new FakeTimers(Date.parse('2026-03-07T12:00:00Z'));
  const skipped = run([scheduled('skip', '30 2 * * *', 'America/New_York')], spring);
  skipped.scheduler.start();
  await spring.advance(48 * HOUR);
  assert.deepEqual(skipped.started, [
    'skip 2026-03-07T12:00:00.000Z',
    'skip 2026-03-08T07:30:00.000Z', // 02:30 does not exist on 8 March: 03:30 EDT
    'skip 2026-03-09T06:30:00.000Z', // 02:30 EDT
  ]);
  await skipped.scheduler.stop();

  const autumn = new FakeTimers(Date.parse('2026-10-31T12:00:00Z'));
  const repeated = run([scheduled('twice', '30 1 * * *', 'America/New_York')], autumn);
  repeated.scheduler.start();
  await autumn.advance(48 * HOUR);
  assert.deepEqual(repeated.started, [
    'twice 2026-10-31T12:00:00.000Z',
    'twice 2026-11-01T05:30:00.000Z', // 01:30 EDT; 01:30 EST an hour later is not run again
    'twice 2026-11-02T06:30:00.000Z', // 01:30 EST
  ]);
  await repeated.scheduler.stop();
});

test('times missed while the check still ran are skipped, not caught up', async () => {
  const timers = new FakeTimers(Date.parse('2026-06-01T00:00:00Z'));
  const { scheduler, started } = run([scheduled('slow', '*/5 * * * *', 'UTC')], timers, 7 * MINUTE);
  scheduler.start();
  await timers.advance(30 * MINUTE);
  assert.deepEqual(started, [
    'slow 2026-06-01T00:00:00.000Z',
    'slow 2026-06-01T00:10:00.000Z', // ended 00:07: 00:05 is gone
    'slow 2026-06-01T00:20:00.000Z', // ended 00:17: 00:15 is gone
    'slow 2026-06-01T00:30:00.000Z',
  ]);
  await scheduler.stop();
});

test('a yearly schedule is waited out in timer-sized steps and runs on the minute', async () => {
  const timers = new FakeTimers(Date.parse('2026-01-01T12:00:00Z'));
  const { scheduler, started } = run([scheduled('yearly', '0 0 1 1 *', 'Europe/Berlin')], timers);
  scheduler.start();
  await settle();
  for (const { at } of timers.pending.values()) assert.ok(at - timers.now() <= MAX_TIMER_MS, 'no timer longer than a timer holds');
  await timers.advance(366 * 24 * HOUR);
  assert.deepEqual(started, ['yearly 2026-01-01T12:00:00.000Z', 'yearly 2026-12-31T23:00:00.000Z']);
  assert.equal(timers.pending.size, 1, 'one timer, however many steps');
  await scheduler.stop();
});

test('an interval check reports its next due time too: start plus interval plus jitter', async () => {
  const timers = new FakeTimers(Date.parse('2026-06-01T00:00:00Z'));
  const { scheduler, due } = run([checkConfig({ name: 'every', url: '/srv/every', intervalMs: HOUR })], timers);
  scheduler.start();
  await settle();
  // jitter: random 0.999 of min(10% of 1h, 5m) = 299_700 ms
  assert.deepEqual(due(), [new Date(Date.parse('2026-06-01T01:00:00Z') + 299_700).toISOString()]);
  await scheduler.stop();
});

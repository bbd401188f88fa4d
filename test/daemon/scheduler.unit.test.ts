import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Check } from '../../src/config/types.js';
import { Scheduler } from '../../src/daemon/scheduler.js';
import { jitterMs, realTimers } from '../../src/daemon/timers.js';
import { MAX_TIMER_MS } from '../../src/abort/deadline.js';
import type { CheckResult } from '../../src/run/result.js';
import { FakeTimers, settle } from '../helpers/fake-timers.js';

const MINUTE = 60_000;

function repo(name: string, intervalMs = 10 * MINUTE, extra: Partial<Check> = {}): Check {
  return {
    name,
    repository: name,
    url: `/srv/${name}`,
    maxAgeMs: 86_400_000,
    extraEnv: {},
    timeoutMs: MINUTE,
    pushTimeoutMs: 10_000,
    mode: 'restic',
    intervalMs,
    bucketLookup: 'auto',
    tags: [],
    paths: [],
    ...extra,
  };
}

function result(name: string): CheckResult {
  return { name, repository: name, status: 'up', mode: 'restic', latest: null, latestBasis: null, ageMs: null, maxAgeMs: 86_400_000, message: 'ok', error: null, durationMs: 1, checkedAt: new Date('2026-01-01T00:00:00.000Z'), pushes: [] };
}

/** A checker whose checks end only when the test says so, recording starts and aborts. */
function controlledChecks(timers: FakeTimers) {
  const started: Array<{ name: string; at: number; url: string }> = [];
  const open = new Map<string, Array<() => void>>();
  const aborted: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const check = (repository: Check, signal: AbortSignal) =>
    new Promise<CheckResult>((resolve) => {
      started.push({ name: repository.name, at: timers.now(), url: repository.url });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const finish = () => {
        inFlight--;
        resolve(result(repository.name));
      };
      const list = open.get(repository.name) ?? [];
      list.push(finish);
      open.set(repository.name, list);
      signal.addEventListener('abort', () => {
        aborted.push(repository.name);
        finish();
      });
    });
  const finish = (name: string) => {
    const list = open.get(name);
    const next = list?.shift();
    assert.ok(next, `no open check of ${name}`);
    next();
  };
  return { check, started, finish, aborted, get maxInFlight() { return maxInFlight; }, get inFlight() { return inFlight; } };
}

test('every repository is checked at start, then again one interval (plus jitter) after its check began', async () => {
  const timers = new FakeTimers();
  const checks = controlledChecks(timers);
  const results: string[] = [];
  const scheduler = new Scheduler(
    { checks: [repo('a', 10 * MINUTE), repo('b', 20 * MINUTE)], concurrency: 4 },
    { check: checks.check, onResult: (r) => results.push(r.name), timers, random: () => 0.5 },
  );
  scheduler.start();
  await settle();
  assert.deepEqual(checks.started.map((s) => [s.name, s.at]), [['a', 0], ['b', 0]]);
  await timers.advance(5000);
  checks.finish('a');
  checks.finish('b');
  await timers.advance(10 * MINUTE - 5000 - 1);
  assert.equal(checks.started.length, 2, 'nothing before the interval and its jitter');
  // jitter with random 0.5: half of 10% of the interval
  await timers.advance(1 + 30_000);
  assert.deepEqual(checks.started.map((s) => [s.name, s.at]), [['a', 0], ['b', 0], ['a', 10 * MINUTE + 30_000]]);
  assert.deepEqual(results, ['a', 'b']);
  await scheduler.stop();
});

test('a repository whose check is still running is not started again, however long it takes', async () => {
  const timers = new FakeTimers();
  const checks = controlledChecks(timers);
  const scheduler = new Scheduler({ checks: [repo('slow', MINUTE)], concurrency: 4 }, { check: checks.check, onResult: () => {}, timers, random: () => 0 });
  scheduler.start();
  await timers.advance(10 * MINUTE);
  assert.equal(checks.started.length, 1);
  checks.finish('slow');
  await settle();
  // Overdue by then: the next check starts as soon as the previous one ended.
  assert.deepEqual(checks.started.map((s) => s.at), [0, 10 * MINUTE]);
  await scheduler.stop();
});

test('at most `concurrency` checks run at once across all repositories; the rest wait their turn', async () => {
  const timers = new FakeTimers();
  const checks = controlledChecks(timers);
  const names = ['a', 'b', 'c', 'd', 'e'];
  const scheduler = new Scheduler({ checks: names.map((n) => repo(n)), concurrency: 2 }, { check: checks.check, onResult: () => {}, timers, random: () => 0 });
  scheduler.start();
  await settle();
  assert.deepEqual(checks.started.map((s) => s.name), ['a', 'b']);
  checks.finish('b');
  await settle();
  assert.deepEqual(checks.started.map((s) => s.name), ['a', 'b', 'c']);
  for (const name of ['a', 'c', 'd', 'e']) {
    await settle();
    checks.finish(name);
  }
  await settle();
  assert.deepEqual(checks.started.map((s) => s.name), names);
  assert.equal(checks.maxInFlight, 2);
  await scheduler.stop();
});

test('update: new repositories are checked now, removed ones never again, changed ones at once after their running check', async () => {
  const timers = new FakeTimers();
  const checks = controlledChecks(timers);
  const seen: string[] = [];
  const scheduler = new Scheduler({ checks: [repo('keep'), repo('drop'), repo('change')], concurrency: 4 }, { check: checks.check, onResult: (r) => seen.push(r.name), timers, random: () => 0 });
  scheduler.start();
  await timers.advance(1000);
  checks.finish('keep');
  await timers.advance(1000);
  scheduler.update({ checks: [repo('keep'), repo('change', 10 * MINUTE, { url: '/srv/changed' }), repo('new')], concurrency: 4 });
  await settle();
  assert.deepEqual(checks.started.map((s) => s.name), ['keep', 'drop', 'change', 'new']);
  checks.finish('drop'); // its result belongs to a repository that is gone: not reported
  checks.finish('change');
  await settle();
  assert.deepEqual(checks.started.at(-1), { name: 'change', at: 2000, url: '/srv/changed' });
  assert.deepEqual(seen, ['keep', 'change']);
  await timers.advance(20 * MINUTE);
  assert.ok(!checks.started.slice(4).some((s) => s.name === 'drop'), 'a removed repository is never checked again');
  await scheduler.stop();
});

test('stop aborts the checks in flight, waits for them, and leaves no timer behind', async () => {
  const timers = new FakeTimers();
  const checks = controlledChecks(timers);
  const scheduler = new Scheduler({ checks: [repo('a'), repo('b'), repo('c')], concurrency: 2 }, { check: checks.check, onResult: () => {}, timers, random: () => 0 });
  scheduler.start();
  await settle();
  await scheduler.stop();
  assert.deepEqual(checks.aborted.sort(), ['a', 'b']);
  assert.equal(checks.inFlight, 0);
  assert.equal(timers.pending.size, 0);
  assert.equal(scheduler.running, false);
  await timers.advance(60 * MINUTE);
  assert.equal(checks.started.length, 2, 'nothing starts after stop');
});

test('many cycles keep one timer and no growing state', async () => {
  const timers = new FakeTimers();
  let count = 0;
  const scheduler = new Scheduler(
    { checks: Array.from({ length: 20 }, (_, i) => repo(`r${i}`, 1000)), concurrency: 3 },
    { check: async (r) => (count++, result(r.name)), onResult: () => {}, timers, random: Math.random },
  );
  scheduler.start();
  for (let i = 0; i < 200; i++) {
    await timers.advance(100);
    assert.ok(timers.pending.size <= 1, `${timers.pending.size} timers pending`);
  }
  assert.ok(count >= 20 * 18, `only ${count} checks in 20 s of 1 s intervals`);
  assert.equal(scheduler.view().length, 20);
  await scheduler.stop();
});

test('jitter stays within 10% of the interval and at most five minutes', () => {
  assert.equal(jitterMs(60_000, () => 0), 0);
  assert.equal(jitterMs(60_000, () => 0.999), 5994);
  assert.equal(jitterMs(24 * 3_600_000, () => 0.999), 299_700);
});

test('checks of one group stay due together, however the queue delayed them', async () => {
  const timers = new FakeTimers();
  const checks = controlledChecks(timers);
  const group = (repository: Check) => (repository.url === '/srv/shared' ? 'shared' : undefined);
  const members = ['web1', 'web2', 'web3'].map((name) => repo(name, 10 * MINUTE, { url: '/srv/shared' }));
  let draws = 0;
  const scheduler = new Scheduler(
    { checks: [...members, repo('alone')], concurrency: 1 },
    // Jitters of 0, 54 and 27 s in turn: without grouping the members would drift apart.
    { check: checks.check, onResult: () => {}, timers, random: () => [0, 0.9, 0.45][draws++ % 3]!, groupOf: group },
  );
  scheduler.start();
  // 45 simulated minutes in 5 s steps; each check takes one step, one at a time.
  for (let step = 0; step < 540; step++) {
    await timers.advance(5000);
    if (checks.inFlight > 0) checks.finish(checks.started.at(-1)!.name);
  }
  await scheduler.stop();
  const startsOf = (name: string) => checks.started.filter((start) => start.name === name).map((start) => start.at);
  const starts = ['web1', 'web2', 'web3'].map(startsOf);
  assert.ok(starts[0]!.length >= 4, `web1 started ${starts[0]!.length} times`);
  for (let cycle = 1; cycle < 4; cycle++) {
    const times = starts.map((list) => list[cycle]!);
    // Due at one moment, they start one after another: 5 s apart in the queue, no more.
    assert.ok(Math.max(...times) - Math.min(...times) <= 15_000, `cycle ${cycle}: ${times.join(', ')}`);
  }
});

/** FakeTimers that behave as Node's do with a delay above 2^31-1 ms: the callback runs after 1 ms. */
class NodeLikeTimers extends FakeTimers {
  readonly delays: number[] = [];

  override setTimeout(callback: () => void, delayMs: number): unknown {
    this.delays.push(delayMs);
    return super.setTimeout(callback, delayMs > MAX_TIMER_MS ? 1 : delayMs);
  }
}

const WEEK = 7 * 24 * 60 * MINUTE;

test('an interval longer than a timer can hold (4w) is waited out in steps, without spinning', async () => {
  const timers = new NodeLikeTimers();
  const started: number[] = [];
  const scheduler = new Scheduler(
    { checks: [repo('monthly', 4 * WEEK)], concurrency: 1 },
    {
      check: async (repository) => {
        started.push(timers.now());
        return result(repository.name);
      },
      onResult: () => {},
      timers,
      random: () => 0,
    },
  );
  scheduler.start();
  await timers.advance(1000);
  assert.deepEqual(started, [0]);
  // A spinning scheduler would have set a timer every millisecond by now.
  assert.ok(timers.delays.length <= 3, `timers set: ${timers.delays.length}`);
  await timers.advance(4 * WEEK - 1000 - 1);
  assert.deepEqual(started, [0], 'not checked before the interval is over');
  await timers.advance(1);
  assert.deepEqual(started, [0, 4 * WEEK]);
  assert.ok(timers.delays.every((delay) => delay <= MAX_TIMER_MS), `every delay fits a timer: ${timers.delays.join(', ')}`);
  assert.ok(timers.delays.length <= 6, `4 weeks take two steps of at most 24.8 days per check: ${timers.delays.length} timers`);
  await scheduler.stop();
});

test('with real Node timers, interval: 4w sets one timer and waits (no TimeoutOverflowWarning, no spin)', async () => {
  let set = 0;
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on('warning', onWarning);
  const counting = { ...realTimers, setTimeout: (callback: () => void, delayMs: number) => (set++, realTimers.setTimeout(callback, delayMs)) };
  let checks = 0;
  const scheduler = new Scheduler(
    { checks: [repo('monthly', 4 * WEEK)], concurrency: 1 },
    { check: async (repository) => (checks++, result(repository.name)), onResult: () => {}, timers: counting, random: () => 0 },
  );
  scheduler.start();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await scheduler.stop();
  process.off('warning', onWarning);
  assert.equal(checks, 1);
  assert.ok(set <= 3, `timers set in 300 ms: ${set}`);
  assert.deepEqual(warnings, []);
});

test('runNow (an integrity result came in): the named checks run now; one running runs again as soon as it ends', async () => {
  const timers = new FakeTimers();
  const checks = controlledChecks(timers);
  const scheduler = new Scheduler({ checks: [repo('a'), repo('b'), repo('c')], concurrency: 4 }, { check: checks.check, onResult: () => {}, timers, random: () => 0 });
  scheduler.start();
  await settle();
  checks.finish('a');
  checks.finish('c');
  await timers.advance(MINUTE);
  scheduler.runNow(['a', 'b', 'unknown']);
  await settle();
  assert.deepEqual(checks.started.map((s) => [s.name, s.at]), [['a', 0], ['b', 0], ['c', 0], ['a', MINUTE]], 'a now; b is still running');
  checks.finish('b');
  await settle();
  assert.deepEqual(checks.started.at(-1), { name: 'b', at: MINUTE, url: '/srv/b' }, 'b again once it ended');
  checks.finish('a');
  checks.finish('b');
  await timers.advance(9 * MINUTE);
  assert.deepEqual(checks.started.filter((s) => s.at === 10 * MINUTE).map((s) => s.name), ['c'], 'then each on its own interval again');
  await scheduler.stop();
});

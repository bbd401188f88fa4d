import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntegrityQueue, type IntegrityJob } from '../../src/integrity/queue.js';
import type { IntegrityResult } from '../../src/integrity/restic-check.js';
import { checkConfig } from '../helpers/config.js';
import { FakeTimers } from '../helpers/fake-timers.js';

const HOUR = 3_600_000;
const integrity = (intervalMs: number) => ({ intervalMs, timeoutMs: HOUR });

/** A run that the test ends by hand: each call waits until finish(repository) or its abort. */
function manualRuns(timers: FakeTimers) {
  const started: Array<{ repository: string; at: number }> = [];
  const pending = new Map<string, (result: IntegrityResult | undefined) => void>();
  let running = 0;
  let most = 0;
  const run = (job: IntegrityJob, signal: AbortSignal) =>
    new Promise<IntegrityResult | undefined>((resolve) => {
      started.push({ repository: job.repository, at: timers.now() });
      most = Math.max(most, ++running);
      const end = (result: IntegrityResult | undefined) => {
        running--;
        pending.delete(job.repository);
        resolve(result);
      };
      pending.set(job.repository, end);
      signal.addEventListener('abort', () => end(undefined), { once: true });
    });
  const finish = (repository: string, ok = true) => pending.get(repository)!({ ok, checkedAt: new Date(timers.now()), message: ok ? 'no errors found' : 'pack 1bc4c348: does not exist', durationMs: 1 });
  return { run, finish, started, most: () => most, pending };
}

test('one check at a time across the daemon, each repository again `interval` after it started; hosts share one', async () => {
  const timers = new FakeTimers();
  const runs = manualRuns(timers);
  const results: string[] = [];
  const checks = [
    checkConfig({ name: 'a', url: '/srv/a', integrity: integrity(24 * HOUR) }),
    checkConfig({ name: 'fleet/web1', url: '/srv/fleet', host: 'web1', integrity: integrity(24 * HOUR) }),
    checkConfig({ name: 'fleet/web2', url: '/srv/fleet', host: 'web2', integrity: integrity(24 * HOUR) }),
    checkConfig({ name: 'plain', url: '/srv/plain' }),
    checkConfig({ name: 'c', url: '/srv/c', integrity: integrity(2 * HOUR) }),
  ];
  const queue = new IntegrityQueue(checks, { run: runs.run, onResult: (repository, result) => results.push(`${repository}:${result.ok}`), timers });
  queue.start();
  await timers.advance(0);
  assert.deepEqual(runs.started, [{ repository: 'a', at: 0 }], 'only the first runs; the others wait their turn');
  await timers.advance(10 * 60_000);
  runs.finish('a');
  await timers.advance(0);
  assert.deepEqual(runs.started.map((s) => s.repository), ['a', 'fleet']);
  assert.ok(queue.isRunning('fleet'));
  await timers.advance(5 * 60_000);
  runs.finish('fleet', false);
  await timers.advance(0);
  runs.finish('c');
  await timers.advance(0);
  assert.deepEqual(results, ['a:true', 'fleet:false', 'c:true']);
  assert.equal(queue.result('fleet')!.ok, false);
  assert.equal(queue.result('plain'), undefined);
  assert.equal(runs.most(), 1, 'never two at once');
  // Each check ends a minute after it starts: c is due 2h after each start, a 24h after 0.
  while (timers.now() < 25 * HOUR) {
    await timers.advance(60_000);
    for (const repository of [...runs.pending.keys()]) runs.finish(repository);
  }
  const startsOf = (repository: string) => runs.started.filter((s) => s.repository === repository).map((s) => s.at / 60_000);
  assert.deepEqual(startsOf('a'), [0, 24 * 60]);
  assert.deepEqual(startsOf('fleet'), [10, 24 * 60 + 10]);
  assert.deepEqual(startsOf('c').slice(0, 4), [15, 135, 255, 375]);
  assert.equal(runs.most(), 1, 'never two at once');
  await queue.stop();
});

test('a repository due while another runs waits; stop() aborts the running one and nothing starts after', async () => {
  const timers = new FakeTimers();
  const runs = manualRuns(timers);
  const queue = new IntegrityQueue([checkConfig({ name: 'a', url: '/a', integrity: integrity(HOUR) }), checkConfig({ name: 'b', url: '/b', integrity: integrity(HOUR) })], {
    run: runs.run,
    onResult: () => undefined,
    timers,
  });
  queue.start();
  await timers.advance(3 * HOUR);
  assert.deepEqual(runs.started.map((s) => s.repository), ['a'], 'a check that never ends holds the queue (its timeout ends it)');
  await queue.stop();
  assert.equal(runs.pending.size, 0, 'the running check was aborted');
  await timers.advance(10 * HOUR);
  assert.deepEqual(runs.started.map((s) => s.repository), ['a']);
  assert.equal(queue.result('a'), undefined, 'an aborted check records nothing');
});

test('a reload: a new repository is due now, a changed one forgets its result and runs again, a removed one is stopped', async () => {
  const timers = new FakeTimers();
  const runs = manualRuns(timers);
  const a = checkConfig({ name: 'a', url: '/a', integrity: integrity(24 * HOUR) });
  const b = checkConfig({ name: 'b', url: '/b', integrity: integrity(24 * HOUR) });
  const queue = new IntegrityQueue([a, b], { run: runs.run, onResult: () => undefined, timers });
  queue.start();
  await timers.advance(0);
  runs.finish('a');
  await timers.advance(0);
  assert.ok(queue.isRunning('b'));
  // b is removed while it runs, a's url changes, d is new.
  const d = checkConfig({ name: 'd', url: '/d', integrity: integrity(24 * HOUR) });
  queue.update([{ ...a, url: '/a2' }, d]);
  await timers.advance(0);
  assert.equal(queue.result('a'), undefined, "the old url's result is gone");
  assert.deepEqual(runs.started.map((s) => s.repository), ['a', 'b', 'a']);
  runs.finish('a');
  await timers.advance(0);
  assert.deepEqual(runs.started.map((s) => s.repository), ['a', 'b', 'a', 'd']);
  runs.finish('d');
  await timers.advance(0);
  // Unchanged on the next reload: nothing runs again before its interval.
  queue.update([{ ...a, url: '/a2' }, d]);
  await timers.advance(HOUR);
  assert.equal(runs.started.length, 4);
  await queue.stop();
});

test('a reload with new credentials for the same url keeps the failed result until the new check ends', async () => {
  const timers = new FakeTimers();
  const runs = manualRuns(timers);
  const a = checkConfig({ name: 'a', url: '/a', integrity: integrity(24 * HOUR) });
  const queue = new IntegrityQueue([a], { run: runs.run, onResult: () => undefined, timers });
  queue.start();
  await timers.advance(0);
  runs.finish('a', false);
  await timers.advance(0);
  queue.update([{ ...a, extraEnv: { RESTIC_PASSWORD: 'rotated' } }]);
  await timers.advance(0);
  assert.deepEqual(runs.started.map((s) => s.repository), ['a', 'a'], 'checked again at once');
  assert.equal(queue.result('a')?.ok, false, 'still down while the new check runs');
  runs.finish('a', true);
  await timers.advance(0);
  assert.equal(queue.result('a')?.ok, true);
  await queue.stop();
});

test('an interval longer than a timer holds is waited for in steps', async () => {
  const timers = new FakeTimers();
  const runs = manualRuns(timers);
  const queue = new IntegrityQueue([checkConfig({ name: 'a', url: '/a', integrity: integrity(60 * 24 * HOUR) })], { run: runs.run, onResult: () => undefined, timers });
  queue.start();
  await timers.advance(0);
  runs.finish('a');
  await timers.advance(59 * 24 * HOUR);
  assert.equal(runs.started.length, 1);
  await timers.advance(24 * HOUR);
  assert.equal(runs.started.length, 2);
  assert.equal(runs.started[1]!.at, 60 * 24 * HOUR);
  await queue.stop();
});

test('restic could not check (no damage found, no timeout): tried again after an hour, not a whole interval', async () => {
  const timers = new FakeTimers();
  let calls = 0;
  const results: IntegrityResult[] = [
    { ok: false, checkedAt: new Date(0), message: 'wrong password or no key found', durationMs: 1, retrySoon: true },
    { ok: false, checkedAt: new Date(0), message: 'pack 1bc4c348: does not exist', durationMs: 1 },
  ];
  const queue = new IntegrityQueue([checkConfig({ name: 'a', url: '/a', integrity: integrity(7 * 24 * HOUR) })], {
    run: async () => results[Math.min(calls++, 1)],
    onResult: () => undefined,
    timers,
  });
  queue.start();
  await timers.advance(0);
  assert.equal(calls, 1);
  await timers.advance(HOUR);
  assert.equal(calls, 2, 'retried an hour later');
  // Damage found: the next check waits for the interval.
  await timers.advance(24 * HOUR);
  assert.equal(calls, 2);
  await queue.stop();
});

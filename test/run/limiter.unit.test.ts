import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Limiter } from '../../src/run/limiter.js';

test('at most `limit` run at once, the rest start in arrival order as room frees up', async () => {
  const limiter = new Limiter(2);
  const started: number[] = [];
  const finish: Array<() => void> = [];
  const jobs = [0, 1, 2, 3].map((n) =>
    limiter.run(
      () =>
        new Promise<number>((resolve) => {
          started.push(n);
          finish[n] = () => resolve(n);
        }),
    ),
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [0, 1]);
  finish[1]!();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [0, 1, 2]);
  limiter.setLimit(3);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [0, 1, 2, 3]);
  for (const n of [0, 2, 3]) finish[n]!();
  assert.deepEqual(await Promise.all(jobs), [0, 1, 2, 3]);
});

test('a failing job frees its place', async () => {
  const limiter = new Limiter(1);
  await assert.rejects(limiter.run(() => Promise.reject(new Error('boom'))), { message: 'boom' });
  assert.equal(await limiter.run(async () => 'next'), 'next');
});

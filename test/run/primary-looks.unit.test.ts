import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrimaryLooks } from '../../src/run/primary-looks.js';

const within = <T>(promise: Promise<T>, ms = 1000): Promise<T | 'still waiting'> =>
  Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms).unref())]);

test('a copy waits for the look of its primary in progress, then gets what it saw', async () => {
  const looks = new PrimaryLooks(['nas']);
  looks.begun('nas');
  const waiting = looks.of('nas');
  const latest = new Date('2026-12-01T00:00:00Z');
  looks.seen('nas', { latest });
  assert.deepEqual(await within(waiting), { name: 'nas', latest });
});

test('a reload that drops the primary while a copy waits on it releases the copy (no wait for ever, no hung stop)', async () => {
  const looks = new PrimaryLooks(['nas']);
  looks.begun('nas');
  const waiting = looks.of('nas');
  looks.retain([]);
  assert.deepEqual(await within(waiting), { name: 'nas' });
  // The look that ends afterwards is not kept: nas is no primary any more.
  looks.seen('nas', { latest: new Date() });
  assert.deepEqual(await within(looks.of('nas')), { name: 'nas' });
});

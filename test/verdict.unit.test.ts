import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide } from '../src/verdict.js';

const HOUR = 3_600_000;
const now = new Date('2026-11-22T12:00:00Z');
const at = (msAgo: number) => new Date(now.getTime() - msAgo);

test('a snapshot younger than max_age is up, with its age and the max in the message', () => {
  assert.deepEqual(decide({ latest: at(3 * HOUR + 12 * 60_000) }, 24 * HOUR, now), {
    status: 'up',
    message: 'latest snapshot 3h12m ago (max 1d)',
    ageMs: 11_520_000,
  });
});

test('a snapshot exactly max_age old is still up; one second more is stale', () => {
  assert.equal(decide({ latest: at(6 * HOUR) }, 6 * HOUR, now).status, 'up');
  const stale = decide({ latest: at(6 * HOUR + 1000) }, 6 * HOUR, now);
  assert.equal(stale.status, 'down');
  assert.equal(stale.message, 'stale: latest snapshot 6h ago (max 6h)');
});

test('stale message names the age in its two largest units', () => {
  assert.equal(decide({ latest: at(52 * HOUR + 5 * 60_000) }, 24 * HOUR, now).message, 'stale: latest snapshot 2d4h ago (max 1d)');
});

test('no snapshots is down', () => {
  assert.deepEqual(decide({ latest: null }, HOUR, now), { status: 'down', message: 'no snapshots', ageMs: null });
});

test('a failed check is down with its reason', () => {
  assert.deepEqual(decide({ failure: 'wrong password or no key found' }, HOUR, now), {
    status: 'down',
    message: 'check failed: wrong password or no key found',
    ageMs: null,
  });
});

test('a snapshot up to an hour in the future is up (clock drift), beyond that down', () => {
  assert.deepEqual(decide({ latest: at(-30 * 60_000) }, HOUR, now), { status: 'up', message: 'latest snapshot just now (max 1h)', ageMs: 0 });
  const skewed = decide({ latest: at(-2 * HOUR) }, HOUR, now);
  assert.equal(skewed.status, 'down');
  assert.equal(skewed.message, 'latest snapshot is 2h in the future: check the clocks');
  assert.equal(skewed.ageMs, -2 * HOUR);
});

test('the max in a message is the configured limit, not rounded', () => {
  assert.equal(decide({ latest: at(25 * HOUR) }, 24.5 * HOUR, now).message, 'stale: latest snapshot 1d1h ago (max 1d30m)');
});

test('integrity: a failed last check makes a fresh repository down, leading the message; a passed or pending one changes nothing', () => {
  const failed = { ok: false, checkedAt: at(2 * HOUR), message: 'pack 1bc4c348: does not exist' };
  assert.deepEqual(decide({ latest: at(HOUR), background: { integrity: failed } }, 24 * HOUR, now), {
    status: 'down',
    message: 'integrity check failed 2h ago: pack 1bc4c348: does not exist; latest snapshot 1h ago',
    ageMs: HOUR,
  });
  // Before the signals that failed too; after staleness, which says the most.
  assert.equal(
    decide({ latest: at(HOUR), facts: { latest: { files: 0, bytes: 0 } }, background: { integrity: failed } }, 24 * HOUR, now, { minFiles: 5 }).message,
    'integrity check failed 2h ago: pack 1bc4c348: does not exist and 1 more; latest snapshot 1h ago',
  );
  assert.equal(decide({ latest: at(30 * HOUR), background: { integrity: failed } }, 24 * HOUR, now).message, 'stale: latest snapshot 1d6h ago (max 1d); integrity check failed 2h ago: pack 1bc4c348: does not exist');
  assert.equal(decide({ latest: at(HOUR), background: { integrity: { ...failed, checkedAt: now } } }, 24 * HOUR, now).message, 'integrity check failed just now: pack 1bc4c348: does not exist; latest snapshot 1h ago');
  assert.deepEqual(decide({ latest: at(HOUR), background: { integrity: { ok: true, checkedAt: at(HOUR), message: 'no errors found' } } }, 24 * HOUR, now), decide({ latest: at(HOUR) }, 24 * HOUR, now));
  assert.deepEqual(decide({ latest: at(HOUR), background: { integrity: { ok: null, checkedAt: null, message: 'not checked yet' } } }, 24 * HOUR, now), decide({ latest: at(HOUR) }, 24 * HOUR, now));
});

// max_lag (mirror_of): how far a copy's newest snapshot trails its primary's, and the one
// verdict it joins. Pure: times in, results and messages out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateSignals, type PrimarySeen } from '../../src/health/signals.js';
import { decide } from '../../src/verdict.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = new Date('2026-03-10T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const limits = { maxLagMs: DAY };

test('lag = max(0, primary.latest - copy.latest): within max_lag holds, beyond it fails naming the primary', () => {
  const within = evaluateSignals(limits, { latest: ago(20 * HOUR), primary: { name: 'nas', latest: ago(HOUR) } }, now);
  assert.deepEqual(within, { results: [{ name: 'max_lag', limit: 86400, value: 19 * 3600, ok: true }], failures: [] });
  const behind = evaluateSignals(limits, { latest: ago(3 * DAY + HOUR), primary: { name: 'nas', latest: ago(HOUR) } }, now);
  assert.deepEqual(behind, { results: [{ name: 'max_lag', limit: 86400, value: 3 * 86400, ok: false }], failures: ['copy lags nas by 3d (max_lag 1d)'] });
  // fast mode: the copied file is newer than the primary's
  const ahead = evaluateSignals(limits, { latest: ago(HOUR), primary: { name: 'fleet/web1', latest: ago(2 * HOUR) } }, now);
  assert.deepEqual(ahead.results, [{ name: 'max_lag', limit: 86400, value: 0, ok: true }]);
});

test('a primary that could not be checked leaves max_lag unchecked, never down, and says why', () => {
  const cases: Array<[PrimarySeen, string]> = [
    [{ name: 'nas', failure: 'restic: wrong password' }, 'max_lag not checked: nas could not be checked'],
    [{ name: 'nas', latest: null }, 'max_lag not checked: nas has no snapshots'],
    [{ name: 'nas' }, 'max_lag not checked: nas has not been checked yet'],
  ];
  for (const [primary, why] of cases) {
    const outcome = evaluateSignals(limits, { latest: ago(HOUR), primary }, now);
    assert.deepEqual(outcome, { results: [{ name: 'max_lag', limit: 86400, value: null, ok: null }], failures: [], unchecked: why });
    const verdict = decide({ latest: ago(HOUR), primary }, DAY, now, limits);
    assert.equal(verdict.status, 'up');
    assert.equal(verdict.message, `latest snapshot 1h ago (max 1d); ${why}`);
  }
});

test('one verdict: a copy left behind is down with the lag first and its age; stale keeps stale first', () => {
  const primary = { name: 'nas', latest: ago(2 * HOUR) };
  const behind = decide({ latest: ago(3 * DAY + 2 * HOUR), primary }, 7 * DAY, now, limits);
  assert.equal(behind.status, 'down');
  assert.equal(behind.message, 'copy lags nas by 3d (max_lag 1d); latest snapshot 3d2h ago');
  assert.deepEqual(behind.signals, [{ name: 'max_lag', limit: 86400, value: 3 * 86400, ok: false }]);
  const stale = decide({ latest: ago(3 * DAY + 2 * HOUR), primary }, DAY, now, limits);
  assert.equal(stale.message, 'stale: latest snapshot 3d2h ago (max 1d); copy lags nas by 3d (max_lag 1d)');
  const caughtUp = decide({ latest: ago(2 * HOUR), primary }, DAY, now, limits);
  assert.deepEqual([caughtUp.status, caughtUp.message], ['up', 'latest snapshot 2h ago (max 1d)']);
  // The copy's own check failed: its failure is the message, the signal unchecked.
  const failed = decide({ failure: 'timed out after 10m' }, DAY, now, limits);
  assert.deepEqual([failed.status, failed.message, failed.signals], ['down', 'check failed: timed out after 10m', [{ name: 'max_lag', limit: 86400, value: null, ok: null }]]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMetrics } from '../../src/metrics/render.js';
import { talliesOf } from '../../src/metrics/tally.js';
import type { CheckResult } from '../../src/run/result.js';
import { parsePrometheus, sampleValue } from '../helpers/prometheus.js';
import { promtool } from '../helpers/promtool.js';

const copy: CheckResult = {
  name: 'offsite',
  repository: 'offsite',
  status: 'down',
  mode: 'fast',
  latest: new Date('2026-11-19T10:00:00.000Z'),
  latestBasis: 'file_time',
  ageMs: 3 * 86_400_000,
  maxAgeMs: 7 * 86_400_000,
  message: 'copy lags nas by 3d (max_lag 1d); latest snapshot 3d ago',
  error: null,
  durationMs: 12,
  checkedAt: new Date('2026-11-22T11:59:59.000Z'),
  pushes: [],
  signals: [{ name: 'max_lag', limit: 86400, value: 259200, ok: false }],
  primary: 'nas',
  mirrorLagMs: 259_200_250,
};
// The primary could not be checked: no lag, no series.
const { mirrorLagMs: _lag, ...lagless } = copy;
const unknown: CheckResult = { ...lagless, name: 'cold', repository: 'cold', status: 'up', signals: [{ name: 'max_lag', limit: 86400, value: null, ok: null }], primary: 'offsite' };

test('mirror_lag_seconds: one series per copy whose lag was known, labelled with its primary; promtool check metrics stays clean', async () => {
  const text = renderMetrics(talliesOf([copy, unknown]), new Date('2026-11-22T12:00:00Z'));
  const families = parsePrometheus(text);
  const labels = { check: 'offsite', repository: 'offsite', mode: 'fast', primary: 'nas' };
  assert.equal(sampleValue(families, 'restic_monitor_mirror_lag_seconds', labels), 259200.25);
  assert.equal(sampleValue(families, 'restic_monitor_signal_ok', { check: 'offsite', repository: 'offsite', mode: 'fast', signal: 'max_lag' }), 0);
  assert.throws(() => sampleValue(families, 'restic_monitor_mirror_lag_seconds', { check: 'cold', repository: 'cold', mode: 'fast', primary: 'offsite' }), /0 samples/);
  assert.deepEqual(await promtool(['check', 'metrics'], text), { code: 0, output: '' });
});

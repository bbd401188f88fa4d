import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMetrics } from '../../src/metrics/render.js';
import { talliesOf } from '../../src/metrics/tally.js';
import type { CheckResult } from '../../src/run/result.js';
import { parsePrometheus, sampleValue } from '../helpers/prometheus.js';
import { promtool } from '../helpers/promtool.js';

const base: CheckResult = {
  name: 'nas',
  repository: 'nas',
  status: 'down',
  mode: 'restic',
  reader: 'builtin',
  latest: new Date('2026-11-22T10:00:00.000Z'),
  latestBasis: 'backup_end',
  ageMs: 7_200_000,
  maxAgeMs: 86_400_000,
  message: 'shrank from 500 files to 0 (max_shrink 50%); latest snapshot 2h ago',
  error: null,
  durationMs: 12,
  checkedAt: new Date('2026-11-22T11:59:59.000Z'),
  pushes: [],
  signals: [
    { name: 'max_shrink', limit: 50, value: 100, ok: false },
    { name: 'min_snapshots', limit: 3, value: 4, ok: true },
    { name: 'min_size', limit: 1024, value: null, ok: null },
    { name: 'max_lock_age', limit: 7200, value: 10800, ok: false },
    { name: 'restore_drill', limit: 86400, value: 259200, ok: false },
  ],
  oldestLockAgeMs: 10_800_500,
  drilledAt: new Date('2026-11-22T11:00:00.000Z'),
  drillAgeMs: 259_200_250,
  latestFiles: 0,
  latestBytes: 0,
  snapshotCount: 4,
};
// No signal configured: files and bytes still show, the count does not (a --latest listing).
const { signals: _signals, snapshotCount: _count, oldestLockAgeMs: _lock, drilledAt: _drilled, drillAgeMs: _drillAge, ...unsignalled } = base;
const plain: CheckResult = { ...unsignalled, name: 'web', repository: 'web', status: 'up', message: 'latest snapshot 2h ago (max 1d)', latestFiles: 1200, latestBytes: 5_000_000 };

test('snapshot count, files, bytes and one signal_ok series per judged signal; promtool check metrics stays clean', async () => {
  const text = renderMetrics(talliesOf([base, plain]), new Date('2026-11-22T12:00:00Z'));
  const families = parsePrometheus(text);
  const nas = { check: 'nas', repository: 'nas', mode: 'restic', reader: 'builtin' };
  const web = { check: 'web', repository: 'web', mode: 'restic', reader: 'builtin' };
  assert.equal(sampleValue(families, 'restic_monitor_snapshots', nas), 4);
  assert.equal(sampleValue(families, 'restic_monitor_latest_snapshot_files', nas), 0);
  assert.equal(sampleValue(families, 'restic_monitor_latest_snapshot_bytes', web), 5_000_000);
  assert.equal(sampleValue(families, 'restic_monitor_signal_ok', { ...nas, signal: 'max_shrink' }), 0);
  assert.equal(sampleValue(families, 'restic_monitor_signal_ok', { ...nas, signal: 'min_snapshots' }), 1);
  assert.equal(sampleValue(families, 'restic_monitor_signal_ok', { ...nas, signal: 'max_lock_age' }), 0);
  assert.equal(sampleValue(families, 'restic_monitor_oldest_lock_age_seconds', nas), 10800.5);
  // restore_drill: the canary's age as the drill read it, and its signal.
  assert.equal(sampleValue(families, 'restic_monitor_restore_drill_age_seconds', nas), 259200.25);
  assert.equal(sampleValue(families, 'restic_monitor_signal_ok', { ...nas, signal: 'restore_drill' }), 0);
  assert.throws(() => sampleValue(families, 'restic_monitor_restore_drill_age_seconds', web), /0 samples/);
  // Locks not listed (no max_lock_age): no series.
  assert.throws(() => sampleValue(families, 'restic_monitor_oldest_lock_age_seconds', web), /0 samples/);
  // Not judged (no summary): no series rather than a made-up value; no count without min_snapshots.
  assert.throws(() => sampleValue(families, 'restic_monitor_signal_ok', { ...nas, signal: 'min_size' }), /0 samples/);
  assert.throws(() => sampleValue(families, 'restic_monitor_snapshots', web), /0 samples/);
  assert.deepEqual(await promtool(['check', 'metrics'], text), { code: 0, output: '' });
});

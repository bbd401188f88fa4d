import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ageSeconds, resultJson, resultsJsonText } from '../../src/run/result-json.js';
import type { CheckResult } from '../../src/run/result.js';

const typed: CheckResult = {
  name: 'fleet/web1',
  repository: 'fleet',
  status: 'down',
  mode: 'restic',
  reader: 'builtin',
  latest: new Date('2026-11-22T10:00:00.000Z'),
  latestBasis: 'backup_end',
  ageMs: 7_200_999,
  maxAgeMs: 3_600_400,
  message: 'stale: latest snapshot 2h ago (max 1h)',
  error: null,
  durationMs: 612.4,
  checkedAt: new Date('2026-11-22T11:59:59.000Z'),
  pushes: [
    { target: 'uptime-kuma', delivered: true },
    { target: 'healthchecks', delivered: false, error: 'healthchecks: HTTP 500' },
  ],
};

test('status --json and /status: snake_case, ISO times, whole seconds, in this order; the repository key is not shown', () => {
  assert.equal(
    resultsJsonText([typed]),
    `[
  {
    "name": "fleet/web1",
    "status": "down",
    "mode": "restic",
    "reader": "builtin",
    "latest": "2026-11-22T10:00:00.000Z",
    "latest_basis": "backup_end",
    "age_seconds": 7200,
    "max_age_seconds": 3600,
    "message": "stale: latest snapshot 2h ago (max 1h)",
    "error": null,
    "duration_ms": 612,
    "checked_at": "2026-11-22T11:59:59.000Z",
    "pushes": [
      {
        "target": "uptime-kuma",
        "delivered": true
      },
      {
        "target": "healthchecks",
        "delivered": false,
        "error": "healthchecks: HTTP 500"
      }
    ]
  }
]
`,
  );
});

test('a failed check: no reader key when none answered, nulls for what is unknown', () => {
  const { reader: _, ...rest } = typed;
  const failed: CheckResult = { ...rest, mode: 'fast', latest: null, latestBasis: null, ageMs: null, error: 'connection refused', message: 'check failed: connection refused', pushes: [] };
  assert.deepEqual(Object.keys(resultJson(failed)), ['name', 'status', 'mode', 'latest', 'latest_basis', 'age_seconds', 'max_age_seconds', 'message', 'error', 'duration_ms', 'checked_at', 'pushes']);
  assert.deepEqual(resultJson(failed), {
    name: 'fleet/web1',
    status: 'down',
    mode: 'fast',
    latest: null,
    latest_basis: null,
    age_seconds: null,
    max_age_seconds: 3600,
    message: 'check failed: connection refused',
    error: 'connection refused',
    duration_ms: 612,
    checked_at: '2026-11-22T11:59:59.000Z',
    pushes: [],
  });
  assert.equal(resultsJsonText([]), '[]\n');
});

test('ages: floored while the snapshot is behind the clock, rounded when it is ahead (beyond the tolerance)', () => {
  assert.equal(ageSeconds(null), null);
  assert.equal(ageSeconds(0), 0);
  assert.equal(ageSeconds(59_999), 59);
  assert.equal(ageSeconds(-7_200_400), -7200);
  assert.equal(ageSeconds(-7_200_600), -7201);
});

test('integrity (daemon): {ok, checked_at, message} after every other field; null before the first check ends', () => {
  const failed = resultJson({ ...typed, integrity: { ok: false, checkedAt: new Date('2026-11-22T09:00:00.000Z'), message: 'pack 1bc4c348: does not exist' } });
  assert.deepEqual(Object.keys(failed).at(-1), 'integrity');
  assert.deepEqual(failed.integrity, { ok: false, checked_at: '2026-11-22T09:00:00.000Z', message: 'pack 1bc4c348: does not exist' });
  assert.deepEqual(resultJson({ ...typed, integrity: { ok: null, checkedAt: null, message: 'not checked yet' } }).integrity, { ok: null, checked_at: null, message: 'not checked yet' });
  assert.equal('integrity' in resultJson(typed), false, 'absent without integrity: (and in one-shot runs)');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { snapshotFacts, type SnapshotFacts } from '../../src/checkers/snapshot-facts.js';
import type { SnapshotSummary } from '../../src/checkers/restic/restic-output.js';
import type { SignalLimits } from '../../src/config/types.js';
import { evaluateSignals } from '../../src/health/signals.js';
import { listOptionsFor, resticArgs } from '../../src/checkers/restic/restic.js';
import { checkConfig } from '../helpers/config.js';
import { decide } from '../../src/verdict.js';

const MiB = 2 ** 20;
const size = (files: number, bytes: number) => ({ files, bytes });

// limits, facts -> [name, limit, value, ok] per signal, the failures, what could not be checked.
const CASES: Array<{ name: string; limits: SignalLimits; facts: SnapshotFacts | undefined; results: Array<[string, number, number | null, boolean | null]>; failures: string[]; unchecked?: string }> = [
  { name: 'enough files', limits: { minFiles: 100 }, facts: { latest: size(100, 5) }, results: [['min_files', 100, 100, true]], failures: [] },
  { name: 'too few files', limits: { minFiles: 100 }, facts: { latest: size(1, 5) }, results: [['min_files', 100, 1, false]], failures: ['1 file (min_files 100)'] },
  { name: 'too small', limits: { minBytes: 10 * MiB }, facts: { latest: size(3, 1536) }, results: [['min_size', 10 * MiB, 1536, false]], failures: ['1.5 KiB (min_size 10 MiB)'] },
  { name: 'big enough', limits: { minBytes: 10 * MiB }, facts: { latest: size(3, 10 * MiB) }, results: [['min_size', 10 * MiB, 10 * MiB, true]], failures: [] },
  {
    name: 'a lost mount: files shrink most (a tie goes to files)',
    limits: { maxShrink: 0.5 },
    facts: { latest: size(0, 0), previous: size(500, 2 * MiB) },
    results: [['max_shrink', 50, 100, false]],
    failures: ['shrank from 500 files to 0 (max_shrink 50%)'],
  },
  {
    name: 'a deleted big file: bytes shrink most',
    limits: { maxShrink: 0.5 },
    facts: { latest: size(499, MiB), previous: size(500, 4 * MiB) },
    results: [['max_shrink', 50, 75, false]],
    failures: ['shrank from 4 MiB to 1 MiB (max_shrink 50%)'],
  },
  { name: 'shrinking within the limit', limits: { maxShrink: 0.5 }, facts: { latest: size(300, MiB), previous: size(500, MiB) }, results: [['max_shrink', 50, 40, true]], failures: [] },
  { name: 'growing', limits: { maxShrink: 0 }, facts: { latest: size(600, 2 * MiB), previous: size(500, MiB) }, results: [['max_shrink', 0, 0, true]], failures: [] },
  { name: 'a first backup has nothing to shrink from', limits: { maxShrink: 0.5 }, facts: { latest: size(5, 5) }, results: [['max_shrink', 50, null, true]], failures: [] },
  {
    name: 'a previous snapshot without summary',
    limits: { maxShrink: 0.5 },
    facts: { latest: size(5, 5), previous: null },
    results: [['max_shrink', 50, null, null]],
    failures: [],
    unchecked: 'max_shrink not checked: the previous snapshot has no summary (restic before 0.17)',
  },
  {
    name: 'no summary (restic 0.14): not down, says so',
    limits: { minFiles: 1, minBytes: MiB, maxShrink: 0.5 },
    facts: { latest: null, previous: null },
    results: [
      ['min_files', 1, null, null],
      ['min_size', MiB, null, null],
      ['max_shrink', 50, null, null],
    ],
    failures: [],
    unchecked: 'size not checked: the latest snapshot has no summary (restic before 0.17)',
  },
  { name: 'prune wiped history', limits: { minSnapshots: 5 }, facts: { latest: null, count: 1 }, results: [['min_snapshots', 5, 1, false]], failures: ['1 snapshot (min_snapshots 5)'] },
  { name: 'enough snapshots', limits: { minSnapshots: 5 }, facts: { latest: null, count: 7 }, results: [['min_snapshots', 5, 7, true]], failures: [] },
  {
    name: 'a failed check: nothing judged, nothing said',
    limits: { minFiles: 1, minSnapshots: 2 },
    facts: undefined,
    results: [
      ['min_files', 1, null, null],
      ['min_snapshots', 2, null, null],
    ],
    failures: [],
  },
];

for (const c of CASES) {
  test(`signals: ${c.name}`, () => {
    const outcome = evaluateSignals(c.limits, c.facts && { latest: null, facts: c.facts }, now);
    assert.deepEqual(
      outcome.results.map((r) => [r.name, r.limit, r.value, r.ok]),
      c.results,
    );
    assert.deepEqual(outcome.failures, c.failures);
    assert.equal(outcome.unchecked, c.unchecked);
  });
}

const now = new Date('2026-11-22T12:00:00Z');
const twoHoursAgo = new Date(now.getTime() - 2 * 3_600_000);
const DAY = 86_400_000;

// One verdict: [limits, outcome] -> [status, message].
const VERDICTS: Array<{ name: string; limits?: SignalLimits; latest: Date | null; facts?: SnapshotFacts; status: string; message: string }> = [
  { name: 'no signal: freshness alone, as before', latest: twoHoursAgo, facts: { latest: size(0, 0), previous: size(500, 9) }, status: 'up', message: 'latest snapshot 2h ago (max 1d)' },
  { name: 'fresh and every signal holds', limits: { minFiles: 1 }, latest: twoHoursAgo, facts: { latest: size(5, 5) }, status: 'up', message: 'latest snapshot 2h ago (max 1d)' },
  {
    name: 'fresh, but a signal fails: it leads, the age follows',
    limits: { maxShrink: 0.5 },
    latest: twoHoursAgo,
    facts: { latest: size(0, 0), previous: size(500, 9) },
    status: 'down',
    message: 'shrank from 500 files to 0 (max_shrink 50%); latest snapshot 2h ago',
  },
  {
    name: 'two signals fail: the first, and how many more',
    limits: { minFiles: 10, maxShrink: 0.5, minSnapshots: 5 },
    latest: twoHoursAgo,
    facts: { latest: size(0, 0), previous: size(500, 9), count: 2 },
    status: 'down',
    message: '0 files (min_files 10) and 2 more; latest snapshot 2h ago',
  },
  {
    name: 'stale and a signal fails: stale first',
    limits: { minSnapshots: 5 },
    latest: new Date(now.getTime() - 3 * DAY),
    facts: { latest: null, count: 2 },
    status: 'down',
    message: 'stale: latest snapshot 3d ago (max 1d); 2 snapshots (min_snapshots 5)',
  },
  {
    name: 'no summary: up, and the message says size was not checked',
    limits: { minBytes: MiB },
    latest: twoHoursAgo,
    facts: { latest: null },
    status: 'up',
    message: 'latest snapshot 2h ago (max 1d); size not checked: the latest snapshot has no summary (restic before 0.17)',
  },
  { name: 'no snapshots at all', limits: { minSnapshots: 1 }, latest: null, facts: { latest: null, count: 0 }, status: 'down', message: 'no snapshots' },
];

for (const c of VERDICTS) {
  test(`verdict: ${c.name}`, () => {
    const verdict = decide({ latest: c.latest, ...(c.facts && { facts: c.facts }) }, DAY, now, c.limits);
    assert.equal(verdict.status, c.status);
    assert.equal(verdict.message, c.message);
    assert.equal(verdict.signals === undefined, c.limits === undefined);
  });
}

test('verdict: a failed check reports the failure, and every signal as not judged', () => {
  const verdict = decide({ failure: 'wrong password or no key found' }, DAY, now, { minFiles: 3 });
  assert.equal(verdict.message, 'check failed: wrong password or no key found');
  assert.deepEqual(verdict.signals, [{ name: 'min_files', limit: 3, value: null, ok: null }]);
});

const snap = (hour: number, host: string, paths: string[], files?: number): SnapshotSummary => ({
  time: new Date(Date.UTC(2026, 0, 1, hour)),
  hostname: host,
  tags: [],
  paths,
  ...(files !== undefined && { files, bytes: files * 10 }),
});

test('facts: the newest, its predecessor of the same host and paths, and the count only when complete', () => {
  const list = [snap(1, 'a', ['/x'], 500), snap(2, 'b', ['/x'], 7), snap(3, 'a', ['/y'], 9), snap(4, 'a', ['/x'], 0), snap(0, 'a', ['/x'], 1)];
  assert.deepEqual(snapshotFacts(list, true), { latest: size(0, 0), previous: size(500, 5000), count: 5 });
  assert.deepEqual(snapshotFacts(list, false), { latest: size(0, 0), previous: size(500, 5000) });
  assert.deepEqual(snapshotFacts([snap(4, 'a', ['/x'], 3)], false), { latest: size(3, 30) });
  assert.deepEqual(snapshotFacts([snap(4, 'a', ['/x']), snap(3, 'a', ['/x'])], false), { latest: null, previous: null });
  assert.deepEqual(snapshotFacts([], true), { latest: null, count: 0 });
});

test('the restic listing grows only as far as the signals need it, and not at all without them', () => {
  const plain = checkConfig({ url: '/r' });
  const shrink = checkConfig({ url: '/r', signals: { maxShrink: 0.5 } });
  const count = checkConfig({ url: '/r', signals: { minSnapshots: 3, maxShrink: 0.5 } });
  const sized = checkConfig({ url: '/r', signals: { minFiles: 1, minBytes: 5 } });
  const tagged = checkConfig({ url: '/r', tags: ['daily'] });
  const args = (checks: ReturnType<typeof checkConfig>[], shared = false) => resticArgs(plain, listOptionsFor(checks, shared)).join(' ');
  assert.equal(args([plain]), 'snapshots --json --no-lock --group-by host,paths --latest 1');
  assert.equal(args([sized]), 'snapshots --json --no-lock --group-by host,paths --latest 1');
  assert.equal(args([plain, shrink], true), 'snapshots --json --no-lock --group-by host,paths --latest 2');
  assert.equal(args([shrink, count], true), 'snapshots --json --no-lock');
  // A tag filter needs every snapshot only when the listing is shared (restic filters first).
  assert.equal(args([tagged]), 'snapshots --json --no-lock --group-by host,paths --latest 1');
  assert.equal(args([tagged, plain], true), 'snapshots --json --no-lock');
});

test('max_lock_age: the oldest lock against the limit; host and PID when known, the file time alone in fast mode', () => {
  const HOUR = 3_600_000;
  const at = new Date('2026-11-22T12:00:00Z');
  const ago = (ms: number) => new Date(at.getTime() - ms);
  const limits = { maxLockAgeMs: 2 * HOUR };
  const stale = evaluateSignals(limits, { latest: null, oldestLock: { time: ago(3 * HOUR + 5000), hostname: 'web1', pid: 4121, exclusive: false } }, at);
  assert.deepEqual(stale.results, [{ name: 'max_lock_age', limit: 7200, value: 10805, ok: false }]);
  assert.deepEqual(stale.failures, ['stale lock from web1 (pid 4121) for 3h (max_lock_age 2h)']);
  const fast = evaluateSignals({ maxLockAgeMs: 90 * 60_000 }, { latest: null, oldestLock: { time: ago(26 * HOUR) } }, at);
  assert.deepEqual(fast.failures, ['stale lock for 1d2h (max_lock_age 1h30m)']);
  const fresh = evaluateSignals(limits, { latest: null, oldestLock: { time: ago(5 * 60_000) } }, at);
  assert.deepEqual(fresh, { results: [{ name: 'max_lock_age', limit: 7200, value: 300, ok: true }], failures: [] });
  assert.deepEqual(evaluateSignals(limits, { latest: null, oldestLock: null }, at), { results: [{ name: 'max_lock_age', limit: 7200, value: null, ok: true }], failures: [] });
  // Not listed (a check that could not): not judged, and said in an up message.
  assert.deepEqual(evaluateSignals(limits, { latest: null }, at), {
    results: [{ name: 'max_lock_age', limit: 7200, value: null, ok: null }],
    failures: [],
    unchecked: 'max_lock_age not checked: the locks were not listed',
  });

  const verdict = decide({ latest: ago(2 * HOUR), oldestLock: { time: ago(3 * HOUR), hostname: 'web1', pid: 4121 } }, DAY, at, limits);
  assert.equal(verdict.status, 'down');
  assert.equal(verdict.message, 'stale lock from web1 (pid 4121) for 3h (max_lock_age 2h); latest snapshot 2h ago');
  const both = decide({ latest: ago(3 * DAY), oldestLock: { time: ago(3 * HOUR) } }, DAY, at, limits);
  assert.equal(both.message, 'stale: latest snapshot 3d ago (max 1d); stale lock for 3h (max_lock_age 2h)');
  assert.deepEqual(listOptionsFor([checkConfig({ url: '/r', signals: limits })]), { locks: true });
  assert.deepEqual(listOptionsFor([checkConfig({ url: '/r', signals: { ...limits, minSnapshots: 2 } })]), { everySnapshot: true, locks: true });
});

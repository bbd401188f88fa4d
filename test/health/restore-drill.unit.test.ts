// restore_drill's pure parts: the canary's content, the judgement, the verdict, and what the
// daemon keeps between drills (runCheck with a stand-in checker and drill).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Checker } from '../../src/checkers/checker.js';
import type { Check } from '../../src/config/types.js';
import { readCanary } from '../../src/health/canary.js';
import { judgeDrill, type DrillRun } from '../../src/health/restore-drill.js';
import { createLogger } from '../../src/log.js';
import { Redactor } from '../../src/redact.js';
import { DrillKeeper } from '../../src/run/drills.js';
import { runCheck, type RunDeps } from '../../src/run/run-once.js';
import { resultJson } from '../../src/run/result-json.js';
import { decide } from '../../src/verdict.js';
import { checkConfig } from '../helpers/config.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const drill = { path: '/var/lib/backup-canary', intervalMs: DAY, maxAgeMs: DAY };

test('the canary: date -Is, date -Ins, a Z or +hhmm zone, Unix seconds; trimmed', () => {
  const at = (text: string) => {
    const reading = readCanary(text);
    assert.ok('writtenAt' in reading, `${text}: ${JSON.stringify(reading)}`);
    return reading.writtenAt.toISOString();
  };
  assert.equal(at('2026-12-02T02:51:31+00:00\n'), '2026-12-02T02:51:31.000Z');
  assert.equal(at('  2026-12-02T03:51:31+01:00  '), '2026-12-02T02:51:31.000Z');
  assert.equal(at('2026-12-01T21:51:31-05:00'), '2026-12-02T02:51:31.000Z');
  assert.equal(at('2026-12-02T02:51:31,123456789+00:00'), '2026-12-02T02:51:31.123Z');
  assert.equal(at('2026-12-02T02:51:31.5Z'), '2026-12-02T02:51:31.500Z');
  assert.equal(at('2026-12-02T03:51:31+0100'), '2026-12-02T02:51:31.000Z');
  assert.equal(at('1796179891\n'), '2026-12-02T02:51:31.000Z');
  assert.equal(at('1796179891.25'), '2026-12-02T02:51:31.250Z');
});

test('a canary without a timestamp names what it found, on one line, cut short, redacted before the cut', () => {
  assert.deepEqual(readCanary(''), { error: 'canary is empty (expected the output of date -Is or Unix seconds)' });
  assert.deepEqual(readCanary(' \n'), { error: 'canary is empty (expected the output of date -Is or Unix seconds)' });
  assert.deepEqual(readCanary('hello world\n'), { error: 'canary holds no timestamp: "hello world" (expected the output of date -Is or Unix seconds)' });
  // No zone: which clock wrote it cannot be told.
  assert.deepEqual(readCanary('2026-12-02T02:51:31'), { error: 'canary holds no timestamp: "2026-12-02T02:51:31" (expected the output of date -Is or Unix seconds)' });
  assert.deepEqual(readCanary('Wed Dec  2 02:51:31 UTC 2026\nsecond line'), {
    error: 'canary holds no timestamp: "Wed Dec 2 02:51:31 UTC 2026 second line" (expected the output of date -Is or Unix seconds)',
  });
  assert.deepEqual(readCanary('x'.repeat(100)), { error: `canary holds no timestamp: "${'x'.repeat(37)}..." (expected the output of date -Is or Unix seconds)` });
  assert.deepEqual(readCanary('\u0000\u0000ustar\u0000'), { error: 'canary holds binary data, not a timestamp (a directory? restic dump writes one as a tar stream)' });
  // A secret that straddles the cut is masked whole before the cut.
  const secret = 'S3CR3T-token-value-0123456789';
  const redactor = new Redactor([secret]);
  const reading = readCanary(`password=${'y'.repeat(20)}${secret}`, (text) => redactor.redact(text));
  assert.ok('error' in reading);
  assert.equal(reading.error.includes('S3CR3T'), false, reading.error);
  assert.equal(reading.error, `canary holds no timestamp: "password=${'y'.repeat(20)}***" (expected the output of date -Is or Unix seconds)`);
});

test('judging a drill: the age as the drill read it against max_age; failures in the message form', () => {
  const at = new Date('2026-12-02T12:00:00Z');
  const run = (agoMs: number): DrillRun => ({ at, writtenAt: new Date(at.getTime() - agoMs) });
  assert.deepEqual(judgeDrill(drill, run(2 * HOUR)), { value: 7200, ok: true });
  assert.deepEqual(judgeDrill(drill, run(DAY)), { value: 86400, ok: true });
  assert.deepEqual(judgeDrill(drill, run(3 * DAY + 5 * 60_000)), { value: 259500, ok: false, failure: 'restore drill: canary is 3d old (max_age 1d)' });
  assert.deepEqual(judgeDrill({ ...drill, maxAgeMs: 36 * HOUR }, run(2 * DAY + 3 * HOUR)), { value: 183600, ok: false, failure: 'restore drill: canary is 2d3h old (max_age 1d12h)' });
  // Clocks a little apart: counted as 0; far apart: said so.
  assert.deepEqual(judgeDrill(drill, run(-30_000)), { value: 0, ok: true });
  assert.deepEqual(judgeDrill(drill, run(-2 * HOUR)), { value: -7200, ok: false, failure: 'restore drill: canary is 2h in the future: check the clocks' });
  assert.deepEqual(judgeDrill(drill, { at, failure: '/var/lib/backup-canary not in the latest snapshot' }), {
    value: null,
    ok: false,
    failure: 'restore drill: /var/lib/backup-canary not in the latest snapshot',
  });
});

test('one verdict: a failed drill leads the message and keeps the age; a stale check keeps "stale:"; no drill is no judgement', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  const latest = new Date(now.getTime() - 2 * HOUR);
  const old: DrillRun = { at: now, writtenAt: new Date(now.getTime() - 3 * DAY) };
  assert.deepEqual(decide({ latest, drill: old }, DAY, now, { restoreDrill: drill }), {
    status: 'down',
    message: 'restore drill: canary is 3d old (max_age 1d); latest snapshot 2h ago',
    ageMs: 2 * HOUR,
    signals: [{ name: 'restore_drill', limit: 86400, value: 259200, ok: false }],
  });
  const missing: DrillRun = { at: now, failure: '/var/lib/backup-canary not in the latest snapshot' };
  assert.equal(decide({ latest, drill: missing }, HOUR, now, { restoreDrill: drill }).message, 'stale: latest snapshot 2h ago (max 1h); restore drill: /var/lib/backup-canary not in the latest snapshot');
  const fresh: DrillRun = { at: now, writtenAt: new Date(now.getTime() - 2 * HOUR - 60_000) };
  assert.deepEqual(decide({ latest, drill: fresh }, DAY, now, { restoreDrill: drill, minSnapshots: 1 }), {
    status: 'up',
    message: 'latest snapshot 2h ago (max 1d)',
    ageMs: 2 * HOUR,
    signals: [
      { name: 'min_snapshots', limit: 1, value: null, ok: null },
      { name: 'restore_drill', limit: 86400, value: 7260, ok: true },
    ],
  });
  assert.deepEqual(decide({ failure: 'wrong password or no key found' }, DAY, now, { restoreDrill: drill }).signals, [{ name: 'restore_drill', limit: 86400, value: null, ok: null }]);
});

/** runCheck with a checker that finds a snapshot an hour old and a drill that counts its runs. */
function harness(options: { drills?: DrillKeeper; drill?: (at: Date) => DrillRun } = {}) {
  let clock = Date.parse('2026-12-02T12:00:00Z');
  const runs: Date[] = [];
  const checker: Checker = { mode: 'restic', kind: 'restic', supports: () => true, check: async () => ({ latest: new Date(clock - HOUR) }) };
  const redactor = new Redactor([]);
  const deps: RunDeps = {
    checkers: [checker],
    pushTargets: [],
    now: () => new Date(clock),
    env: {},
    logger: createLogger(redactor, 'silent'),
    redactor,
    ...(options.drills && { drills: options.drills }),
    drill: async (_check, _context, drillOptions) => {
      const at = drillOptions!.now!();
      runs.push(at);
      return options.drill?.(at) ?? { at, writtenAt: new Date(at.getTime() - 2 * HOUR) };
    },
  };
  const check = (overrides: Partial<Check> = {}) => runCheck(checkConfig({ url: '/srv/web', name: 'web', signals: { restoreDrill: { ...drill, intervalMs: 6 * HOUR } }, ...overrides }), deps, { push: false, signal: new AbortController().signal });
  return { runs, check, advance: (ms: number) => (clock += ms) };
}

test('a one-shot run drills every check; the result carries drilled_at and the canary\'s age', async () => {
  const { runs, check } = harness();
  const first = await check();
  await check();
  assert.equal(runs.length, 2);
  assert.equal(first.status, 'up', first.message);
  assert.equal(resultJson(first).drilled_at, '2026-12-02T12:00:00.000Z');
  assert.equal(first.drillAgeMs, 2 * HOUR);
  // A check without a drill runs none.
  const plain = await check({ signals: { minFiles: 0 } });
  assert.equal(runs.length, 2);
  assert.equal(resultJson(plain).drilled_at, undefined);
});

test('the daemon keeps a passing drill for its interval and judges by it; a failed one is drilled again at the next check', async () => {
  let failing = false;
  const { runs, check, advance } = harness({ drills: new DrillKeeper(), drill: (at) => (failing ? { at, failure: 'timed out after 10m' } : { at, writtenAt: new Date(at.getTime() - 2 * HOUR) }) });
  await check();
  advance(5 * HOUR);
  const kept = await check();
  assert.equal(runs.length, 1, 'within the interval: the kept drill');
  assert.equal(resultJson(kept).drilled_at, '2026-12-02T12:00:00.000Z');
  assert.deepEqual(kept.signals, [{ name: 'restore_drill', limit: 86400, value: 7200, ok: true }]);
  advance(HOUR);
  failing = true;
  const failed = await check();
  assert.equal(runs.length, 2, 'the interval is over: drilled again');
  assert.equal(failed.status, 'down');
  assert.equal(failed.message, 'restore drill: timed out after 10m; latest snapshot 1h ago');
  assert.equal(resultJson(failed).drilled_at, '2026-12-02T18:00:00.000Z');
  assert.equal(failed.drillAgeMs, undefined);
  advance(60_000);
  failing = false;
  const repaired = await check();
  assert.equal(runs.length, 3, 'a failed drill does not stand');
  assert.equal(repaired.status, 'up');
  // Another path is another drill.
  await check({ signals: { restoreDrill: { ...drill, path: '/srv/other', intervalMs: 6 * HOUR } } });
  assert.equal(runs.length, 4);
});

test('the keeper forgets checks that are gone', () => {
  const keeper = new DrillKeeper();
  const web = checkConfig({ url: '/srv/web', name: 'web', signals: { restoreDrill: drill } });
  const at = new Date('2026-12-02T12:00:00Z');
  keeper.keep(web, { at, writtenAt: at });
  assert.ok(keeper.current(web, at));
  keeper.retain([checkConfig({ url: '/srv/db', name: 'db' })]);
  assert.equal(keeper.current(web, at), undefined);
});

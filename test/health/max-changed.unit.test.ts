// max_changed, the ransomware alarm: its rule on restic's summary counts, the verdict's
// message, its key's values and messages, and what it asks of the listing. Pure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SnapshotChanges } from '../../src/checkers/restic/restic-output.js';
import { listOptionsFor, resticArgs } from '../../src/checkers/restic/restic.js';
import { describePlan, planCheck } from '../../src/checkers/plan.js';
import { formatValidation } from '../../src/cli/format.js';
import { parseConfig } from '../../src/config/parse.js';
import { evaluateSignals } from '../../src/health/signals.js';
import { renderMetrics } from '../../src/metrics/render.js';
import { talliesOf } from '../../src/metrics/tally.js';
import { Redactor } from '../../src/redact.js';
import type { CheckResult } from '../../src/run/result.js';
import { decide } from '../../src/verdict.js';
import { checkConfig } from '../helpers/config.js';
import { configProblems } from '../helpers/config-problems.js';
import { parsePrometheus, sampleValue } from '../helpers/prometheus.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = new Date('2026-11-22T12:00:00Z');
const limits = { maxChanged: 0.5 };

/** A snapshot of 500 files whose summary says `changes` against its parent. */
function seen(changes: Partial<SnapshotChanges> | undefined, latest = new Date(now.getTime() - 2 * HOUR)) {
  const counts: SnapshotChanges = { parent: true, filesNew: 0, filesChanged: 0, filesUnmodified: 500, dirsNew: 0, dirsChanged: 1, dirsUnmodified: 0, dataBlobs: 0, treeBlobs: 2, dataAdded: 0, dataAddedPacked: 0, ...changes };
  return { latest, facts: { latest: { files: 500, bytes: 1_236_750, ...(changes !== undefined && { changes: counts }) } } };
}

// [what happened, the summary's counts, value (% of shared files changed), ok, failure or why not judged]
const CASES: Array<[string, Partial<SnapshotChanges> | undefined, number | null, boolean | null, string | undefined]> = [
  ['ransomware: 90% of the files rewritten with new content', { filesChanged: 450, filesUnmodified: 50, dataBlobs: 450, dataAdded: 1_270_122 }, 90, false, 'changed 90% of files (max_changed 50%)'],
  ['a normal day: 1% changed', { filesChanged: 5, filesUnmodified: 495, dataBlobs: 5 }, 1, true, undefined],
  ['nothing changed', {}, 0, true, undefined],
  ['exactly the limit holds', { filesChanged: 250, filesUnmodified: 250, dataBlobs: 400 }, 50, true, undefined],
  ['one file over it fails, with the share as it is', { filesChanged: 251, filesUnmodified: 249, dataBlobs: 260 }, 50.2, false, 'changed 50.2% of files (max_changed 50%)'],
  // touch, chown, a copy to another disk: restic re-reads every file and stores no new data.
  ['every file touched, no content changed: 0%', { filesChanged: 500, filesUnmodified: 0, dataBlobs: 0, dataAdded: 172_368 }, 0, true, undefined],
  ['every file touched and 3 edited: the edited ones count', { filesChanged: 500, filesUnmodified: 0, dataBlobs: 3 }, 0.6, true, undefined],
  ['new files beside the shared ones do not count as changed', { filesNew: 400, filesChanged: 10, filesUnmodified: 490, dataBlobs: 410 }, 2, true, undefined],
  ['a first backup: no parent, not judged', { parent: false, filesNew: 500, filesUnmodified: 0, dataBlobs: 500 }, null, null, 'max_changed not checked: the latest snapshot has no parent to compare with (a first backup, or backup --force)'],
  ['backup --force: restic takes no parent either', { parent: false, filesNew: 500, filesUnmodified: 0 }, null, null, 'max_changed not checked: the latest snapshot has no parent to compare with (a first backup, or backup --force)'],
  ['every file new against its parent (renamed, dated dumps): not judged', { filesNew: 500, filesUnmodified: 0, dataBlobs: 500 }, null, null, 'max_changed not checked: the latest snapshot shares no file with its parent'],
  ['no summary (restic before 0.17): not judged', undefined, null, null, 'max_changed not checked: the latest snapshot has no summary (restic before 0.17)'],
];

for (const [name, changes, value, ok, text] of CASES) {
  test(`max_changed: ${name}`, () => {
    const outcome = evaluateSignals(limits, seen(changes), now);
    assert.deepEqual(outcome.results, [{ name: 'max_changed', limit: 50, value, ok }]);
    assert.deepEqual(outcome.failures, ok === false ? [text] : []);
    assert.equal(outcome.unchecked, ok === null ? text : undefined);
  });
}

test('max_changed: a check that failed judges nothing and says nothing', () => {
  assert.deepEqual(evaluateSignals(limits, undefined, now), { results: [{ name: 'max_changed', limit: 50, value: null, ok: null }], failures: [] });
});

test('one verdict: a mass change is down with the share first and the age after; a first backup stays up and says why', () => {
  const verdict = decide(seen({ filesChanged: 490, filesUnmodified: 10, dataBlobs: 600 }), DAY, now, limits);
  assert.deepEqual([verdict.status, verdict.message], ['down', 'changed 98% of files (max_changed 50%); latest snapshot 2h ago']);
  const stale = decide(seen({ filesChanged: 490, filesUnmodified: 10, dataBlobs: 600 }, new Date(now.getTime() - 3 * DAY)), DAY, now, limits);
  assert.equal(stale.message, 'stale: latest snapshot 3d ago (max 1d); changed 98% of files (max_changed 50%)');
  const first = decide(seen({ parent: false, filesNew: 500, filesUnmodified: 0 }), DAY, now, limits);
  assert.deepEqual([first.status, first.message], ['up', 'latest snapshot 2h ago (max 1d); max_changed not checked: the latest snapshot has no parent to compare with (a first backup, or backup --force)']);
});

test('max_changed: a percentage per repository, host or in defaults; 100% switches off the one from defaults; validate shows it', () => {
  const config = parseConfig('defaults:\n  max_changed: 50%\nrepositories:\n  docs: {url: /srv/docs}\n  media: {url: /srv/media, max_changed: 100%}\n  fleet:\n    url: /srv/fleet\n    hosts:\n      web1: {max_changed: 12.5%}\n', {});
  assert.deepEqual(
    config.checks.map((check) => [check.name, check.signals]),
    [
      ['docs', { maxChanged: 0.5 }],
      ['media', undefined],
      ['fleet/web1', { maxChanged: 0.125 }],
    ],
  );
  const shown = JSON.parse(formatValidation(config, new Redactor([]), true)) as { repositories: Record<string, { max_changed?: string }> };
  assert.deepEqual([shown.repositories.docs!.max_changed, shown.repositories.media!.max_changed, shown.repositories['fleet/web1']!.max_changed], ['50%', undefined, '12.5%']);
});

test('max_changed: each bad value names the key and where it was written', () => {
  assert.deepEqual(configProblems('defaults:\n  max_changed: 150%\nrepositories:\n  a: {url: /a, max_changed: 50}\n  b: {url: /b, max_changed: half}\n  c: {url: /c, max_changed: [50%]}\n  d: {url: /d, mode: fast, max_changed: 50%}\n  e: {url: /e}\n'), [
    'repositories.a.max_changed: 50 is not a percentage (write it like 50%)',
    'repositories.b.max_changed: "half" is not a percentage (write it like 50%)',
    'repositories.c.max_changed: expected a single value, got a list',
    'repositories.d: mode fast cannot check max_changed (it sees no snapshot contents): use mode restic or auto',
    'defaults.max_changed: "150%" is out of range (0% to 100%)',
  ]);
});

test('max_changed needs restic mode, and no more of the listing than the newest snapshot of each group', () => {
  const check = checkConfig({ url: '/srv/docs', mode: 'auto', signals: { maxChanged: 0.5 } });
  assert.equal(describePlan(planCheck(check)), 'restic (max_changed needs restic mode)');
  assert.equal(resticArgs(check, listOptionsFor([check])).join(' '), 'snapshots --json --no-lock --group-by host,paths --latest 1');
});

test('metrics: max_changed has its signal_ok series, and the HELP line names it', () => {
  const result: CheckResult = {
    name: 'docs',
    repository: 'docs',
    status: 'down',
    mode: 'restic',
    reader: 'builtin',
    latest: new Date(now.getTime() - 2 * HOUR),
    latestBasis: 'backup_end',
    ageMs: 2 * HOUR,
    maxAgeMs: DAY,
    message: 'changed 90% of files (max_changed 50%); latest snapshot 2h ago',
    error: null,
    durationMs: 5,
    checkedAt: now,
    pushes: [],
    signals: [{ name: 'max_changed', limit: 50, value: 90, ok: false }],
  };
  const text = renderMetrics(talliesOf([result]), now);
  assert.equal(sampleValue(parsePrometheus(text), 'restic_monitor_signal_ok', { check: 'docs', repository: 'docs', mode: 'restic', reader: 'builtin', signal: 'max_changed' }), 0);
  assert.match(text, /^# HELP restic_monitor_signal_ok Whether a configured health signal \([a-z_, ]*max_changed[a-z_, ]*\) held/m);
});

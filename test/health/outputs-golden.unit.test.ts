// Every output that shows the health signals, byte for byte: `status --json`, the metrics,
// the status table and page, `validate`, and the config problems of bad signal keys. Made
// from one run of runCheck per case (a stand-in checker, drill, primary and integrity), so
// that reshaping how signals are declared and judged cannot change what a user or a script
// reads. The expected texts live in test/fixtures/golden/; RESTIC_MONITOR_WRITE_GOLDEN=1
// rewrites them (for an intended change only: review the diff).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CheckError, type Checker, type Observation } from '../../src/checkers/checker.js';
import { formatValidation } from '../../src/cli/format.js';
import { formatStatusTable } from '../../src/cli/status-table.js';
import { parseConfig } from '../../src/config/parse.js';
import type { Check } from '../../src/config/types.js';
import { renderStatusPage } from '../../src/http/status-page.js';
import type { IntegrityStatus } from '../../src/integrity/status.js';
import { createLogger } from '../../src/log.js';
import { renderMetrics } from '../../src/metrics/render.js';
import { talliesOf } from '../../src/metrics/tally.js';
import { Redactor } from '../../src/redact.js';
import { PrimaryLooks } from '../../src/run/primary-looks.js';
import type { CheckResult } from '../../src/run/result.js';
import { resultsJsonText } from '../../src/run/result-json.js';
import { runCheck, type RunDeps } from '../../src/run/run-once.js';
import type { DrillRun } from '../../src/health/restore-drill.js';
import { configProblems } from '../helpers/config-problems.js';
import { projectRoot } from '../helpers/project-root.js';

const GOLDEN = join(projectRoot(), 'test', 'fixtures', 'golden');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-22T12:00:00.000Z');
const at = (agoMs: number) => new Date(NOW - agoMs);

function same(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env.RESTIC_MONITOR_WRITE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
  }
  assert.ok(existsSync(file), `${file} is missing (RESTIC_MONITOR_WRITE_GOLDEN=1 writes it)`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from test/fixtures/golden/${name}`);
}

const CONFIG = `
defaults:
  max_age: 1d
  extra_env: {RESTIC_PASSWORD: hunter2-secret}
repositories:
  nas:
    url: /srv/nas
    min_files: 100
    min_size: 1MiB
    max_shrink: 50%
    min_snapshots: 3
    max_lock_age: 2h
    integrity: {interval: 1w, read_data_subset: 5%}
    restore_drill: {path: /var/lib/backup-canary, interval: 6h, max_age: 1d}
  offsite:
    url: /srv/offsite
    mode: auto
    mirror_of: nas
    max_lag: 12h
    max_lock_age: 90m
  fleet:
    url: s3:https://s3.example.com/fleet
    min_size: 1.5GB
    hosts:
      web1: {min_files: 10}
      web2: {max_shrink: 100%, min_snapshots: 0}
  plain:
    url: /srv/plain
  autos:
    url: /srv/autos
    mode: auto
    min_files: 1
    max_shrink: 10%
    max_lock_age: 1h
  autoone:
    url: rclone:nas:autoone
    mode: auto
    min_snapshots: 2
`;

interface Case {
  /** Which check of CONFIG. */
  check: string;
  seen: Observation | { failure: string };
  drill?: DrillRun;
  integrity?: IntegrityStatus;
  /** The primary's look (mirror_of). */
  primary?: { latest: Date | null } | { failure: string };
}

const size = (files: number, bytes: number) => ({ files, bytes });
const MiB = 2 ** 20;

const CASES: Case[] = [
  // Every signal holds.
  {
    check: 'nas',
    seen: { latest: at(2 * HOUR), basis: 'backup_end', reader: 'builtin', snapshots: 5, facts: { latest: size(500, 5 * MiB), previous: size(490, 5 * MiB), count: 5 }, oldestLock: null },
    drill: { at: at(HOUR), writtenAt: at(3 * HOUR) },
    integrity: { ok: true, checkedAt: at(20 * HOUR), message: 'no errors found' },
  },
  // Several fail, integrity too: integrity leads, the rest are counted.
  {
    check: 'nas',
    seen: { latest: at(2 * HOUR), basis: 'backup_end', reader: 'restic', snapshots: 2, facts: { latest: size(0, 0), previous: size(500, 5 * MiB), count: 2 }, oldestLock: { time: at(3 * HOUR), hostname: 'web1', pid: 4121, exclusive: false } },
    drill: { at: at(HOUR), failure: '/var/lib/backup-canary not in the latest snapshot' },
    integrity: { ok: false, checkedAt: at(5 * HOUR), message: 'pack 1bc4c348: does not exist' },
  },
  // Stale, and a signal fails after it.
  {
    check: 'nas',
    seen: { latest: at(3 * DAY), basis: 'time', reader: 'builtin', snapshots: 1, facts: { latest: null, previous: null, count: 1 }, oldestLock: { time: at(10 * 60_000) } },
    drill: { at: at(HOUR), writtenAt: at(4 * DAY) },
    integrity: { ok: null, checkedAt: null, message: 'not checked yet' },
  },
  // The check failed: every signal unjudged.
  { check: 'nas', seen: { failure: 'wrong password or no key found' }, integrity: { ok: false, checkedAt: at(HOUR), message: 'pack 1bc4c348: does not exist' } },
  // No summary (restic before 0.17): up, and said so.
  { check: 'nas', seen: { latest: at(HOUR), basis: 'time', reader: 'builtin', snapshots: 4, facts: { latest: null, previous: null, count: 4 }, oldestLock: null }, drill: { at: at(HOUR), writtenAt: at(2 * HOUR) } },
  // A copy behind its primary; locks by file time (fast mode).
  { check: 'offsite', seen: { latest: at(3 * DAY), snapshots: 3, oldestLock: { time: at(26 * HOUR) } }, primary: { latest: at(HOUR) } },
  // A copy whose primary could not be checked; locks not listed.
  { check: 'offsite', seen: { latest: at(HOUR), snapshots: 3 }, primary: { failure: 'timed out after 10m' } },
  // A copy ahead of its primary.
  { check: 'offsite', seen: { latest: at(HOUR), snapshots: 3, oldestLock: null }, primary: { latest: at(2 * HOUR) } },
  // Host checks.
  { check: 'fleet/web1', seen: { latest: at(HOUR), basis: 'backup_end', reader: 'builtin', snapshots: 1, facts: { latest: size(3, 1024) }, sharedRunMs: 812 } },
  { check: 'fleet/web2', seen: { latest: null, scope: 'host web2', reader: 'builtin', snapshots: 0 } },
  // No signal at all.
  { check: 'plain', seen: { latest: at(HOUR), basis: 'time', reader: 'restic', snapshots: 1, facts: { latest: size(10, 100) } } },
];

async function results(): Promise<CheckResult[]> {
  const config = parseConfig(CONFIG, {});
  const byName = new Map(config.checks.map((check) => [check.name, check]));
  const out: CheckResult[] = [];
  for (const [index, c] of CASES.entries()) {
    const check = byName.get(c.check)!;
    const look = async () => {
      if ('failure' in c.seen) throw Object.assign(new CheckError(c.seen.failure), { reader: 'builtin' });
      return c.seen;
    };
    // The plan picks between them as it does in a run: offsite (auto, locks and lag only) is fast.
    const checkers: Checker[] = [
      { mode: 'restic', kind: 'restic', supports: () => true, check: look },
      { mode: 'fast', kind: 'local', supports: () => true, check: look },
    ];
    const primaries = new PrimaryLooks(['nas']);
    if (c.primary) primaries.seen('nas', 'failure' in c.primary ? c.primary : { latest: c.primary.latest });
    const redactor = new Redactor(config.secrets);
    let clock = NOW - 1000 * (index + 1);
    const deps: RunDeps = {
      checkers,
      pushTargets: [],
      now: () => new Date((clock += 250)),
      env: {},
      logger: createLogger(redactor, 'silent'),
      redactor,
      primaries,
      background: (one: Check) => (one.integrity === undefined || c.integrity === undefined ? undefined : { integrity: c.integrity }),
      drill: async () => c.drill ?? { at: at(0), failure: 'no drill in this case' },
    };
    const result = await runCheck(check, deps, { push: false, signal: new AbortController().signal });
    // Durations are the machine's: fixed here, so that the texts compare.
    out.push({ ...result, durationMs: 40 + index });
  }
  return out;
}

test('status --json, metrics, the status table and the status page show the signals as they always did', async () => {
  const all = await results();
  same('status.json', resultsJsonText(all));
  same('metrics.prom', renderMetrics(talliesOf(all), new Date(NOW), { configReloadOk: true, configLoadedAt: NOW / 1000 - 60 }));
  same('status-table.txt', `${await formatStatusTable(all, { color: false })}\n`);
  same('status-page.html', renderStatusPage({ results: all, pending: ['later'], now: new Date(NOW), refreshSeconds: 30 }));
});

test('validate shows the signal keys as it always did', () => {
  const config = parseConfig(CONFIG, {});
  const redactor = new Redactor(config.secrets);
  same('validate.yaml', `${formatValidation(config, redactor, false)}\n`);
  same('validate.json', `${formatValidation(config, redactor, true)}\n`);
});

test('bad signal keys: the same problems, in the same order', () => {
  const problems = configProblems(`
defaults:
  max_shrink: 150%
  min_size: lots
  restore_drill: {path: canary, every: 1d}
  integrity: {interval: 1 week}
repositories:
  a:
    url: /a
    mode: fast
    min_files: -1
    min_size: 10M
    max_shrink: "0.5"
    min_snapshots: 2.5
    max_lock_age: 0s
    max_lag: 1d
    restore_drill: {path: /c, max_age: 1x}
    integrity: {read_data_subset: 101%, timout: 1h}
  b:
    url: /b
    mirror_of: nowhere
    max_lag: soon
    min_files: "many"
    max_lock_age: 3
  c:
    url: /c
    mirror_of: c
  d:
    url: /d
    mode: fast
    min_snapshots: 3
    restore_drill: {path: /x}
    max_lock_age: 1h
`);
  const mirrors = configProblems(`
repositories:
  b:
    url: /b
    mirror_of: nowhere
  c:
    url: /c
    mirror_of: c
  e:
    url: /e
    mirror_of: f
  f:
    url: /f
    mirror_of: e
    max_lag: 1d
  g:
    url: /g
    mode: fast
    min_files: 5
    max_shrink: 10%
    max_lock_age: 1h
    integrity: {timout: 1h}
  h:
    url: /h
    max_lag: 2d
    restore_drill: {max_age: 2d}
    integrity: true
`);
  same('config-problems.txt', `${[...problems, '--', ...mirrors].join('\n')}\n`);
});

import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseCommandLine } from '../../src/cli/args.js';
import { CONTENT_TYPE, renderMetrics } from '../../src/metrics/render.js';
import { addResult, talliesOf, type Tally } from '../../src/metrics/tally.js';
import { writeTextfile } from '../../src/metrics/textfile.js';
import type { CheckResult } from '../../src/run/result.js';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/paths.js';
import { parsePrometheus, sampleValue } from '../helpers/prometheus.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { makeRepository, PASSWORD, resticTime, tempDir } from '../helpers/restic-repos.js';

const base: CheckResult = {
  name: 'web',
  repository: 'web',
  status: 'up',
  mode: 'restic',
  latest: new Date('2026-11-22T10:00:00.000Z'),
  latestBasis: 'backup_end',
  ageMs: 7_200_000,
  maxAgeMs: 86_400_000,
  message: 'latest snapshot 2h ago (max 1d)',
  error: null,
  durationMs: 612,
  checkedAt: new Date('2026-11-22T11:59:59.000Z'),
  pushes: [{ target: 'uptime-kuma', delivered: true }],
};
const now = new Date('2026-11-22T12:00:00.500Z');

test('every metric of a repository is rendered, typed, and parses back to the values it came from', () => {
  const failed: CheckResult = { ...base, name: 'db', repository: 'db', status: 'down', latest: null, ageMs: null, error: 'wrong password or no key found', message: 'check failed: wrong password or no key found', pushes: [{ target: 'uptime-kuma', delivered: false, error: 'HTTP 404' }] };
  let db = addResult(undefined, { ...base, name: 'db', repository: 'db' });
  db = addResult(db, failed);
  db = addResult(db, failed);
  const families = parsePrometheus(renderMetrics([addResult(undefined, base), db], now));
  const web = { check: 'web', repository: 'web', mode: 'restic' };
  const dbLabels = { check: 'db', repository: 'db', mode: 'restic' };
  assert.equal(sampleValue(families, 'restic_monitor_up', web), 1);
  assert.equal(sampleValue(families, 'restic_monitor_up', dbLabels), 0);
  assert.equal(sampleValue(families, 'restic_monitor_latest_snapshot_timestamp_seconds', web), base.latest!.getTime() / 1000);
  assert.equal(sampleValue(families, 'restic_monitor_snapshot_age_seconds', web), 7200.5);
  assert.equal(sampleValue(families, 'restic_monitor_max_age_seconds', web), 86400);
  assert.equal(sampleValue(families, 'restic_monitor_check_duration_seconds', web), 0.612);
  assert.equal(sampleValue(families, 'restic_monitor_last_check_timestamp_seconds', web), base.checkedAt.getTime() / 1000);
  assert.equal(sampleValue(families, 'restic_monitor_checks_total', web), 1);
  assert.equal(sampleValue(families, 'restic_monitor_checks_total', dbLabels), 3);
  assert.equal(sampleValue(families, 'restic_monitor_check_errors_total', web), 0);
  assert.equal(sampleValue(families, 'restic_monitor_check_errors_total', dbLabels), 2);
  assert.equal(sampleValue(families, 'restic_monitor_push_failures_total', dbLabels), 2);
  // Failed checks keep the snapshot the last successful one found, and say they failed.
  assert.equal(sampleValue(families, 'restic_monitor_check_success', web), 1);
  assert.equal(sampleValue(families, 'restic_monitor_check_success', dbLabels), 0);
  assert.equal(sampleValue(families, 'restic_monitor_latest_snapshot_timestamp_seconds', dbLabels), base.latest!.getTime() / 1000);
  assert.equal(sampleValue(families, 'restic_monitor_snapshot_age_seconds', dbLabels), 7200.5);
  // Never a snapshot seen (only failures, or an empty repository): no sample rather than a made-up 0.
  const neverSeen = parsePrometheus(renderMetrics([addResult(undefined, failed), addResult(undefined, { ...base, name: 'empty', repository: 'empty', latest: null, ageMs: null, status: 'down' })], now));
  for (const name of ['db', 'empty']) {
    assert.throws(() => sampleValue(neverSeen, 'restic_monitor_latest_snapshot_timestamp_seconds', { check: name, repository: name, mode: 'restic' }), /0 samples/);
    assert.throws(() => sampleValue(neverSeen, 'restic_monitor_snapshot_age_seconds', { check: name, repository: name, mode: 'restic' }), /0 samples/);
  }
  assert.equal(sampleValue(neverSeen, 'restic_monitor_check_success', { check: 'empty', repository: 'empty', mode: 'restic' }), 1);
  for (const [name, family] of families) {
    assert.equal(family.type, name.endsWith('_total') ? 'counter' : 'gauge', name);
    assert.ok(family.help.length > 10, `${name} has help`);
  }
  assert.equal(CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
});

test('a failed check between two good ones: timestamp and age series never drop out, success gauge 1 -> 0 -> 1', () => {
  const failed: CheckResult = { ...base, status: 'down', latest: null, ageMs: null, error: 'timed out after 10m', message: 'check failed: timed out after 10m' };
  const newer: CheckResult = { ...base, latest: new Date('2026-11-22T11:00:00.000Z'), ageMs: 3_600_000 };
  const web = { check: 'web', repository: 'web', mode: 'restic' };
  const seen: Array<[number, number, number]> = [];
  let tally: Tally | undefined;
  for (const result of [base, failed, failed, newer]) {
    tally = addResult(tally, result);
    const families = parsePrometheus(renderMetrics([tally], now));
    seen.push([
      sampleValue(families, 'restic_monitor_check_success', web),
      sampleValue(families, 'restic_monitor_latest_snapshot_timestamp_seconds', web),
      sampleValue(families, 'restic_monitor_up', web),
    ]);
  }
  const first = base.latest!.getTime() / 1000;
  assert.deepEqual(seen, [
    [1, first, 1],
    [0, first, 0],
    [0, first, 0],
    [1, first + 3600, 1],
  ]);
  // A check that succeeds and finds no snapshot at all is the truth now: the series go.
  const emptied = parsePrometheus(renderMetrics([addResult(tally, { ...base, latest: null, ageMs: null, status: 'down' })], now));
  assert.throws(() => sampleValue(emptied, 'restic_monitor_latest_snapshot_timestamp_seconds', web), /0 samples/);
});

test('docs/metrics.md documents every series the metrics have', async () => {
  const docs = await readFile(join(ROOT, 'docs', 'metrics.md'), 'utf8');
  const unmonitored = [{ name: 'host2/mail', url: 's3:https://h/b/host2/mail', location: 's3:https://h/b', reason: 'no check has this url', foundAt: now }];
  const families = parsePrometheus(renderMetrics([addResult(undefined, base)], now, { configReloadOk: true, configLoadedAt: 1, unmonitored }));
  assert.equal(families.size, 23);
  for (const name of families.keys()) assert.match(docs, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `${name} in the metrics table`);
});

test('check and repository names with quotes, backslashes and newlines are escaped in labels and come back intact', () => {
  const name = 'odd "name" \\ with\nnewline';
  const families = parsePrometheus(renderMetrics(talliesOf([{ ...base, name: `${name}/web1`, repository: name, mode: 'fast' }]), now));
  assert.equal(sampleValue(families, 'restic_monitor_up', { check: `${name}/web1`, repository: name, mode: 'fast' }), 1);
});

test('a host check carries its own name as check and its repository key as repository', () => {
  const text = renderMetrics(talliesOf([{ ...base, name: 'fleet/web1', repository: 'fleet' }]), now);
  assert.match(text, /^restic_monitor_up\{check="fleet\/web1",repository="fleet",mode="restic"\} 1$/m);
});

test('the unmonitored series appear only with discover: (a count, and one info series per repository)', () => {
  assert.ok(!renderMetrics([], now).includes('unmonitored'));
  assert.match(renderMetrics([], now, { unmonitored: [] }), /^restic_monitor_unmonitored_repositories 0$/m);
  const text = renderMetrics([], now, { unmonitored: [{ name: 'a "b"', url: '/srv/a "b"', location: '/srv', reason: 'no check has this url', foundAt: now }] });
  assert.match(text, /^restic_monitor_unmonitored_repositories 1$/m);
  assert.match(text, /^restic_monitor_unmonitored_repository_info\{name="a \\"b\\"",url="\/srv\/a \\"b\\"",location="\/srv"\} 1$/m);
});

test('the daemon-only config gauges appear only when given', () => {
  assert.ok(!renderMetrics([], now).includes('config_last_reload'));
  const families = parsePrometheus(renderMetrics([], now, { configReloadOk: false, configLoadedAt: 1795000000.25 }));
  assert.equal(sampleValue(families, 'restic_monitor_config_last_reload_successful'), 0);
  assert.equal(sampleValue(families, 'restic_monitor_config_last_reload_success_timestamp_seconds'), 1795000000.25);
});

test('writeTextfile replaces the file whole and leaves no temporary file', async () => {
  const dir = await tempDir('rm-textfile-');
  const path = join(dir, 'restic.prom');
  await writeFile(path, 'old\n');
  await writeTextfile(path, 'new contents\n');
  assert.equal(await readFile(path, 'utf8'), 'new contents\n');
  assert.deepEqual(await readdir(dir), ['restic.prom']);
});

test('writeTextfile into an unwritable directory fails and leaves the old file as it was', async () => {
  const dir = await tempDir('rm-textfile-');
  const path = join(dir, 'restic.prom');
  await writeFile(path, 'old\n');
  await chmod(dir, 0o500);
  try {
    // root ignores directory permissions: fall back to a path whose directory is missing.
    const target = process.getuid?.() === 0 ? join(dir, 'missing', 'restic.prom') : path;
    await assert.rejects(writeTextfile(target, 'new\n'), /ENOENT|EACCES/);
  } finally {
    await chmod(dir, 0o700);
  }
  assert.equal(await readFile(path, 'utf8'), 'old\n');
  assert.deepEqual(await readdir(dir), ['restic.prom']);
});

let receiver: PushReceiver;
let freshUrl: string;
let staleUrl: string;
before(async () => {
  const dir = await tempDir('rm-metrics-repos-');
  [freshUrl, staleUrl] = await Promise.all([
    makeRepository(join(dir, 'fresh'), [{ time: resticTime(2 * 3_600_000) }]),
    makeRepository(join(dir, 'stale'), [{ time: '2020-01-01 00:00:00' }]),
  ]);
  receiver = await startPushReceiver(['tok-fresh-1234', 'tok-stale-1234']);
});
after(() => receiver.close());

test('run --textfile writes the metrics of that run for node_exporter, atomically, next to the pushes', async () => {
  const dir = await tempDir('rm-textfile-run-');
  await mkdir(join(dir, 'collector'));
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    `defaults:\n  push_url: ${receiver.pushUrl}\n  extra_env:\n    RESTIC_PASSWORD: ${PASSWORD}\nrepositories:\n  fresh:\n    url: ${freshUrl}\n    push_token: tok-fresh-1234\n  stale:\n    url: ${staleUrl}\n    push_token: tok-stale-1234\n`,
  );
  const textfile = join(dir, 'collector', 'restic.prom');
  const before = Date.now() / 1000;
  const run = await runCli(['run', '-c', config, '--textfile', textfile]);
  assert.equal(run.code, 1, run.stderr);
  assert.deepEqual(await readdir(join(dir, 'collector')), ['restic.prom']);
  const text = await readFile(textfile, 'utf8');
  assert.ok(!text.includes(PASSWORD) && !text.includes('tok-fresh-1234'), 'no secret in the metrics');
  const families = parsePrometheus(text);
  const fresh = { check: 'fresh', repository: 'fresh', mode: 'restic' };
  const stale = { check: 'stale', repository: 'stale', mode: 'restic' };
  assert.equal(sampleValue(families, 'restic_monitor_up', fresh), 1);
  assert.equal(sampleValue(families, 'restic_monitor_up', stale), 0);
  assert.equal(sampleValue(families, 'restic_monitor_latest_snapshot_timestamp_seconds', stale), Date.parse('2020-01-01T00:00:00Z') / 1000);
  const age = sampleValue(families, 'restic_monitor_snapshot_age_seconds', fresh);
  assert.ok(age >= 7200 && age < 7200 + 600, `fresh age ${age}`);
  assert.equal(sampleValue(families, 'restic_monitor_max_age_seconds', stale), 86400);
  assert.ok(sampleValue(families, 'restic_monitor_last_check_timestamp_seconds', fresh) >= Math.floor(before));
  assert.ok(sampleValue(families, 'restic_monitor_check_duration_seconds', fresh) > 0);
  assert.equal(sampleValue(families, 'restic_monitor_checks_total', fresh), 1);
  assert.equal(sampleValue(families, 'restic_monitor_check_errors_total', stale), 0);
  assert.equal(sampleValue(families, 'restic_monitor_push_failures_total', stale), 0);
  assert.deepEqual(receiver.beats.map((beat) => [beat.token, beat.status]).sort(), [['tok-fresh-1234', 'up'], ['tok-stale-1234', 'down']]);
});

test('run --textfile into a missing directory says so and exits 1', async () => {
  const dir = await tempDir('rm-textfile-run-');
  const config = join(dir, 'config.yaml');
  await writeFile(config, `repositories:\n  fresh:\n    url: ${freshUrl}\n    extra_env:\n      RESTIC_PASSWORD: ${PASSWORD}\n`);
  const run = await runCli(['run', '-c', config, '--textfile', join(dir, 'nope', 'restic.prom')]);
  assert.equal(run.code, 1);
  assert.equal(run.stderr.split('\n').filter((line) => line.startsWith('restic-monitor:')).join('\n'), `restic-monitor: cannot write ${join(dir, 'nope', 'restic.prom')}: ENOENT`);
});

test('the command line knows daemon and run --textfile', () => {
  assert.deepEqual(parseCommandLine(['daemon', '-c', 'c.yaml']), { command: 'daemon', config: 'c.yaml', only: [], json: false, dryRun: false });
  assert.deepEqual(parseCommandLine(['run', '--textfile', '/x/restic.prom']), { command: 'run', only: [], json: false, dryRun: false, textfile: '/x/restic.prom' });
  assert.deepEqual(parseCommandLine(['--textfile', 'r.prom']), { command: 'run', only: [], json: false, dryRun: false, textfile: 'r.prom' });
});

test('--textfile belongs to run only', async () => {
  const run = await runCli(['status', '--textfile', '/tmp/x.prom']);
  assert.equal(run.code, 2);
  assert.equal(run.stderr, 'restic-monitor: --textfile works with run only, not status\nRun "restic-monitor --help" for usage.\n');
});

test('integrity: integrity_ok and its time once a check ended; no series before the first', () => {
  const checkedAt = new Date('2026-11-22T09:00:00.000Z');
  const web = { check: base.name, repository: base.repository, mode: 'restic' };
  const families = parsePrometheus(
    renderMetrics(talliesOf([{ ...base, integrity: { ok: false, checkedAt, message: 'pack 1bc4c348: does not exist' } }, { ...base, name: 'db', repository: 'db', integrity: { ok: null, checkedAt: null, message: 'not checked yet' } }]), now),
  );
  assert.equal(sampleValue(families, 'restic_monitor_integrity_ok', web), 0);
  assert.equal(sampleValue(families, 'restic_monitor_integrity_checked_timestamp_seconds', web), checkedAt.getTime() / 1000);
  const db = { check: 'db', repository: 'db', mode: 'restic' };
  assert.throws(() => sampleValue(families, 'restic_monitor_integrity_ok', db), /0 samples/);
  assert.throws(() => sampleValue(families, 'restic_monitor_integrity_checked_timestamp_seconds', db), /0 samples/);
  // A failed integrity check makes the check down as a failed signal does: the one alert on
  // signal_ok (ResticHealthSignalFailing) sees it. No result yet: no series.
  assert.equal(sampleValue(families, 'restic_monitor_signal_ok', { ...web, signal: 'integrity' }), 0);
  assert.throws(() => sampleValue(families, 'restic_monitor_signal_ok', { ...db, signal: 'integrity' }), /0 samples/);
  // A check that failed (or found no snapshot) raises its own alert: no integrity series beside it.
  const failed = parsePrometheus(renderMetrics(talliesOf([{ ...base, status: 'down', latest: null, latestBasis: null, ageMs: null, error: 'timed out after 10m', integrity: { ok: false, checkedAt, message: 'pack 1bc4c348: does not exist' } }]), now));
  assert.throws(() => sampleValue(failed, 'restic_monitor_signal_ok', { ...web, signal: 'integrity' }), /0 samples/);
});

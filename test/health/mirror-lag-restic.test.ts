// mirror_of / max_lag against real restic: a primary `nas` with a snapshot from 3 days ago and
// a fresh one; `behind`, a `restic copy` of it made before the fresh backup (the copy job then
// stopped); `caught-up`, a copy made after it. Restic mode reads the copied snapshots' own
// times (restic copy keeps them); fast mode reads the snapshot files' times, so the copy that
// stopped 3 days ago has its files aged to then. Local repositories, and S3 (s3rver) in fast
// mode, where the requests are counted.
import assert from 'node:assert/strict';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CheckResultJson as CheckResult } from '../../src/run/result-json.js';
import { runCli } from '../helpers/cli.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { initRepository, PASSWORD, restic, resticTime, tempDir } from '../helpers/restic-repos.js';
import { makeTestCa, startS3rver, type S3rver, type TestCa } from '../helpers/s3rver.js';

const DAY = 86_400_000;
const S3_KEYS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

let dir: string;
let nas: string;
let behind: string;
let caughtUp: string;
let s3: S3rver;
let ca: TestCa;
let proxy: RecordingProxy;

/** The primary's snapshots so far, copied into `to` (restic copy keeps each snapshot's time). */
async function copy(from: string, to: string, env: Record<string, string> = {}, tls: string[] = []): Promise<void> {
  await restic(['-r', to, 'copy', '--from-repo', from, ...tls], { RESTIC_FROM_PASSWORD: PASSWORD, ...env });
}

/** 3 days and a minute before now, and so before the primary's fresh snapshot file: a lag of 3d. */
const stoppedAt = () => new Date(Date.now() - 3 * DAY - 60_000);

/** The copy job stopped 3 days ago: its snapshot files were written then. */
async function ageFiles(folder: string, time: Date): Promise<void> {
  for (const name of await readdir(folder)) await utimes(join(folder, name), time, time);
}

before(async () => {
  dir = await tempDir('rm-mirror-');
  const data = join(dir, 'data');
  await writeFile(data, 'data\n');
  [nas, behind, caughtUp] = ['nas', 'behind', 'caught-up'].map((name) => join(dir, name)) as [string, string, string];
  await Promise.all([nas, behind, caughtUp].map((repository) => initRepository(repository)));
  await restic(['-r', nas, 'backup', '--quiet', '--host', 'h', '--time', resticTime(3 * DAY), data]);
  await copy(nas, behind);
  await restic(['-r', nas, 'backup', '--quiet', '--host', 'h', data]);
  await copy(nas, caughtUp);
  await ageFiles(join(behind, 'snapshots'), stoppedAt());

  // The same on S3, restic writing over TLS (s3rver corrupts writes over plain http).
  ca = await makeTestCa();
  s3 = await startS3rver({ ca });
  const tls = ['--cacert', ca.certPath];
  await Promise.all(['nas', 'behind', 'caught-up'].map((prefix) => s3.initRepository(prefix)));
  await restic(['-r', s3.url('nas'), 'backup', '--quiet', '--host', 'h', '--time', resticTime(3 * DAY), ...tls, data], S3_KEYS);
  await copy(s3.url('nas'), s3.url('behind'), S3_KEYS, tls);
  await restic(['-r', s3.url('nas'), 'backup', '--quiet', '--host', 'h', ...tls, data], S3_KEYS);
  await copy(s3.url('nas'), s3.url('caught-up'), S3_KEYS, tls);
  await s3.setMtime('behind/snapshots', stoppedAt());
  // Fast mode only lists: plain http through a proxy that counts the requests.
  proxy = await startRecordingProxy(s3.endpoint, await readFile(ca.certPath, 'utf8'));
});

after(async () => {
  await proxy?.close();
  await s3?.close();
});

async function status(config: string, args: string[] = []): Promise<{ rows: Map<string, CheckResult>; code: number | null; stdout: string }> {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, config);
  const result = await runCli(['status', '--json', '-c', file, ...args], { env: { RESTIC_CACHE_DIR: join(dir, 'cache'), RESTIC_PASSWORD: undefined } });
  assert.equal(result.stderr, '');
  const rows = JSON.parse(result.stdout) as CheckResult[];
  return { rows: new Map(rows.map((row) => [row.name, row])), code: result.code, stdout: result.stdout };
}

const lagOf = (row: CheckResult) => row.signals?.find((signal) => signal.name === 'max_lag');

function assertLeftBehind(row: CheckResult, primary = 'nas'): void {
  assert.equal(row.status, 'down', row.message);
  assert.equal(row.message, `copy lags ${primary} by 3d (max_lag 1d); latest snapshot 3d ago`);
  assert.equal(row.mirror_of, primary);
  const lag = lagOf(row)!;
  assert.deepEqual([lag.limit, lag.ok], [86400, false]);
  assert.ok(Math.abs(lag.value! - 3 * 86400) < 600, `lag ${lag.value} s`);
}

function assertCaughtUp(row: CheckResult): void {
  assert.equal(row.status, 'up', row.message);
  assert.match(row.message, /^latest snapshot (just now|\d+s ago|\d+m\d*s? ago) \(max 1d\)$/);
  assert.deepEqual(lagOf(row), { name: 'max_lag', limit: 86400, value: 0, ok: true });
}

test('restic mode: a restic copy left behind its primary is down naming the lag; one caught up is up', async () => {
  const { rows, code } = await status(`defaults: {extra_env: {RESTIC_PASSWORD: ${PASSWORD}}}
repositories:
  nas: {url: ${nas}}
  behind: {url: ${behind}, mirror_of: nas, max_lag: 1d, max_age: 7d}
  caught-up: {url: ${caughtUp}, mirror_of: nas, max_lag: 1d}
`);
  assert.equal(code, 1);
  assert.equal(rows.get('nas')!.status, 'up');
  assert.equal(rows.get('nas')!.mirror_of, undefined);
  assertLeftBehind(rows.get('behind')!);
  assertCaughtUp(rows.get('caught-up')!);
  for (const name of ['behind', 'caught-up']) assert.equal(rows.get(name)!.mode, 'restic');
});

test('fast mode, no password: the same copies on a local directory and through rclone, by snapshot file times', async () => {
  const rclone = 'extra_env: {RCLONE_CONFIG_TST_TYPE: local, RCLONE_CONFIG: /dev/null}';
  const { rows, code } = await status(`defaults: {mode: fast}
repositories:
  nas: {url: ${nas}}
  behind: {url: ${behind}, mirror_of: nas, max_lag: 1d, max_age: 7d}
  caught-up: {url: ${caughtUp}, mirror_of: nas, max_lag: 1d}
  rclone-behind: {url: "rclone:tst:${behind}", ${rclone}, mirror_of: nas, max_lag: 1d, max_age: 7d}
`);
  assert.equal(code, 1);
  for (const name of ['behind', 'caught-up', 'rclone-behind']) assert.equal(rows.get(name)!.mode, 'fast', name);
  assertLeftBehind(rows.get('behind')!);
  assertLeftBehind(rows.get('rclone-behind')!);
  assertCaughtUp(rows.get('caught-up')!);
});

test('fast mode on S3: left behind is down, caught up is up; a copy costs no request beyond its own listing', async () => {
  const endpoint = `s3:http://${proxy.host}/${s3.bucket}`;
  const config = `defaults: {mode: fast, extra_env: {AWS_ACCESS_KEY_ID: S3RVER, AWS_SECRET_ACCESS_KEY: S3RVER}}
repositories:
  nas: {url: "${endpoint}/nas"}
  behind: {url: "${endpoint}/behind", mirror_of: nas, max_lag: 1d, max_age: 7d}
  caught-up: {url: "${endpoint}/caught-up", mirror_of: nas, max_lag: 1d}
`;
  proxy.requests.length = 0;
  const { rows } = await status(config);
  assertLeftBehind(rows.get('behind')!);
  assertCaughtUp(rows.get('caught-up')!);
  // One listing per check, the primary's served to both copies.
  assert.deepEqual(proxy.requests.map((request) => request.method), ['GET', 'GET', 'GET']);
  assert.deepEqual(new Set(proxy.requests.map((request) => new URL(request.url, 'http://x').searchParams.get('prefix'))), new Set(['nas/snapshots/', 'behind/snapshots/', 'caught-up/snapshots/']));

  // --only a copy: its primary is looked at (one listing more), neither pushed nor shown.
  proxy.requests.length = 0;
  const only = await status(config, ['--only', 'behind']);
  assert.deepEqual([...only.rows.keys()], ['behind']);
  assertLeftBehind(only.rows.get('behind')!);
  assert.equal(proxy.requests.length, 2);
});

test('a primary that could not be checked leaves the copy up, saying so; a chain of copies waits for each primary in turn', async () => {
  const { rows } = await status(`defaults: {extra_env: {RESTIC_PASSWORD: ${PASSWORD}}}
repositories:
  cold: {url: ${behind}, mirror_of: offsite, max_lag: 1d, max_age: 7d}
  offsite: {url: ${caughtUp}, mirror_of: gone, max_lag: 1d}
  gone: {url: ${join(dir, 'missing')}}
  nas: {url: ${nas}}
`);
  assert.equal(rows.get('gone')!.status, 'down');
  assert.match(rows.get('gone')!.message, /^check failed: /);
  const offsite = rows.get('offsite')!;
  assert.equal(offsite.status, 'up');
  assert.match(offsite.message, /; max_lag not checked: gone could not be checked$/);
  assert.deepEqual(lagOf(offsite), { name: 'max_lag', limit: 86400, value: null, ok: null });
  assertLeftBehind(rows.get('cold')!, 'offsite');
  assert.deepEqual([...rows.keys()], ['cold', 'offsite', 'gone', 'nas'], 'config order');
});

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CheckResultJson } from '../../../src/run/result-json.js';
import { runCli } from '../../helpers/cli.js';
import { ROOT } from '../../helpers/paths.js';
import { startPushReceiver, type PushReceiver } from '../../helpers/push-receiver.js';
import { restic, resticTime, tempDir } from '../../helpers/restic-repos.js';
import { makeTestCa, startS3rver, type S3rver, type TestCa } from '../../helpers/s3rver.js';

const KEY_ID = 'MONITORKEYID00000000';
const SECRET = 'monitor-secret-key-0123456789';
const BACKUP_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', TZ: 'UTC' };
const DAY = 86_400_000;

let ca: TestCa;
let s3: S3rver;
let receiver: PushReceiver;
let dir: string;
let staleTime: Date;

/** A repository made by real restic over TLS, with one snapshot per `times` entry (undefined: now). */
async function makeS3Repository(prefix: string, times: Array<string | undefined>): Promise<void> {
  const url = s3.url(prefix);
  await s3.initRepository(prefix);
  for (const time of times) {
    const args = ['-r', url, '--cacert', ca.certPath, 'backup', '--quiet', '--host', 'test-host', dir];
    if (time) args.push('--time', time);
    await restic(args, BACKUP_ENV);
  }
}

async function writeConfig(name: string, extra: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    `defaults:
  url: "s3:https://${s3.host}/${s3.bucket}/{{ .Name }}"
  max_age: 1d
  ca_cert: ${ca.certPath}
  push_url: ${receiver.pushUrl}
  extra_env:
    AWS_ACCESS_KEY_ID: ${KEY_ID}
    AWS_SECRET_ACCESS_KEY: ${SECRET}
${extra}repositories:
  fresh:
    push_token: tok-fresh
  stale:
    push_token: tok-stale
  empty:
    push_token: tok-empty
  team/host-a:
    push_token: tok-nested
`,
  );
  return path;
}

before(async () => {
  ca = await makeTestCa();
  s3 = await startS3rver({ ca, keyIds: [KEY_ID] });
  receiver = await startPushReceiver(['tok-fresh', 'tok-stale', 'tok-empty', 'tok-nested']);
  dir = await tempDir('rm-s3-agree-');
  await writeFile(join(dir, 'file.txt'), 'data\n');
  const staleText = resticTime(3 * DAY);
  staleTime = new Date(`${staleText.replace(' ', 'T')}Z`);
  await makeS3Repository('fresh', [resticTime(2 * 3_600_000), undefined]);
  await makeS3Repository('stale', [staleText]);
  await makeS3Repository('empty', []);
  await makeS3Repository('team/host-a', [undefined]);
  // The back-dated snapshot's object was uploaded just now: make it look as old as it is.
  await s3.setMtime('stale/snapshots', staleTime);
});

after(async () => {
  await receiver?.close();
  await s3?.close();
});

const status = async (config: string, env: Record<string, string | undefined>) => {
  const result = await runCli(['status', '--json', '-c', config], { env: { RESTIC_PASSWORD: undefined, RESTIC_PASSWORD_FILE: undefined, ...env } });
  return { ...result, results: JSON.parse(result.stdout || '[]') as CheckResultJson[] };
};

test('fast and restic mode (either reader) agree on the same repositories within a few seconds; the restic binary alone loads no S3 SDK', async () => {
  const config = await writeConfig('agree.yaml', '');
  // The import trace shows whether the S3 SDK was loaded: by fast mode and the built-in
  // reader, never when the restic binary does the reading.
  const trace = `--import=${join(ROOT, 'dist', 'test', 'helpers', 'import-trace.js')}`;
  const fast = await status(config, { RESTIC_MONITOR_FAST: 'true', NODE_OPTIONS: trace });
  const slow = await status(config, { RESTIC_PASSWORD: 'repo-password-for-tests', RESTIC_CACHE_DIR: join(dir, 'cache'), NODE_OPTIONS: trace, RESTIC_MONITOR_READER: 'restic' });
  const builtin = await status(config, { RESTIC_PASSWORD: 'repo-password-for-tests', NODE_OPTIONS: trace, RESTIC_MONITOR_READER: 'builtin' });
  assert.match(fast.stderr, /import-trace: @aws-sdk\/client-s3/);
  assert.doesNotMatch(slow.stderr, /import-trace/);
  assert.match(builtin.stderr, /import-trace: @aws-sdk\/client-s3/);
  assert.equal(builtin.code, 1, builtin.stderr);
  assert.deepEqual(
    builtin.results.map((r) => [r.name, r.mode, r.reader, r.status, r.latest]),
    slow.results.map((r) => [r.name, r.mode, 'builtin', r.status, r.latest]),
    'the built-in reader gives the restic binary\'s answer',
  );
  assert.equal(fast.code, 1, fast.stderr);
  assert.equal(slow.code, 1, slow.stderr);
  assert.deepEqual(fast.results.map((r) => [r.name, r.mode, r.status]), [
    ['fresh', 'fast', 'up'],
    ['stale', 'fast', 'down'],
    ['empty', 'fast', 'down'],
    ['team/host-a', 'fast', 'up'],
  ]);
  assert.deepEqual(slow.results.map((r) => [r.name, r.mode, r.status]), [
    ['fresh', 'restic', 'up'],
    ['stale', 'restic', 'down'],
    ['empty', 'restic', 'down'],
    ['team/host-a', 'restic', 'up'],
  ]);
  for (const name of ['fresh', 'stale', 'team/host-a']) {
    const [a, b] = [fast, slow].map(({ results }) => Date.parse(results.find((r) => r.name === name)!.latest!));
    assert.ok(Math.abs(a! - b!) <= 5_000, `${name}: fast ${new Date(a!).toISOString()} vs restic ${new Date(b!).toISOString()}`);
  }
  assert.equal(Date.parse(fast.results[1]!.latest!), staleTime.getTime());
  assert.deepEqual(fast.results.map((r) => r.message).slice(1, 3), ['stale: latest snapshot 3d ago (max 1d)', 'no snapshots']);
  assert.deepEqual(slow.results.map((r) => r.message).slice(1, 3), ['stale: latest snapshot 3d ago (max 1d)', 'no snapshots']);
});

test('fast mode needs no password and no restic at all, pushes each verdict, and prints no key', async () => {
  const config = await writeConfig('fast.yaml', '  mode: fast\n');
  receiver.beats.length = 0;
  const result = await runCli(['run', '-c', config], {
    env: { RESTIC_PASSWORD: undefined, RESTIC_PASSWORD_FILE: undefined, RESTIC_MONITOR_RESTIC: '/nonexistent/restic', LOG_LEVEL: 'debug' },
  });
  assert.equal(result.code, 1, result.stderr);
  const beats = Object.fromEntries(receiver.beats.map((beat) => [beat.token, [beat.status, beat.msg]]));
  assert.deepEqual(beats['tok-stale'], ['down', 'stale: latest snapshot 3d ago (max 1d)']);
  assert.deepEqual(beats['tok-empty'], ['down', 'no snapshots']);
  assert.equal(beats['tok-fresh']![0], 'up');
  assert.equal(beats['tok-nested']![0], 'up');
  for (const secret of [KEY_ID, SECRET]) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `${secret} leaked`);
  }
  assert.ok(!result.stderr.includes('NodeVersionSupportWarning'), result.stderr);
});

test('an unreachable endpoint and a missing bucket are pushed down with their reason', async () => {
  const path = join(dir, 'broken.yaml');
  await writeFile(
    path,
    `defaults:
  mode: fast
  push_url: ${receiver.pushUrl}
  extra_env: { AWS_ACCESS_KEY_ID: ${KEY_ID}, AWS_SECRET_ACCESS_KEY: ${SECRET} }
  ca_cert: ${ca.certPath}
repositories:
  gone:
    url: s3:http://127.0.0.1:1/restic/x
    push_token: tok-fresh
  nobucket:
    url: s3:https://${s3.host}/missing-bucket/x
    push_token: tok-stale
`,
  );
  receiver.beats.length = 0;
  const result = await runCli(['run', '-c', path], { env: { RESTIC_PASSWORD: undefined } });
  assert.equal(result.code, 1);
  assert.deepEqual(
    receiver.beats.map((beat) => [beat.token, beat.status, beat.msg]).sort(),
    [
      ['tok-fresh', 'down', 'check failed: endpoint unreachable: 127.0.0.1:1 refused the connection'],
      ['tok-stale', 'down', 'check failed: bucket "missing-bucket" not found'],
    ],
  );
});

test('a repository no fast checker serves falls back to restic, and status says so', async () => {
  const path = join(dir, 'mixed.yaml');
  // rest: is one backend no fast checker serves (local paths and rclone: have their own).
  // restic 0.18 retries a refused connection until its timeout: keep that short.
  await writeFile(path, `repositories:\n  rest:\n    url: rest:http://127.0.0.1:1/repo\n    mode: fast\n    timeout: 3s\n`);
  const { results } = await status(path, { RESTIC_PASSWORD: 'x' });
  assert.equal(results[0]!.mode, 'restic');
});

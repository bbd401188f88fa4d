// max_lock_age against real restic: a `restic backup` killed with SIGKILL leaves its lock
// behind. Fast mode reads the lock file's time (aged with utimes, or s3rver's mtime) with no
// password; restic mode reads the lock itself and names its host and PID.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CheckResultJson as CheckResult } from '../../src/run/result-json.js';
import { runCli } from '../helpers/cli.js';
import { initRepository, PASSWORD, restic, tempDir } from '../helpers/restic-repos.js';
import { makeTestCa, startS3rver, type S3rver, type TestCa } from '../helpers/s3rver.js';

const HOURS = 3_600_000;
const S3_KEYS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

let dir: string;
/** One snapshot and the lock of a killed backup, aged 3 hours. */
let stale: string;
/** One snapshot and the lock of a killed backup, left as it is. */
let fresh: string;
/** One snapshot, no lock. */
let clean: string;
let stalePid: number;
let freshPid: number;
let s3: S3rver;
let ca: TestCa;

/**
 * `restic backup --stdin` reading a pipe that stays open holds its lock until it is killed:
 * SIGKILL once the lock file exists leaves the lock behind, as a killed backup does.
 */
async function killedBackup(url: string, env: Record<string, string> = {}, lockDir?: string): Promise<number> {
  const child = spawn('restic', ['-r', url, 'backup', '--stdin', '--stdin-filename', 'held', ...(env.CACERT ? ['--cacert', env.CACERT] : [])], {
    env: { ...process.env, RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(tmpdir(), 'restic-monitor-test-cache'), ...env },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (let i = 0; i < 300; i++) {
      if (await hasLock(lockDir ?? join(url, 'locks'))) break;
      if (i === 299) throw new Error(`restic backup wrote no lock in 30 s (${url})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // restic goes on waiting for stdin; a moment more lets a loaded machine finish the write.
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  return child.pid!;
}

/**
 * A whole lock file: its final name (64 hex digits; s3rver adds a suffix) and content. A
 * file restic is still writing, or a temporary name, is not one yet: killing restic then
 * left a partial or unnamed lock, and the check rightly saw none (a flake under load).
 */
async function hasLock(dir: string): Promise<boolean> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!/^[0-9a-f]{64}/.test(name)) continue;
    if ((await stat(join(dir, name)).catch(() => undefined))?.size) return true;
  }
  return false;
}

before(async () => {
  dir = await tempDir('rm-lock-age-');
  stale = join(dir, 'stale');
  fresh = join(dir, 'fresh');
  clean = join(dir, 'clean');
  const data = join(dir, 'data');
  await writeFile(data, 'data\n');
  await Promise.all(
    [stale, fresh, clean].map(async (repository) => {
      await initRepository(repository);
      await restic(['-r', repository, 'backup', '--quiet', '--host', 'h', data]);
    }),
  );
  [stalePid, freshPid] = await Promise.all([killedBackup(stale), killedBackup(fresh)]);
  const threeHoursAgo = new Date(Date.now() - 3 * HOURS);
  for (const name of await readdir(join(stale, 'locks'))) await utimes(join(stale, 'locks', name), threeHoursAgo, threeHoursAgo);

  ca = await makeTestCa();
  s3 = await startS3rver({ ca });
  const s3env = { ...S3_KEYS, CACERT: ca.certPath };
  await s3.initRepository('stale');
  await restic(['-r', s3.url('stale'), 'backup', '--quiet', '--host', 'h', '--cacert', ca.certPath, data], S3_KEYS);
  await killedBackup(s3.url('stale'), s3env, join(s3.dir, s3.bucket, 'stale', 'locks'));
  await s3.setMtime('stale/locks', threeHoursAgo);
});

after(async () => {
  await s3?.close();
});

async function status(config: string): Promise<{ rows: Map<string, CheckResult>; code: number | null; stdout: string }> {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, `defaults:\n  max_age: 1d\n${config}`);
  const result = await runCli(['status', '--json', '-c', file], { env: { RESTIC_CACHE_DIR: join(dir, 'cache'), RESTIC_PASSWORD: undefined } });
  assert.equal(result.stderr, '');
  const rows = JSON.parse(result.stdout) as CheckResult[];
  return { rows: new Map(rows.map((row) => [row.name, row])), code: result.code, stdout: result.stdout };
}

test('fast mode, no password: a killed backup\'s lock file 3 hours old is a stale lock, on a local directory, through rclone and on S3', async () => {
  const { rows, code, stdout } = await status(`repositories:
  stale: {url: ${stale}, mode: fast, max_lock_age: 2h}
  fresh: {url: ${fresh}, mode: fast, max_lock_age: 2h}
  clean: {url: ${clean}, mode: fast, max_lock_age: 2h}
  rclone: {url: "rclone:tst:${stale}", mode: fast, max_lock_age: 2h, extra_env: {RCLONE_CONFIG_TST_TYPE: local, RCLONE_CONFIG: /dev/null}}
  rclone-clean: {url: "rclone:tst:${clean}", mode: fast, max_lock_age: 2h, extra_env: {RCLONE_CONFIG_TST_TYPE: local, RCLONE_CONFIG: /dev/null}}
  s3: {url: "${s3.url('stale')}", mode: fast, max_lock_age: 2h, ca_cert: ${ca.certPath}, extra_env: {AWS_ACCESS_KEY_ID: S3RVER, AWS_SECRET_ACCESS_KEY: S3RVER}}
`);
  assert.equal(code, 1);
  for (const name of ['stale', 's3', 'rclone']) {
    const row = rows.get(name)!;
    assert.equal(row.mode, 'fast', name);
    assert.equal(row.status, 'down', name);
    assert.match(row.message, /^stale lock for 3h \(max_lock_age 2h\); latest snapshot (\d+s ago|\d+m\d*s? ago|just now)$/, name);
    assert.equal(row.signals?.length, 1);
    const [signal] = row.signals!;
    assert.equal(signal!.name, 'max_lock_age');
    assert.equal(signal!.limit, 7200);
    assert.equal(signal!.ok, false);
    // Three hours and the few seconds the test took.
    assert.ok(signal!.value! >= 10800 && signal!.value! < 10800 + 600, String(signal!.value));
  }
  for (const name of ['fresh', 'clean', 'rclone-clean']) {
    const row = rows.get(name)!;
    assert.equal(row.status, 'up', `${name}: ${row.message}`);
    assert.match(row.message, /^latest snapshot (\d+s ago|\d+m\d*s? ago|just now) \(max 1d\)$/);
  }
  assert.equal(rows.get('fresh')!.signals![0]!.ok, true);
  assert.ok(rows.get('fresh')!.signals![0]!.value! < 600);
  assert.deepEqual(rows.get('clean')!.signals, [{ name: 'max_lock_age', limit: 7200, value: null, ok: true }]);
  // Nothing of the S3 keys in the output.
  assert.equal(stdout.includes('S3RVER'), false);
});

test('restic mode names the host and PID of the lock, with the built-in reader and the restic binary; a fresh lock leaves the check up', async () => {
  // The lock's own time is when restic wrote it: a limit of 1s is passed once 2 s have gone.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const env = `extra_env: {RESTIC_PASSWORD: ${PASSWORD}}`;
  const { rows, code } = await status(`repositories:
  builtin: {url: ${fresh}, mode: restic, reader: builtin, max_lock_age: 1s, ${env}}
  binary: {url: ${fresh}, mode: restic, reader: restic, max_lock_age: 1s, ${env}}
  roomy: {url: ${fresh}, mode: restic, reader: builtin, max_lock_age: 2h, ${env}}
  clean: {url: ${clean}, mode: restic, reader: restic, max_lock_age: 1s, ${env}}
`);
  for (const [name, reader] of [['builtin', 'builtin'], ['binary', 'restic']] as const) {
    const row = rows.get(name)!;
    assert.equal(row.reader, reader);
    assert.equal(row.status, 'down', `${name}: ${row.message} ${JSON.stringify(row.signals)}`);
    const pattern = new RegExp(`^stale lock from ${hostname()} \\(pid ${freshPid}\\) for (\\d+s|\\d+m\\d*s?) \\(max_lock_age 1s\\); latest snapshot (\\d+s ago|\\d+m\\d*s? ago|just now)$`);
    assert.match(row.message, pattern, name);
  }
  assert.equal(rows.get('roomy')!.status, 'up', rows.get('roomy')!.message);
  assert.equal(rows.get('clean')!.status, 'up', rows.get('clean')!.message);
  assert.deepEqual(rows.get('clean')!.signals, [{ name: 'max_lock_age', limit: 1, value: null, ok: true }]);
  assert.equal(code, 1);
});

test('restic mode on the aged local lock: the lock\'s own time counts, not the file time', async () => {
  // The file says 3 hours, the lock says a few seconds: restic mode reads the lock.
  const { rows } = await status(`repositories:\n  stale: {url: ${stale}, mode: restic, max_lock_age: 2h, extra_env: {RESTIC_PASSWORD: ${PASSWORD}}}\n`);
  const row = rows.get('stale')!;
  assert.equal(row.status, 'up', row.message);
  assert.equal(row.signals![0]!.ok, true);
  assert.ok(row.signals![0]!.value! < 600, String(row.signals![0]!.value));
  // ... while the lock it read is the killed backup's.
  const lock = await restic(['-r', stale, 'cat', 'lock', (await readdir(join(stale, 'locks')))[0]!, '--no-lock']);
  assert.equal((JSON.parse(lock) as { pid: number }).pid, stalePid);
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chown, cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { openBackend, RestAgents } from '../../../src/checkers/reader/backends/open.js';
import { KeyDerivation } from '../../../src/checkers/reader/derivation.js';
import { userKeyDeriver } from '../../../src/checkers/reader/key-file.js';
import { ResticReader } from '../../../src/checkers/reader/reader.js';
import type { ResticSnapshot } from '../../../src/checkers/reader/snapshot.js';
import { S3ClientPool } from '../../../src/checkers/s3/client-pool.js';
import { writeSealed } from '../../helpers/crafted-files.js';
import { startRestServer, type RestServer } from '../../helpers/rclone-serve.js';
import { PASSWORD, restic, tempDir } from '../../helpers/restic-repos.js';
import { resticEnv, type ResticRelease } from '../../helpers/restic-versions.js';
import { makeTestCa, startS3rver, type S3rver, type TestCa } from '../../helpers/s3rver.js';
import type { MasterKeyJson } from '../../helpers/seal.js';

const exec = promisify(execFile);
const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
// Backups under a zone with an offset: restic keeps the backup host's zone in `time`.
const BACKUP_TZ = { TZ: 'America/New_York' };
const RELEASES: ResticRelease[] = ['0.14', '0.18', '0.19'];

interface Made {
  /** Which restic made it (and reads it back for the comparison). */
  release: ResticRelease;
  url: string;
  /** Extra restic arguments for reading it (--cacert). */
  args: string[];
  env: Record<string, string>;
}

let root: string;
let data: string;
let ca: TestCa;
let s3: S3rver;
let rest: RestServer;
const pool = new S3ClientPool();
// One set of derivation processes for the many readers below (each reads afresh).
const derivation = new KeyDerivation();
const derive = userKeyDeriver(derivation);
const agents = new RestAgents();
const local: Made[] = [];
const onS3: Made[] = [];

/**
 * A repository with every field restic prints: tags, excludes, a parent (second backup of
 * the same paths), two paths and a back-dated time, and `original` (restic tag rewrites a
 * snapshot). 0.17+ add program_version and summary.
 */
async function populate(made: Made, init: string[] = []): Promise<void> {
  const env = await resticEnv(made.release, { ...made.env, ...BACKUP_TZ });
  const r = (args: string[]) => restic(['-r', made.url, ...made.args, ...args], env);
  await r(['init', ...init]);
  await r(['backup', '--quiet', data, '--host', 'web1', '--tag', 'daily', '--tag', 'db', '--exclude', '*.tmp']);
  await r(['backup', '--quiet', data, '--host', 'web1']);
  await r(['backup', '--quiet', join(data, 'var'), join(data, 'etc'), '--host', 'web2', '--time', '2021-06-01 12:00:00']);
  const [first] = JSON.parse(await r(['snapshots', '--json', '--no-lock', '--host', 'web1', '--tag', 'db'])) as ResticSnapshot[];
  await r(['tag', '--add', 'extra', first!.id]);
}

/** What `restic snapshots --json --no-lock` prints for `made`, read by `release`. */
async function resticSays(made: Made, release = made.release, password = PASSWORD): Promise<ResticSnapshot[]> {
  const env = await resticEnv(release, { ...made.env, RESTIC_PASSWORD: password });
  return JSON.parse(await restic(['-r', made.url, ...made.args, 'snapshots', '--json', '--no-lock'], env)) as ResticSnapshot[];
}

async function readerSays(made: Made, password = PASSWORD, reader = new ResticReader({ derive })): Promise<ResticSnapshot[]> {
  const caPem = made.args.includes('--cacert') ? await readFile(ca.certPath, 'utf8') : undefined;
  const backend = openBackend({ url: made.url, extraEnv: made.env, env: {}, bucketLookup: 'auto', ...(caPem && { caPem }) }, { s3Pool: pool, restAgent: agents.get });
  return reader.snapshots(made.url, password, backend, new AbortController().signal);
}

/** Field by field, and in restic's field order: the JSON text is the same. */
function assertSame(actual: ResticSnapshot[], expected: ResticSnapshot[]): void {
  assert.deepStrictEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

before(async () => {
  root = await tempDir('rm-reader-');
  data = await mkdtemp(join(tmpdir(), 'rm-reader-data-'));
  await mkdir(join(data, 'etc'));
  await mkdir(join(data, 'var'));
  await writeFile(join(data, 'etc', 'hosts'), '127.0.0.1 localhost\n');
  await writeFile(join(data, 'var', 'app.log'), 'started\n');
  await writeFile(join(data, 'scratch.tmp'), 'excluded\n');
  ca = await makeTestCa();
  s3 = await startS3rver({ ca });
  for (const release of RELEASES) {
    local.push({ release, url: join(root, `local-${release}`), args: [], env: {} });
    onS3.push({ release, url: s3.url(`s3-${release}`), args: ['--cacert', ca.certPath], env: S3_ENV });
  }
  const v1: Made = { release: '0.14', url: join(root, 'local-0.14-v1'), args: [], env: {} };
  const s3v1: Made = { release: '0.14', url: s3.url('s3-0.14-v1'), args: ['--cacert', ca.certPath], env: S3_ENV };
  // Two at a time: restic's key derivation is CPU-bound and the machine has two cores.
  const jobs = [
    ...local.map((made) => () => populate(made)),
    () => populate(v1, ['--repository-version', '1']),
    ...onS3.map((made) => () => populate(made)),
    () => populate(s3v1, ['--repository-version', '1']),
  ];
  const queue = [...jobs];
  await Promise.all([0, 1].map(async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  }));
  local.push(v1);
  onS3.push(s3v1);
  rest = await startRestServer(root);
});

after(async () => {
  rest?.close();
  await s3?.close();
  await pool.destroy();
  await agents.close();
  derivation.close();
});

describe('the built-in reader agrees with restic snapshots --json, field by field', () => {
  test('local repositories made by restic 0.14 (format 1 and 2), 0.18 and 0.19.1', async () => {
    assert.equal(local.length, 4);
    for (const made of local) {
      const mine = await readerSays(made);
      assert.equal(mine.length, 3, made.url);
      assertSame(mine, await resticSays(made));
      // The newest restic reads every older repository the same way.
      assertSame(mine, await resticSays(made, '0.19'));
    }
  });

  test('what restic writes is all there: tags, excludes, parent, original, two paths, zones; summary from 0.17', async () => {
    const [old, retagged, second] = await readerSays(local.find((made) => made.release === '0.18')!);
    assert.deepEqual(old!.paths, [join(data, 'etc'), join(data, 'var')]);
    assert.match(old!.time, /^2021-06-01T12:00:00-04:00$/);
    assert.deepEqual(retagged!.tags, ['daily', 'db', 'extra']);
    assert.deepEqual(retagged!.excludes, ['*.tmp']);
    assert.match(retagged!.original ?? '', /^[0-9a-f]{64}$/);
    assert.match(second!.parent ?? '', /^[0-9a-f]{64}$/);
    assert.match(second!.program_version ?? '', /^restic 0\.18\.0$/);
    assert.match(second!.summary?.backup_end ?? '', /^\d{4}-\d{2}-\d{2}T/);
    const fromOld = await readerSays(local.find((made) => made.release === '0.14')!);
    assert.ok(fromOld.every((snapshot) => snapshot.summary === undefined && snapshot.program_version === undefined));
  });

  test('s3: repositories on s3rver (TLS), read with the same client and credentials as fast mode', async () => {
    assert.equal(onS3.length, 4);
    for (const made of onS3) assertSame(await readerSays(made), await resticSays(made));
  });

  test('rest: repositories behind rclone serve restic', async () => {
    for (const made of local) {
      const name = made.url.slice(root.length + 1);
      const overRest: Made = { ...made, url: `rest:${rest.url}/${name}` };
      assertSame(await readerSays(overRest), await resticSays(overRest));
    }
  });

  test('a repository with several keys opens with each password, as restic does', async () => {
    const made: Made = { release: '0.18', url: join(root, 'keys'), args: [], env: {} };
    await populate(made);
    const env = await resticEnv('0.18', { RESTIC_PASSWORD: PASSWORD });
    for (const [index, password] of ['second-password-for-tests', 'third-password-for-tests'].entries()) {
      const file = join(root, `password-${index}`);
      await writeFile(file, `${password}\n`);
      await restic(['-r', made.url, 'key', 'add', '--new-password-file', file], env);
    }
    const expected = await resticSays(made);
    for (const password of [PASSWORD, 'second-password-for-tests', 'third-password-for-tests']) {
      assertSame(await readerSays(made, password), await resticSays(made, '0.18', password));
      assertSame(await readerSays(made, password), expected);
    }
  });

  test('snapshot files restic cannot decode are left out, as each release leaves them out; the looser times Go accepts are kept', async () => {
    // Newer than restic's own snapshots: each would be the latest if it were read.
    const times = [
      '"2099-12-06T24:00:00Z"', '"2099-12-06t01:28:40z"', '"2099-02-29T00:00:00Z"', '"2099-12-06T01:28:40\\u005a"',
      // Distinct instants: restic orders equal times unstably.
      '"2098-12-06T1:28:40Z"', '"2098-12-06T01:28:41,5+01:00"', '"2098-12-06T01:28:42-00:00"',
    ];
    for (const made of local) {
      const copy: Made = { ...made, url: `${made.url}-undecodable` };
      await cp(made.url, copy.url, { recursive: true });
      const master = JSON.parse(await restic(['-r', copy.url, 'cat', 'masterkey'], await resticEnv('0.19', { RESTIC_PASSWORD: PASSWORD }))) as MasterKeyJson;
      const tree = (await readerSays(made))[0]!.tree;
      for (const time of times) await writeSealed(copy.url, 'snapshots', master, Buffer.from(`{"time":${time},"tree":"${tree}","paths":["/crafted"],"hostname":"crafted"}`));
      await writeSealed(copy.url, 'snapshots', master, Buffer.from(`{"time":"2099-01-01T00:00:00Z","tree":"${tree}","paths":["/crafted"],"uid":-1}`));
      const mine = await readerSays(copy);
      assert.deepEqual(mine.filter((snapshot) => snapshot.hostname === 'crafted').map((snapshot) => snapshot.time), ['2098-12-06T01:28:41.5+01:00', '2098-12-06T01:28:40Z', '2098-12-06T01:28:42Z'], made.url);
      assertSame(mine, await resticSays(copy));
      assertSame(mine, await resticSays(copy, '0.19'));
    }
  });

  test('uid and gid are printed when not 0 (a backup made by nobody)', async () => {
    // Outside `root` (mode 0700): nobody must reach the directory.
    const dir = await mkdtemp(join(tmpdir(), 'rm-reader-nobody-'));
    await chown(dir, 65534, 65534);
    const run = (args: string[]) =>
      exec('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'restic', '-r', join(dir, 'repo'), '--no-cache', ...args], {
        env: { PATH: process.env.PATH, RESTIC_PASSWORD: PASSWORD, HOME: dir },
      });
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    await run(['init']);
    await run(['backup', '--quiet', join(dir, 'notes.txt')]);
    const made: Made = { release: '0.14', url: join(dir, 'repo'), args: [], env: {} };
    const [snapshot] = await readerSays(made);
    assert.equal(snapshot!.uid, 65534);
    assert.equal(snapshot!.gid, 65534);
    assertSame(await readerSays(made), await resticSays(made));
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CheckError } from '../../../src/checkers/checker.js';
import { BuiltinResticChecker } from '../../../src/checkers/reader/checker.js';
import type { Check } from '../../../src/config/types.js';
import { checkConfig } from '../../helpers/config.js';
import { keyFile, writeSealed, zstdBomb } from '../../helpers/crafted-files.js';
import { startRestServer, type RestServer } from '../../helpers/rclone-serve.js';
import { makeRepository, restic, tempDir } from '../../helpers/restic-repos.js';
import { makeTestCa, startS3rver, type S3rver, type TestCa } from '../../helpers/s3rver.js';
import type { MasterKeyJson } from '../../helpers/seal.js';

const PASSWORD = 'limits-password-for-tests';
const withPassword = { RESTIC_PASSWORD: PASSWORD };
const env = { PATH: process.env.PATH, HOME: process.env.HOME };
const GiB = 2 ** 30;
const CHEAP = { N: 1024, r: 1, p: 1 };

let root: string;
let good: string;
let master: MasterKeyJson;
let ca: TestCa;
let s3: S3rver;
let rest: RestServer;
const checker = new BuiltinResticChecker();

const check = (repository: Check) => checker.check({ ...repository, reader: 'builtin' }, { signal: new AbortController().signal, env });

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CheckError, `expected a CheckError, got ${inspect(error)}`);
    return error.reason;
  }
  assert.fail('the check should have failed');
}

/** A copy of the good repository (format 2, two snapshots) to put a crafted file in. */
async function copy(name: string): Promise<string> {
  const dir = join(root, name);
  await cp(good, dir, { recursive: true });
  return dir;
}

before(async () => {
  root = await tempDir('rm-reader-limits-');
  good = await makeRepository(join(root, 'good'), [{ host: 'h1' }, { host: 'h2', time: '2020-01-01 00:00:00' }], withPassword);
  master = JSON.parse(await restic(['-r', good, 'cat', 'masterkey'], withPassword)) as MasterKeyJson;
  ca = await makeTestCa();
  s3 = await startS3rver({ ca });
  rest = await startRestServer(root);
});

after(async () => {
  rest?.close();
  await s3?.close();
  await checker.close();
});

describe('zstd bombs: bounded, the check down naming the file', () => {
  test('1 GiB in 32 KiB, its size declared: refused by the frame header, nothing allocated', async () => {
    const dir = await copy('bomb-declared');
    const id = await writeSealed(dir, 'snapshots', master, zstdBomb(GiB, { declared: true }));
    assert.equal(await reason(check(checkConfig({ url: dir, extraEnv: withPassword }))), `snapshots/${id} says it holds 1024 MiB once decompressed (at most 64 MiB)`);
  });

  test('2 GiB behind a 2 GiB window: refused by the frame header', async () => {
    const dir = await copy('bomb-window');
    const id = await writeSealed(dir, 'snapshots', master, zstdBomb(2 * GiB, { windowLog: 31 }));
    assert.equal(await reason(check(checkConfig({ url: dir, extraEnv: withPassword }))), `snapshots/${id} asks zstd for a 2048 MiB window (at most 64 MiB)`);
  });

  test('1 GiB that says nothing of its size: stopped once the output passes 64 MiB', async () => {
    const dir = await copy('bomb-silent');
    const id = await writeSealed(dir, 'snapshots', master, zstdBomb(GiB));
    assert.equal(await reason(check(checkConfig({ url: dir, extraEnv: withPassword }))), `snapshots/${id} holds more than 64 MiB once decompressed`);
  });

  test('a format 2 snapshot holding text that is not JSON is damaged, not of an unknown encoding version', async () => {
    const dir = await copy('not-json');
    const id = await writeSealed(dir, 'snapshots', master, Buffer.from('this is {not json'));
    assert.equal(await reason(check(checkConfig({ url: dir, extraEnv: withPassword }))), `snapshots/${id} is damaged: not valid JSON`);
  });
});

describe('file sizes: the same bound on every backend, refused before the file is read', () => {
  test('a 200 MB file named like a snapshot in a local snapshots/ (sparse: it takes no disk)', async () => {
    const dir = await copy('big-local');
    const name = 'ab'.repeat(32);
    await writeFile(join(dir, 'snapshots', name), '');
    await truncate(join(dir, 'snapshots', name), 200_000_000);
    assert.equal(await reason(check(checkConfig({ url: dir, extraEnv: withPassword }))), `snapshots/${name} from ${dir} is larger than 64 MiB (190.7 MiB)`);
  });

  test('a FIFO named like a snapshot is no file of restic\'s: left out, with or without a writer, and nothing waits on it', async () => {
    const dir = await copy('fifo');
    const name = 'cd'.repeat(32);
    await mkfifo(join(dir, 'snapshots', name));
    // No writer: opening it would wait for one, in a thread that nothing can stop.
    const seen = await check(checkConfig({ url: dir, extraEnv: withPassword, timeoutMs: 60_000 }));
    assert.equal(seen.latest !== null, true);
    // With a writer feeding it 80 MB, the same: it is not read at all.
    const writer = spawn('sh', ['-c', 'head -c 80000000 /dev/zero > "$0"', join(dir, 'snapshots', name)], { stdio: 'ignore' });
    const written = new Promise((resolve) => writer.on('exit', resolve));
    try {
      assert.equal((await check(checkConfig({ url: dir, extraEnv: withPassword, timeoutMs: 60_000 }))).latest !== null, true);
    } finally {
      writer.kill('SIGKILL');
      await written;
    }
  });

  test('a config file that is a FIFO: down at once, "not a regular file", never opened for a writer', async () => {
    const dir = await copy('fifo-config');
    await rm(join(dir, 'config'));
    await mkfifo(join(dir, 'config'));
    assert.equal(await reason(check(checkConfig({ url: dir, extraEnv: withPassword, timeoutMs: 60_000 }))), `config in ${dir} is not a regular file`);
  });

  test('a 2 MiB key file, on local, rest: and s3: alike', async () => {
    const dir = join(root, 'big-key');
    const name = 'ef'.repeat(32);
    const big = Buffer.alloc(2 * 2 ** 20, 0x20);
    await mkdir(join(dir, 'keys'), { recursive: true });
    await writeFile(join(dir, 'config'), 'x');
    await writeFile(join(dir, 'keys', name), big);
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestHandler: { httpsAgent: new Agent({ ca: await readFile(ca.certPath, 'utf8') }) },
    });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'big-key/config', Body: 'x' }));
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `big-key/keys/${name}`, Body: big }));
    client.destroy();
    const onS3 = { ...withPassword, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
    const cases: Array<[Check, string]> = [
      [checkConfig({ url: dir, extraEnv: withPassword }), dir],
      [checkConfig({ url: `rest:${rest.url}/big-key`, extraEnv: withPassword }), `rest:${rest.url}/big-key/`],
      [checkConfig({ url: s3.url('big-key'), extraEnv: onS3, caCert: ca.certPath }), `s3:${s3.endpoint}/${s3.bucket}/big-key`],
    ];
    for (const [repository, location] of cases) {
      assert.equal(await reason(check(repository)), `keys/${name} from ${location} is larger than 1 MiB (2 MiB)`, repository.url);
    }
  });
});

describe('many key files: up to 64 tried, by name, the one RESTIC_KEY_HINT names first', () => {
  /** A copy of the good repository whose only right key sorts after `wrong` wrong ones. */
  async function manyKeys(name: string, wrong: number): Promise<{ dir: string; right: string }> {
    const dir = await copy(name);
    for (const id of await readdir(join(dir, 'keys'))) await rm(join(dir, 'keys', id));
    let right: { id: string; text: string };
    do right = keyFile(master, PASSWORD, CHEAP, 'right');
    while (!right.id.startsWith('f'));
    await writeFile(join(dir, 'keys', right.id), right.text);
    for (let made = 0; made < wrong; ) {
      const other = keyFile(master, `other-password-${made}`, CHEAP, `host-${made}`);
      if (other.id >= right.id) continue;
      await writeFile(join(dir, 'keys', other.id), other.text);
      made++;
    }
    return { dir, right: right.id };
  }

  test('41 key files, the right one last by name: opened (restic itself tries 20, in directory order)', async () => {
    const { dir } = await manyKeys('keys-41', 40);
    assert.equal((await check(checkConfig({ url: dir, extraEnv: withPassword }))).snapshots, 2);
  });

  test('70 key files, the right one last: says how many were tried; RESTIC_KEY_HINT opens it', async () => {
    const { dir, right } = await manyKeys('keys-70', 69);
    assert.equal(
      await reason(check(checkConfig({ url: dir, extraEnv: withPassword }))),
      'wrong password or no key found (tried 64 of 70 key files; RESTIC_KEY_HINT names the one to try first)',
    );
    assert.equal((await check(checkConfig({ url: dir, extraEnv: { ...withPassword, RESTIC_KEY_HINT: right.slice(0, 8) } }))).snapshots, 2);
  });
});

function mkfifo(path: string): Promise<void> {
  return new Promise<void>((resolve, reject) => spawn('mkfifo', [path]).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mkfifo: ${code}`)))));
}

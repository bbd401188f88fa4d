import assert from 'node:assert/strict';
import { cp, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { CheckError } from '../../../src/checkers/checker.js';
import { LocalBackend } from '../../../src/checkers/reader/backends/local.js';
import { BuiltinResticChecker } from '../../../src/checkers/reader/checker.js';
import { ReaderError } from '../../../src/checkers/reader/errors.js';
import { ResticReader } from '../../../src/checkers/reader/reader.js';
import { ResticChecker } from '../../../src/checkers/restic/restic.js';
import type { Check } from '../../../src/config/types.js';
import { checkConfig } from '../../helpers/config.js';
import { FIXTURES } from '../../helpers/paths.js';
import { makeRepository, restic, tempDir } from '../../helpers/restic-repos.js';
import { makeTestCa, startS3rver, type S3rver, type TestCa } from '../../helpers/s3rver.js';
import { seal, type MasterKeyJson } from '../../helpers/seal.js';

// A canary: it must never turn up in an error, whatever fails.
const CANARY = 'canary-Pa55word-7f3e9b';
const withCanary = { RESTIC_PASSWORD: CANARY };
const env = { PATH: process.env.PATH, HOME: process.env.HOME };

let root: string;
let good: string;
let master: MasterKeyJson;
let ca: TestCa;
let s3: S3rver;
let silent: Server;
const sockets = new Set<Socket>();
const checker = new BuiltinResticChecker();
/** Every message a user could see from these tests: none may hold a secret. */
const seen: string[] = [];

const check = (repository: Check, using: BuiltinResticChecker = checker) => using.check(repository, { signal: new AbortController().signal, env });

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CheckError, `expected a CheckError, got ${inspect(error)}`);
    seen.push(error.reason, error.message, String(error.stack), inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error));
    return error.reason;
  }
  assert.fail('the check should have failed');
}

/** A copy of the good repository to damage. */
async function copy(name: string): Promise<string> {
  const dir = join(root, name);
  await cp(good, dir, { recursive: true });
  return dir;
}

const ids = async (dir: string, type: string) => (await readdir(join(dir, type))).sort();

before(async () => {
  root = await tempDir('rm-reader-bad-');
  good = join(root, 'good');
  await makeRepository(good, [{ host: 'h1' }, { host: 'h2', time: '2020-01-01 00:00:00' }], withCanary);
  master = JSON.parse(await restic(['-r', good, 'cat', 'masterkey'], withCanary)) as MasterKeyJson;
  ca = await makeTestCa();
  s3 = await startS3rver({ ca });
  // Accepts connections and never answers: a hung backend.
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  silent?.close();
  await s3?.close();
  await checker.close();
});

describe('bad input: each failure is named, never skipped', () => {
  test('a flipped byte in a snapshot file: a MAC error naming the file', async () => {
    const dir = await copy('flipped');
    const [id] = await ids(dir, 'snapshots');
    const file = join(dir, 'snapshots', id!);
    const bytes = await readFile(file);
    bytes[40]! ^= 0x01;
    await writeFile(file, bytes);
    assert.equal(await reason(check(checkConfig({ url: dir, extraEnv: withCanary }))), `snapshots/${id} is damaged: MAC verification failed`);
  });

  test('a truncated key file: named, and not taken for a wrong password', async () => {
    const dir = await copy('truncated-key');
    const [id] = await ids(dir, 'keys');
    const file = join(dir, 'keys', id!);
    await truncate(file, Math.floor((await readFile(file)).length / 2));
    assert.equal(await reason(check(checkConfig({ url: dir, extraEnv: withCanary }))), `key file keys/${id} is not valid JSON (truncated or damaged)`);
  });

  test('a wrong password reads as restic says it', async () => {
    assert.equal(await reason(check(checkConfig({ url: good, extraEnv: { RESTIC_PASSWORD: `${CANARY}-not` } }))), 'wrong password or no key found');
  });

  test('a repository format version the reader does not know: a typed error; with a fallback, the restic binary answers', async () => {
    const dir = await copy('version-3');
    await writeFile(join(dir, 'config'), seal(master, Buffer.from(JSON.stringify({ version: 3, id: 'f'.repeat(64), chunker_polynomial: '25b468838dcb75' }))));
    const message = 'repository format version 3 is not supported by the built-in reader (it reads versions 1 and 2)';
    await assert.rejects(
      new ResticReader().snapshots(dir, CANARY, new LocalBackend(dir), new AbortController().signal),
      (error: unknown) => error instanceof ReaderError && error.kind === 'unsupported' && error.message === message,
    );
    assert.equal(await reason(check(checkConfig({ url: dir, extraEnv: withCanary }))), message);
    const auto = new BuiltinResticChecker({ binary: new ResticChecker({ binary: join(FIXTURES, 'restic-fresh') }) });
    const observed = await check(checkConfig({ url: dir, extraEnv: withCanary }), auto);
    assert.equal(observed.reader, 'restic');
    assert.equal(observed.snapshots, 1);
    await auto.close();
  });

  test('reader: restic always uses the binary, builtin never does, auto where the built-in reader cannot read', async () => {
    const dir = await copy('choices');
    await writeFile(join(dir, 'config'), seal(master, Buffer.from(JSON.stringify({ version: 3 }))));
    const routed = new BuiltinResticChecker({ binary: new ResticChecker({ binary: join(FIXTURES, 'restic-fresh') }) });
    const at = (url: string, reader: string) => check({ ...checkConfig({ url, extraEnv: withCanary }), reader } as Check, routed);
    assert.equal((await at(good, 'restic')).reader, 'restic');
    assert.equal((await at(good, 'builtin')).reader, 'builtin');
    assert.equal((await at(good, 'auto')).reader, 'builtin');
    assert.equal((await at('sftp:backup@host:/srv/restic', 'auto')).reader, 'restic');
    assert.equal((await at(dir, 'auto')).reader, 'restic');
    assert.equal(await reason(at(dir, 'builtin')), 'repository format version 3 is not supported by the built-in reader (it reads versions 1 and 2)');
    await routed.close();
  });

  test('a snapshot file in an encoding the reader does not know', async () => {
    const dir = await copy('encoding-3');
    const sealed = seal(master, Buffer.concat([Buffer.from([3]), Buffer.from('{}')]));
    const id = createHash('sha256').update(sealed).digest('hex');
    await writeFile(join(dir, 'snapshots', id), sealed);
    assert.equal(await reason(check(checkConfig({ url: dir, extraEnv: withCanary }))), `snapshots/${id} uses encoding version 3, which this reader does not know`);
  });

  test('a snapshot file whose content is not what its name says', async () => {
    const dir = await copy('renamed');
    const [id] = await ids(dir, 'snapshots');
    const other = 'ab'.repeat(32);
    await cp(join(dir, 'snapshots', id!), join(dir, 'snapshots', other));
    assert.equal(await reason(check(checkConfig({ url: dir, extraEnv: withCanary }))), `snapshots/${other} is damaged: its content does not match its name`);
  });

  test('no repository, no password, a missing password file, a URL only restic reads', async () => {
    const missing = join(root, 'nothing-here');
    assert.equal(await reason(check(checkConfig({ url: missing, extraEnv: withCanary }))), `repository not found (no config file in ${missing})`);
    assert.equal(await reason(check(checkConfig({ url: good }))), 'no repository password given (set RESTIC_PASSWORD or RESTIC_PASSWORD_FILE in extra_env)');
    const file = join(root, 'no-such-password-file');
    assert.equal(await reason(check(checkConfig({ url: good, extraEnv: { RESTIC_PASSWORD_FILE: file } }))), `password file ${file} does not exist`);
    assert.equal(await reason(check(checkConfig({ url: 'sftp:backup@host:/srv/restic', extraEnv: withCanary }))), 'the built-in reader does not read sftp: repositories');
    assert.equal(
      await reason(check(checkConfig({ url: good, extraEnv: { RESTIC_PASSWORD_COMMAND: `echo ${CANARY}` } }))),
      'RESTIC_PASSWORD_COMMAND is run by the restic binary only',
    );
  });

  test('a password file is read as restic reads it (trailing newline trimmed)', async () => {
    const file = join(root, 'password');
    await writeFile(file, `${CANARY}\n`);
    const observed = await check(checkConfig({ url: good, extraEnv: { RESTIC_PASSWORD_FILE: file } }));
    assert.equal(observed.snapshots, 2);
  });

  test('backends that fail: a refused rest: connection, a hung one (timeout), a missing bucket', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    assert.equal(
      await reason(check(checkConfig({ url: `rest:http://user:${CANARY}@127.0.0.1:${port}/repo`, extraEnv: withCanary }))),
      `endpoint unreachable: 127.0.0.1:${port} refused the connection`,
    );
    const { port: silentPort } = silent.address() as { port: number };
    assert.equal(await reason(check(checkConfig({ url: `rest:http://127.0.0.1:${silentPort}/repo`, extraEnv: withCanary, timeoutMs: 1000 }))), 'timed out after 1s');
    assert.equal(
      await reason(check(checkConfig({ url: `s3:${s3.endpoint}/no-such-bucket/repo`, extraEnv: { ...withCanary, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: CANARY }, caCert: ca.certPath }))),
      'bucket "no-such-bucket" not found',
    );
  });
});

describe('secrets', () => {
  test('neither the password nor the master key is in any error, its stack or its properties', () => {
    assert.ok(seen.length >= 40, `only ${seen.length} messages were collected`);
    const keyBytes = [master.encrypt, master.mac.k, master.mac.r].map((text) => Buffer.from(text, 'base64'));
    const needles = [CANARY, master.encrypt, master.mac.k, master.mac.r, ...keyBytes.map((bytes) => bytes.toString('hex'))];
    for (const text of seen) for (const needle of needles) assert.ok(!text.includes(needle), `a secret leaked into: ${text}`);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalBackend } from '../../../src/checkers/reader/backends/local.js';
import type { Backend, FileType } from '../../../src/checkers/reader/backend.js';
import { BuiltinResticChecker } from '../../../src/checkers/reader/checker.js';
import { KeyDerivation } from '../../../src/checkers/reader/derivation.js';
import { userKeyDeriver } from '../../../src/checkers/reader/key-file.js';
import { ResticReader } from '../../../src/checkers/reader/reader.js';
import { ResticChecker } from '../../../src/checkers/restic/restic.js';
import { checkConfig } from '../../helpers/config.js';
import { fingerprint } from '../../helpers/fingerprint.js';
import { makeRepository, PASSWORD, restic, resticTime, tempDir } from '../../helpers/restic-repos.js';

const HOUR = 3_600_000;
const signal = new AbortController().signal;
const env = { PATH: process.env.PATH, HOME: process.env.HOME, RESTIC_CACHE_DIR: '' };
const withPassword = { RESTIC_PASSWORD: PASSWORD };

/** A local backend that notes every file it hands out. */
class Recording implements Backend {
  readonly reads: string[] = [];
  private readonly inner: Backend;
  constructor(readonly location: string) {
    this.inner = new LocalBackend(location);
  }
  list(type: FileType, s: AbortSignal) {
    return this.inner.list(type, s);
  }
  read(path: string, s: AbortSignal, maxBytes: number) {
    this.reads.push(path.replace(/\/[0-9a-f]{64}$/, '/*'));
    return this.inner.read(path, s, maxBytes);
  }
}

let root: string;
let derivations = 0;
const derivation = new KeyDerivation();
const derive = userKeyDeriver(derivation);
const counting = () => new ResticReader({ derive: (key, password, s) => (derivations++, derive(key, password, s)) });

before(async () => {
  root = await tempDir('rm-reader-cache-');
});

after(() => derivation.close());

describe('the key cache: one derivation per repository and password, then one listing plus new files', () => {
  test('a second check derives nothing and reads only the config file; a new snapshot costs one file; a forgotten one leaves', async () => {
    const url = await makeRepository(join(root, 'growing'), [{ host: 'h1' }, { host: 'h2', time: '2020-01-01 00:00:00' }]);
    const reader = counting();
    derivations = 0;
    const first = new Recording(url);
    assert.equal((await reader.snapshots(url, PASSWORD, first, signal)).length, 2);
    assert.deepEqual(first.reads, ['config', 'keys/*', 'snapshots/*', 'snapshots/*']);
    assert.equal(derivations, 1);

    // The config file says the repository is still there (it may have gone since: a lost mount).
    const second = new Recording(url);
    assert.equal((await reader.snapshots(url, PASSWORD, second, signal)).length, 2);
    assert.deepEqual(second.reads, ['config']);
    assert.equal(derivations, 1);

    await restic(['-r', url, 'backup', '--quiet', '--host', 'h3', url, '--exclude', `${url}/*`]);
    const third = new Recording(url);
    const three = await reader.snapshots(url, PASSWORD, third, signal);
    assert.deepEqual(third.reads, ['config', 'snapshots/*']);
    assert.equal(three.at(-1)!.hostname, 'h3');

    await restic(['-r', url, 'forget', three[0]!.id]);
    const fourth = new Recording(url);
    assert.deepEqual((await reader.snapshots(url, PASSWORD, fourth, signal)).map((s) => s.hostname), ['h1', 'h3']);
    assert.deepEqual(fourth.reads, ['config']);
    assert.equal(derivations, 1);
  });

  test('a repository that vanishes after it was opened is "repository not found", as at a first check; back again, it is read with the key kept', async () => {
    const url = await makeRepository(join(root, 'vanishing'), [{ host: 'h1' }]);
    const away = join(root, 'vanishing-moved');
    const reader = counting();
    derivations = 0;
    assert.equal((await reader.snapshots(url, PASSWORD, new LocalBackend(url), signal)).length, 1);
    const notFound = (error: Error) => {
      assert.equal(`${error.name}: ${error.message}`, `ReaderError: repository not found (no config file in ${url})`);
      return true;
    };
    // The same words a reader that never saw it says.
    await rename(url, away);
    await assert.rejects(counting().snapshots(url, PASSWORD, new LocalBackend(url), signal), notFound);
    await assert.rejects(reader.snapshots(url, PASSWORD, new LocalBackend(url), signal), notFound);
    await rename(away, url);
    assert.equal((await reader.snapshots(url, PASSWORD, new LocalBackend(url), signal)).length, 1);
    assert.equal(derivations, 1, 'the kept key served the repository when it came back');
    await rm(url, { recursive: true, force: true });
    await assert.rejects(reader.snapshots(url, PASSWORD, new LocalBackend(url), signal), notFound);
  });

  test('another password is another entry; a wrong one is not kept', async () => {
    const url = await makeRepository(join(root, 'two-keys'), [{ host: 'h1' }]);
    const file = join(root, 'second-password');
    await writeFile(file, 'second-password-for-tests\n');
    await restic(['-r', url, 'key', 'add', '--new-password-file', file]);
    const reader = counting();
    derivations = 0;
    await reader.snapshots(url, PASSWORD, new LocalBackend(url), signal);
    await reader.snapshots(url, 'second-password-for-tests', new LocalBackend(url), signal);
    assert.equal(reader.size, 2);
    await assert.rejects(reader.snapshots(url, 'wrong', new LocalBackend(url), signal), /^ReaderError: wrong password or no key found$/);
    assert.equal(reader.size, 2);
    await reader.snapshots(url, PASSWORD, new LocalBackend(url), signal);
    await reader.snapshots(url, 'second-password-for-tests', new LocalBackend(url), signal);
    // 1 + (1 or 2: the second password may try the first key file) + 2 for the wrong one.
    assert.ok(derivations >= 4 && derivations <= 5, `${derivations} derivations`);
  });

  test('a repository re-initialised at the same place is opened afresh (its master key changed)', async () => {
    const url = await makeRepository(join(root, 'reborn'), [{ host: 'old' }]);
    const reader = counting();
    derivations = 0;
    assert.deepEqual((await reader.snapshots(url, PASSWORD, new LocalBackend(url), signal)).map((s) => s.hostname), ['old']);
    await rm(url, { recursive: true, force: true });
    await makeRepository(url, [{ host: 'new' }]);
    assert.deepEqual((await reader.snapshots(url, PASSWORD, new LocalBackend(url), signal)).map((s) => s.hostname), ['new']);
    assert.equal(derivations, 2);
  });

  test('a reloaded config that drops a repository drops its key; the others stay open', async () => {
    const [kept, dropped] = await Promise.all([
      makeRepository(join(root, 'kept'), [{ host: 'h1' }]),
      makeRepository(join(root, 'dropped'), [{ host: 'h1' }]),
    ]);
    const reader = counting();
    const checker = new BuiltinResticChecker({ reader });
    const check = (url: string) => checker.check(checkConfig({ url, extraEnv: withPassword, reader: 'builtin' }), { signal, env });
    derivations = 0;
    await Promise.all([check(kept), check(dropped)]);
    assert.equal(reader.size, 2);
    assert.equal(derivations, 2);

    checker.retain([checkConfig({ url: kept, reader: 'builtin' })]);
    assert.equal(reader.size, 1);
    await check(kept);
    assert.equal(derivations, 2, 'the kept repository needed no new derivation');
    await check(dropped);
    assert.equal(derivations, 3, 'the dropped repository is derived afresh when it comes back');
    await checker.close();
  });

  test('reading changes nothing in the repository', async () => {
    const url = await makeRepository(join(root, 'untouched'), [{ host: 'h1' }]);
    const before = await fingerprint(url);
    const checker = new BuiltinResticChecker();
    await checker.check(checkConfig({ url, extraEnv: withPassword }), { signal, env });
    await checker.check(checkConfig({ url, extraEnv: withPassword }), { signal, env });
    assert.deepEqual(await fingerprint(url), before);
    await checker.close();
  });
});

describe('the same answer as the restic binary', () => {
  let shared: string;
  const builtin = new BuiltinResticChecker();
  const binary = new ResticChecker();
  before(async () => {
    shared = await makeRepository(join(root, 'shared'), [
      { host: 'web1' },
      { host: 'web2', time: '2020-01-01 00:00:00' },
      { host: 'web3', time: resticTime(3 * HOUR), tags: ['daily'] },
      { host: 'web3', time: resticTime(HOUR / 2) },
      { host: 'web1', time: resticTime(2 * HOUR), tags: ['daily', 'db'] },
    ]);
  });
  after(() => builtin.close());

  test('host, tag and path filters and --latest 1 grouping give the same observation', async () => {
    const variants = [
      {},
      { host: 'web3' },
      { host: 'web2' },
      { host: 'nope' },
      { tags: ['daily'] },
      { tags: ['daily', 'db'] },
      { host: 'web3', tags: ['daily'] },
      { paths: ['/no/such/path'] },
    ];
    for (const variant of variants) {
      const repository = checkConfig({ url: shared, extraEnv: withPassword, ...variant });
      const context = { signal, env };
      const { reader, ...mine } = await builtin.check(repository, context);
      assert.equal(reader, 'builtin');
      assert.deepEqual(mine, await binary.check(repository, context), JSON.stringify(variant));
      for (const everySnapshot of [false, true]) {
        const sort = (list: Array<{ time: Date }>) => list.map((s) => JSON.stringify(s)).sort();
        assert.deepEqual(sort(await builtin.list(repository, context, { everySnapshot })), sort(await binary.list(repository, context, { everySnapshot })));
      }
    }
  });
});

describe('locks', () => {
  test('a running backup\'s lock is read and decrypted: the same as restic cat lock', async () => {
    const url = await makeRepository(join(root, 'locked'), []);
    // backup --stdin holds its lock until its input ends.
    const child = spawn('restic', ['-r', url, 'backup', '--stdin', '--host', 'locker'], { env: { ...process.env, RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(root, 'cache') }, stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      const reader = new ResticReader();
      let locks = await reader.locks(url, PASSWORD, new LocalBackend(url), signal);
      for (const deadline = Date.now() + 30_000; locks.length === 0 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        locks = await reader.locks(url, PASSWORD, new LocalBackend(url), signal);
      }
      assert.equal(locks.length, 1);
      const { id, ...lock } = locks[0]!;
      assert.equal(lock.hostname, hostname());
      assert.equal(lock.pid, child.pid);
      assert.equal(lock.exclusive, false);
      const cat = JSON.parse(await restic(['-r', url, 'cat', 'lock', id, '--no-lock'])) as Record<string, unknown>;
      assert.deepEqual(lock, { time: cat.time, exclusive: cat.exclusive, hostname: cat.hostname, username: cat.username, pid: cat.pid, uid: cat.uid ?? 0, gid: cat.gid ?? 0 });
    } finally {
      child.kill('SIGKILL');
    }
  });
});

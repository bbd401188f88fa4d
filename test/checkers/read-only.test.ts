import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/daemon-process.js';
import { fingerprint } from '../helpers/fingerprint.js';
import { cliForNobody } from '../helpers/unprivileged.js';
import { makeRepository, PASSWORD, restic, tempDir } from '../helpers/restic-repos.js';

let root: string;
let repo: string;
/** restore_drill: a canary in the latest snapshot, read back by restic dump --no-lock. */
let drill: string;
before(async () => {
  root = await tempDir();
  repo = await makeRepository(join(root, 'repo'), [{ host: 'a' }, { host: 'b', time: '2024-01-01 00:00:00' }]);
  const canary = join(root, 'canary');
  await mkdir(canary);
  await writeFile(join(canary, 'backup-canary'), `${new Date().toISOString()}\n`);
  await restic(['-r', repo, 'backup', '--quiet', '--host', 'a', canary]);
  drill = `restore_drill: {path: ${join(canary, 'backup-canary')}}`;
});

test('checks leave a repository byte for byte as it was, with either reader; restic\'s cache goes where the config says', async () => {
  const cache = join(root, 'cache');
  const before = await fingerprint(repo);
  for (const reader of ['restic', 'builtin']) {
    const config = join(root, `config-${reader}.yaml`);
    // max_lock_age: the lock listing (restic list locks --no-lock) reads only, too; and
    // restore_drill's restic dump --no-lock.
    await writeFile(config, `repositories:\n  repo:\n    url: ${repo}\n    reader: ${reader}\n    cache_dir: ${cache}\n    max_lock_age: 2h\n    ${drill}\n    extra_env: {RESTIC_PASSWORD: ${PASSWORD}}\n`);
    for (let i = 0; i < 3; i++) {
      const result = await runCli(['status', '--json', '--config', config]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const [row] = JSON.parse(result.stdout) as Array<{ reader: string; signals: Array<{ name: string; ok: boolean }> }>;
      assert.equal(row!.reader, reader);
      assert.deepEqual(row!.signals.map(({ name, ok }) => [name, ok]), [['max_lock_age', true], ['restore_drill', true]]);
    }
    assert.deepEqual(await fingerprint(repo), before, reader);
  }
  assert.ok((await readdir(cache)).length > 0, 'restic used the configured cache directory');
});

test('a repository nobody may write to checks fine (run as an unprivileged user)', async () => {
  // root may write anywhere, so the check runs as nobody on a repository made read-only.
  await chmod(root, 0o755);
  spawnSync('chmod', ['-R', 'a+rX,a-w', repo]);
  const cache = join(root, 'nobody-cache');
  await mkdir(cache);
  spawnSync('chown', ['nobody:nogroup', cache]);
  const config = join(root, 'nobody.yaml');
  await writeFile(config, `repositories:\n  repo:\n    url: ${repo}\n    cache_dir: ${cache}\n    max_lock_age: 2h\n    ${drill}\n    extra_env: {RESTIC_PASSWORD: ${PASSWORD}}\n`);
  await chmod(config, 0o644);
  const before = await fingerprint(repo);
  const result = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, await cliForNobody(), 'status', '--config', config], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: '/nonexistent' },
  });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /repo\s+restic\s+.*UP\s+ok\s+\S+\s+latest snapshot/);
  // The drill ran, as nobody, and passed: restic dump read the canary from the read-only repository.
  const json = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, await cliForNobody(), 'status', '--json', '--config', config], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: '/nonexistent' },
  });
  assert.equal(json.status, 0, json.stdout + json.stderr);
  const [row] = JSON.parse(json.stdout) as Array<{ signals: Array<{ name: string; ok: boolean }>; drilled_at?: string }>;
  assert.deepEqual(row!.signals.map(({ name, ok }) => [name, ok]), [['max_lock_age', true], ['restore_drill', true]]);
  assert.equal(typeof row!.drilled_at, 'string');
  assert.deepEqual(await fingerprint(repo), before);
  spawnSync('chmod', ['-R', 'u+w', repo]);
});

test('an integrity check (restic check --no-lock, all data read) as nobody on a read-only repository: it passes and the repository is unchanged', async () => {
  await chmod(root, 0o755);
  spawnSync('chmod', ['-R', 'a+rX,a-w', repo]);
  const cache = join(root, 'nobody-integrity-cache');
  await mkdir(cache);
  spawnSync('chown', ['nobody:nogroup', cache]);
  const config = join(root, 'nobody-integrity.yaml');
  await writeFile(config, `repositories:\n  repo:\n    url: ${repo}\n    cache_dir: ${cache}\n    interval: 1h\n    integrity: {interval: 1h, read_data_subset: 100%}\n    extra_env: {RESTIC_PASSWORD: ${PASSWORD}}\n`);
  await chmod(config, 0o644);
  const before = await fingerprint(repo);
  const daemon = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, await cliForNobody(), 'daemon', '--config', config], {
    env: { PATH: process.env.PATH, HOME: '/nonexistent' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  daemon.stderr.on('data', (chunk) => (log += chunk));
  const exited = new Promise<number | null>((resolve) => daemon.on('exit', (code) => resolve(code)));
  try {
    await waitFor('the integrity check to end', () => /"msg":"integrity check (passed|failed)/.test(log), 60_000);
  } finally {
    daemon.kill('SIGTERM');
    assert.equal(await exited, 0, log);
  }
  assert.match(log, /"msg":"integrity check passed: no errors found \(read 100% of the data\)"/);
  assert.deepEqual(await fingerprint(repo), before);
  assert.deepEqual((await readdir(cache)).filter((name) => name.startsWith('restic-monitor-check-')), [], "the check's own cache is removed");
  spawnSync('chmod', ['-R', 'u+w', repo]);
});

test('cache_dir: off leaves no cache anywhere (the restic binary)', async () => {
  const home = join(root, 'home');
  await mkdir(home);
  const config = join(root, 'nocache.yaml');
  await writeFile(config, `repositories:\n  repo:\n    url: ${repo}\n    reader: restic\n    cache_dir: "off"\n    extra_env: {RESTIC_PASSWORD: ${PASSWORD}}\n`);
  const result = await runCli(['status', '--config', config], { env: { HOME: home, XDG_CACHE_HOME: undefined, RESTIC_CACHE_DIR: undefined } });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await readdir(home), []);
});

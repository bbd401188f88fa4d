import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CheckError } from '../../../src/checkers/checker.js';
import { ResticChecker } from '../../../src/checkers/restic/restic.js';
import type { Check } from '../../../src/config/types.js';
import { checkConfig } from '../../helpers/config.js';
import { FIXTURES } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/daemon-process.js';
import { readPids, survivors } from '../../helpers/processes.js';
import { startRestServer, type RestServer } from '../../helpers/rclone-serve.js';
import { countedFrom, listSnapshots, makeRepository, PASSWORD, resticTime, resticVersion, tempDir } from '../../helpers/restic-repos.js';
import { runCli } from '../../helpers/cli.js';
import { cp } from 'node:fs/promises';

const withPassword = { RESTIC_PASSWORD: PASSWORD };
const env = { PATH: process.env.PATH, HOME: process.env.HOME };
const check = (repository: Check, checker = new ResticChecker(), signal = new AbortController().signal) =>
  checker.check(repository, { signal, env });
const reason = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CheckError, `expected a CheckError, got ${String(error)}`);
    return error.reason;
  }
  assert.fail('the check should have failed');
};

let root: string;
let rest: RestServer;
let freshTime: Date;
let staleTime: Date;
let web2Time: Date;
/** 'backup_end' where restic 0.17+ wrote a summary, else 'time'. */
let basis: 'backup_end' | 'time';

before(async () => {
  root = await tempDir();
  await Promise.all([
    makeRepository(join(root, 'fresh'), [{ host: 'h1' }]),
    makeRepository(join(root, 'stale'), [{ time: '2020-01-01 00:00:00' }]),
    makeRepository(join(root, 'empty')),
    makeRepository(join(root, 'hosts'), [{ host: 'web1', time: resticTime(3_600_000) }, { host: 'web2', time: '2021-06-01 12:00:00' }, { host: 'web1', time: '2021-01-01 00:00:00' }]),
  ]);
  const [fresh] = await listSnapshots(join(root, 'fresh'));
  freshTime = countedFrom(fresh!);
  basis = fresh!.summary ? 'backup_end' : 'time';
  staleTime = countedFrom((await listSnapshots(join(root, 'stale')))[0]!);
  web2Time = countedFrom((await listSnapshots(join(root, 'hosts'))).find((snapshot) => snapshot.hostname === 'web2')!);
  rest = await startRestServer(root);
  // restic 0.14 to 0.19 panic on a repository whose config file is 8 bytes long.
  await cp(join(root, 'empty'), join(root, 'garbage-config'), { recursive: true });
  await writeFile(join(root, 'garbage-config', 'config'), '12345678');
});
after(() => rest?.close());

describe('restic mode against real repositories', () => {
  test('a local repository: the newest snapshot, counted from the end of its backup where restic recorded it', async () => {
    const observed = await check(checkConfig({ url: join(root, 'fresh'), extraEnv: withPassword }));
    assert.equal(observed.latest?.toISOString(), freshTime.toISOString());
    assert.equal(observed.basis, basis);
  });

  test('a back-dated repository (backup --time) keeps its declared old time, whatever the restic version', async () => {
    const observed = await check(checkConfig({ url: join(root, 'stale'), extraEnv: withPassword }));
    assert.equal(observed.latest?.toISOString(), staleTime.toISOString());
    const afterDeclared = observed.latest!.getTime() - Date.parse('2020-01-01T00:00:00Z');
    assert.ok(afterDeclared >= 0 && afterDeclared < 60_000, `${observed.latest?.toISOString()} is the declared time plus the backup's duration`);
  });

  test('an empty repository has no latest snapshot', async () => {
    assert.deepEqual(await check(checkConfig({ url: join(root, 'empty'), extraEnv: withPassword })), { latest: null, snapshots: 0 });
  });

  test('several hosts: the newest of all, or of the host asked for', async () => {
    const all = await check(checkConfig({ url: join(root, 'hosts'), extraEnv: withPassword }));
    assert.ok(Math.abs(all.latest!.getTime() - (Date.now() - 3_600_000)) < 120_000);
    const web2 = await check(checkConfig({ url: join(root, 'hosts'), host: 'web2', extraEnv: withPassword }));
    assert.equal(web2.latest?.toISOString(), web2Time.toISOString());
    const nobody = await check(checkConfig({ url: join(root, 'hosts'), host: 'web9', extraEnv: withPassword }));
    assert.equal(nobody.latest, null);
  });

  test('an rclone: remote defined in the environment', async () => {
    const observed = await check(
      checkConfig({
        url: `rclone:fixture:${join(root, 'fresh')}`,
        extraEnv: { ...withPassword, RCLONE_CONFIG_FIXTURE_TYPE: 'local', RCLONE_CONFIG: '/dev/null' },
      }),
    );
    assert.equal(observed.latest?.toISOString(), freshTime.toISOString());
  });

  test('a rest: server (rclone serve restic)', async () => {
    const observed = await check(checkConfig({ url: `rest:${rest.url}/stale`, extraEnv: withPassword }));
    assert.equal(observed.latest?.toISOString(), staleTime.toISOString());
  });
});

describe('restic failures become short reasons', () => {
  test('wrong password', async () => {
    assert.equal(await reason(check(checkConfig({ url: join(root, 'fresh'), extraEnv: { RESTIC_PASSWORD: 'not-it' } }))), 'wrong password or no key found');
  });

  test('no password at all', async () => {
    assert.equal(
      await reason(check(checkConfig({ url: join(root, 'fresh') }))),
      'no repository password given (set RESTIC_PASSWORD or RESTIC_PASSWORD_FILE in extra_env)',
    );
  });

  test('no repository at the location', async () => {
    assert.equal(await reason(check(checkConfig({ url: join(root, 'nothing-here'), extraEnv: withPassword }))), 'repository not found');
  });

  test('restic not installed', async () => {
    const checker = new ResticChecker({ binary: join(root, 'no-such-restic') });
    assert.equal(await reason(check(checkConfig({ url: '/x' }), checker)), `restic not installed (no "${join(root, 'no-such-restic')}" on PATH)`);
  });

  const fixture = (name: string) => new ResticChecker({ binary: join(FIXTURES, name) });

  test('a restic that crashes: the panic, not its last stack frame', async () => {
    assert.equal(
      await reason(check(checkConfig({ url: join(root, 'garbage-config'), extraEnv: withPassword }))),
      'restic crashed: panic: runtime error: slice bounds out of range [16:8]',
    );
  });

  const rclone = { RCLONE_CONFIG: '/dev/null' };

  /**
   * restic relays rclone's stderr through a goroutine of its own and may exit before rclone's
   * line is out (seen under load: restic 0.14's "error talking HTTP to rclone: context
   * canceled" instead). Up to three runs, so that the exact assertion is made on a run that
   * has the line.
   */
  async function withRcloneLine<T>(run: () => Promise<T>, hasLine: (result: T) => boolean): Promise<T> {
    let result = await run();
    for (let attempt = 1; attempt < 3 && !hasLine(result); attempt++) result = await run();
    return result;
  }

  test('an rclone: remote that is not configured: named as fast mode names it', async () => {
    const missing = 'rclone remote "missing" is not configured';
    const observed = await withRcloneLine(
      () => reason(check(checkConfig({ url: `rclone:missing:${join(root, 'fresh')}`, extraEnv: { ...withPassword, ...rclone } }))),
      (text) => text === missing,
    );
    assert.equal(observed, missing);
  });

  const sftpWithoutKey = { ...withPassword, ...rclone, RCLONE_CONFIG_X_TYPE: 'sftp', RCLONE_CONFIG_X_HOST: '127.0.0.1', RCLONE_CONFIG_X_PORT: '1' };
  const noAgent = 'rclone: Failed to create file system for "x:repo": couldn\'t connect to ssh-agent: SSH agent requested but SSH_AUTH_SOCK not-specified';

  test('an rclone: remote that rclone cannot set up: rclone\'s own error line', async () => {
    assert.equal(await reason(check(checkConfig({ url: 'rclone:x:repo', extraEnv: sftpWithoutKey }))), noAgent);
  });

  test('the same, replaying restic 0.14\'s stderr that ends in "context canceled"', async () => {
    assert.equal(await reason(check(checkConfig({ url: 'rclone:x:repo' }), fixture('restic-rclone-canceled'))), noAgent);
  });

  test('an S3 endpoint that refuses connections is unreachable, not a missing repository', async () => {
    const [major, minor] = await resticVersion();
    const refused = 'endpoint unreachable: 127.0.0.1:1 refused the connection';
    const observed = await reason(
      check(checkConfig({ url: 's3:http://127.0.0.1:1/bucket/repo', timeoutMs: 3000, extraEnv: { ...withPassword, AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' } })),
    );
    // restic 0.17+ retries a refused connection until the monitor's timeout ends it.
    assert.equal(observed, major === 0 && minor! < 17 ? refused : `timed out after 3s (${refused})`);
  });

  test('rclone\'s line is redacted like any reason, and kept within the message length', async () => {
    const path = join(root, 'rclone-secret.yaml');
    await writeFile(path, `repositories:\n  r:\n    url: "rclone:x:\${REPO_PATH}"\n    extra_env: ${JSON.stringify(sftpWithoutKey)}\n`);
    const row = await withRcloneLine(
      async () => {
        const result = await runCli(['status', '--json', '-c', path], { env: { REPO_PATH: 'secret-path-4711', SSH_AUTH_SOCK: undefined } });
        assert.equal(result.stdout.includes('secret-path-4711'), false, 'the path is masked whichever line the reason is');
        return (JSON.parse(result.stdout) as Array<{ error: string }>)[0]!;
      },
      (first) => first.error.startsWith('rclone: '),
    );
    assert.equal(row.error, noAgent.replace('"x:repo"', '"x:***"'));
    const long = join(root, 'rclone-long.yaml');
    await writeFile(long, `repositories:\n  r:\n    url: "rclone:x:${'d'.repeat(300)}"\n    extra_env: ${JSON.stringify(sftpWithoutKey)}\n`);
    const cut = await withRcloneLine(
      async () => (JSON.parse((await runCli(['status', '--json', '-c', long], { env: { SSH_AUTH_SOCK: undefined } })).stdout) as Array<{ error: string }>)[0]!,
      (first) => first.error.startsWith('rclone: '),
    );
    assert.equal(cut.error, `rclone: Failed to create file system for "x:${'d'.repeat(300)}`.slice(0, 197) + '...');
  });

  test('restic 0.17+ exit codes 12 and 10', async () => {
    assert.equal(await reason(check(checkConfig({ url: '/x' }), fixture('restic-exit12'))), 'wrong password or no key found');
    assert.equal(await reason(check(checkConfig({ url: '/x' }), fixture('restic-exit10'))), 'repository not found');
  });

  test('output that is not JSON, or has a time that is not a time', async () => {
    assert.equal(await reason(check(checkConfig({ url: '/x' }), fixture('restic-junk'))), 'unreadable output from restic: restic printed something that is not JSON');
    assert.equal(await reason(check(checkConfig({ url: '/x' }), fixture('restic-bad-time'))), 'unreadable output from restic: snapshot 1 has no readable time');
  });
});

describe('restic is run read-only, with the URL out of argv', () => {
  test('the exact arguments and the repository in RESTIC_REPOSITORY', async () => {
    const file = join(root, 'args.txt');
    const observed = await new ResticChecker({ binary: join(FIXTURES, 'restic-args') }).check(
      checkConfig({ url: 'rest:https://user:pw-in-url@host/repo', tags: ['daily', 'db'], host: 'web1', caCert: '/etc/ca.pem', cacheDir: '/var/cache/rm' }),
      { signal: new AbortController().signal, env: { ...env, FAKE_RESTIC_ARGS: file } },
    );
    const [args, repository] = (await readFile(file, 'utf8')).split('\n');
    assert.equal(args, 'snapshots --json --no-lock --group-by host,paths --latest 1 --cacert /etc/ca.pem --cache-dir /var/cache/rm --host web1 --tag daily,db');
    assert.equal(repository, 'rest:https://user:pw-in-url@host/repo');
    // "+01:00" with nanoseconds: compared as an instant, not as a string.
    assert.equal(observed.latest?.toISOString(), '2025-12-31T23:00:00.123Z');
  });

  test('cache_dir "off" turns restic\'s cache off', async () => {
    const file = join(root, 'args-off.txt');
    await new ResticChecker({ binary: join(FIXTURES, 'restic-args') }).check(checkConfig({ url: '/x', cacheDir: 'off' }), {
      signal: new AbortController().signal,
      env: { ...env, FAKE_RESTIC_ARGS: file },
    });
    assert.equal((await readFile(file, 'utf8')).split('\n')[0], 'snapshots --json --no-lock --group-by host,paths --latest 1 --no-cache');
  });
});

describe('a hung restic never hangs the monitor', () => {
  test('killed at its timeout, with every process it started', async () => {
    const pids = join(root, 'hang-timeout.pids');
    await writeFile(pids, '');
    const checker = new ResticChecker({ binary: join(FIXTURES, 'restic-hang') });
    const failure = reason(checker.check(checkConfig({ url: '/x', timeoutMs: 1000 }), { signal: new AbortController().signal, env: { ...env, FAKE_RESTIC_PIDS: pids } }));
    assert.equal(await failure, 'timed out after 1s');
    const started = await readPids(pids);
    assert.equal(started.length, 2, 'the fixture and its grandchild both started');
    assert.deepEqual(await survivors(started), []);
  });

  test('aborted by the caller, with every process it started', async () => {
    const pids = join(root, 'hang-abort.pids');
    await writeFile(pids, '');
    const controller = new AbortController();
    const checker = new ResticChecker({ binary: join(FIXTURES, 'restic-hang') });
    const failure = reason(checker.check(checkConfig({ url: '/x' }), { signal: controller.signal, env: { ...env, FAKE_RESTIC_PIDS: pids } }));
    await waitFor('the fake restic and its child', async () => (await readPids(pids)).length >= 2);
    controller.abort();
    assert.equal(await failure, 'aborted');
    assert.deepEqual(await survivors(await readPids(pids)), []);
  });
});

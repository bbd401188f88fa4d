import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/paths.js';
import { makeRepository, PASSWORD, tempDir } from '../helpers/restic-repos.js';
import type { CheckResult } from '../../src/run/result.js';

let dir: string;
let fleet: string;
let plain: string;
let wrongPasswordFile: string;

before(async () => {
  dir = await tempDir('rm-child-env-');
  [fleet, plain] = await Promise.all([
    makeRepository(join(dir, 'fleet'), [{ host: 'web1' }, { host: 'web2' }]),
    makeRepository(join(dir, 'plain'), [{ host: 'db1' }]),
  ]);
  wrongPasswordFile = join(dir, 'wrong-password');
  await writeFile(wrongPasswordFile, 'not-the-password\n');
});

async function status(config: string, env: Record<string, string | undefined>): Promise<CheckResult[]> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, config);
  const result = await runCli(['status', '--json', '-c', path], { env: { RESTIC_CACHE_DIR: join(dir, 'cache'), ...env } });
  assert.equal(result.stderr, '');
  return JSON.parse(result.stdout) as CheckResult[];
}

const summary = (rows: CheckResult[]) => rows.map((row) => [row.name, row.status, row.status === 'up' ? 'fresh' : row.message]);

const shared = `
defaults:
  max_age: 1h
  extra_env:
    RESTIC_PASSWORD: ${'$'}{PASSWORD}
repositories:
  fleet:
    url: ${'$'}{FLEET}
    hosts:
      web1:
      web2:
  alone:
    url: ${'$'}{FLEET}
    host: web1
    cache_dir: "off"
  plain:
    url: ${'$'}{PLAIN}
  merged-extra-env:
    url: ${'$'}{PLAIN}
    extra_env:
      OTHER: x
`;
const config = () => shared.replace(/\$\{PASSWORD\}/g, PASSWORD).replace(/\$\{FLEET\}/g, fleet).replace(/\$\{PLAIN\}/g, plain);
const allFresh = [
  ['fleet/web1', 'up', 'fresh'],
  ['fleet/web2', 'up', 'fresh'],
  ['alone', 'up', 'fresh'],
  ['plain', 'up', 'fresh'],
  ['merged-extra-env', 'up', 'fresh'],
];

test('RESTIC_HOST and RESTIC_REPOSITORY in the monitor\'s environment change no answer', async () => {
  // restic 0.17+ reads RESTIC_HOST as a default --host: every other host turned "no snapshots".
  const rows = await status(config(), { RESTIC_HOST: 'web2', RESTIC_REPOSITORY: join(dir, 'elsewhere'), RESTIC_REPOSITORY_FILE: join(dir, 'nowhere') });
  assert.deepEqual(summary(rows), allFresh);
});

test('an inherited password file does not beat a repository\'s own password', async () => {
  // restic prefers RESTIC_PASSWORD_FILE over RESTIC_PASSWORD: it used to fail "wrong password".
  const rows = await status(config(), { RESTIC_PASSWORD_FILE: wrongPasswordFile, RESTIC_PASSWORD_COMMAND: `cat ${wrongPasswordFile}`, RESTIC_PASSWORD: undefined });
  assert.deepEqual(summary(rows), allFresh);
});

test('a repository that sets no password uses the monitor\'s own password source', async () => {
  const rows = await status(`repositories:\n  plain:\n    url: ${plain}\n    max_age: 1h\n`, { RESTIC_PASSWORD_FILE: wrongPasswordFile, RESTIC_PASSWORD: undefined, RESTIC_HOST: 'web2' });
  assert.deepEqual(summary(rows), [['plain', 'down', 'check failed: wrong password or no key found']]);
});

test('an inherited rclone filter does not hide snapshot files from rclone fast mode', async () => {
  const rcloneConfig = join(dir, 'rclone.conf');
  await writeFile(rcloneConfig, '');
  const rows = await status(
    `repositories:\n  by-rclone:\n    url: rclone:tst:${plain}\n    mode: fast\n    max_age: 1h\n    extra_env: {RCLONE_CONFIG_TST_TYPE: local, RCLONE_CONFIG: ${rcloneConfig}}\n`,
    { RCLONE_MAX_AGE: '1ms', RCLONE_EXCLUDE: '*' },
  );
  assert.deepEqual(summary(rows), [['by-rclone', 'up', 'fresh']]);
});

test('exactly which variables restic receives', async () => {
  const dump = join(dir, 'env.txt');
  await status(
    `repositories:\n  r:\n    url: s3:host/bucket\n    reader: restic\n    extra_env: {RESTIC_PASSWORD: own, AWS_PROFILE: backup}\n`,
    {
      RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-env'),
      FAKE_RESTIC_ENV: dump,
      KEPT_FOR_TEST: 'yes',
      RESTIC_HOST: 'h',
      RESTIC_PASSWORD_FILE: '/p',
      AWS_ACCESS_KEY_ID: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SHARED_CREDENTIALS_FILE: '/aws',
      RCLONE_MAX_AGE: '1d',
    },
  );
  const received = new Map((await readFile(dump, 'utf8')).split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  for (const name of ['RESTIC_HOST', 'RESTIC_PASSWORD_FILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'RCLONE_MAX_AGE', 'RESTIC_MONITOR_RESTIC']) {
    assert.equal(received.has(name), false, `${name} reached restic`);
  }
  assert.equal(received.get('RESTIC_REPOSITORY'), 's3:host/bucket');
  assert.equal(received.get('RESTIC_PASSWORD'), 'own');
  assert.equal(received.get('AWS_PROFILE'), 'backup');
  assert.equal(received.get('AWS_SHARED_CREDENTIALS_FILE'), '/aws');
  assert.equal(received.get('KEPT_FOR_TEST'), 'yes');
  assert.equal(received.get('PATH'), process.env.PATH);
});

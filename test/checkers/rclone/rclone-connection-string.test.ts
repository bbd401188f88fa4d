// rclone connection strings (`rclone::webdav,url=...,pass=...:path`) carry credentials: they
// must reach rclone through its environment, never its command line (which `ps` shows to
// everyone), and never appear in any output. Real rclone serving WebDAV with a login, real
// restic (restic mode starts rclone itself), the built CLI; a recorder in front of rclone
// reads each rclone's /proc/PID/cmdline.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CheckResultJson } from '../../../src/run/result-json.js';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { FIXTURES } from '../../helpers/paths.js';
import { startWebdavServer, type WebdavServer } from '../../helpers/rclone-serve.js';
import { makeRepository, PASSWORD, tempDir } from '../../helpers/restic-repos.js';

const DAV_PASSWORD = 'dav-password-canary-0001';
const BEARER = 'SECRETbearer-canary-0002';

let dir: string;
let dav: WebdavServer;
let obscured: string;
let record: string;
let config: string;
let env: Record<string, string>;

before(async () => {
  dir = await tempDir('rm-rclone-connection-');
  await makeRepository(join(dir, 'dav', 'repo'), [{}]);
  dav = await startWebdavServer(join(dir, 'dav'), { user: 'backup', pass: DAV_PASSWORD });
  // rclone wants a password in a connection string obscured; the obscured form is as secret.
  obscured = execFileSync('rclone', ['obscure', DAV_PASSWORD], { encoding: 'utf8' }).trim();
  record = join(dir, 'rclone-command-lines');
  await writeFile(record, '');
  const login = `rclone::webdav,url='${dav.url}',user=backup,pass=${obscured}:`;
  config = join(dir, 'config.yaml');
  await writeFile(
    config,
    `defaults:
  extra_env: {RESTIC_PASSWORD: ${PASSWORD}, RCLONE_CONFIG: /dev/null}
repositories:
  fast: {url: "${login}repo", mode: fast, max_lock_age: 2h}
  restic: {url: "${login}repo"}
  missing: {url: "${login}missing", mode: fast}
  bearer: {url: "rclone::webdav,url='${dav.url}',bearer_token=${BEARER}:repo", mode: fast}
discover:
  - {url: "${login}", check: false}
`,
  );
  const real = execFileSync('sh', ['-c', 'command -v rclone'], { encoding: 'utf8' }).trim();
  // Fast mode and restic both find rclone on PATH: the recorder first.
  env = { PATH: `${join(FIXTURES, 'rclone-recorder')}:${process.env.PATH}`, RECORDED_RCLONE_LOG: record, RECORDED_RCLONE_REAL: real, RESTIC_PASSWORD: '', LOG_LEVEL: 'debug' };
});

after(() => dav?.close());

const cli = (args: string[]) => runCli([...args, '--config', config], { env });

test('fast mode, restic mode and discover work over a connection string with a login, and no rclone command line holds its credentials', async () => {
  const status = await cli(['status', '--json']);
  const rows = JSON.parse(status.stdout) as CheckResultJson[];
  const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
  assert.equal(byName.fast?.status, 'up', byName.fast?.message);
  assert.equal(byName.restic?.status, 'up', byName.restic?.message);
  assert.equal(byName.restic?.reader, 'restic', 'rclone: repositories are read by the restic binary, which starts rclone itself');
  assert.equal(byName.missing?.message, `check failed: not a restic repository (no snapshots/ directory at :webdav,url='${dav.url}',user=backup,pass=***:missing)`);
  assert.match(byName.bearer!.message, /^check failed: rclone exited with code 1: .*401 Unauthorized/);

  const lines = (await readFile(record, 'utf8')).trim().split('\n');
  // fast: snapshots/ and locks/; missing; bearer; restic's `rclone serve restic`; discover: the location and repo/.
  assert.ok(lines.some((line) => / lsjson .* restic_monitor_remote: $/.test(line)), lines.join('\n'));
  assert.ok(lines.some((line) => / serve restic --stdio .*restic_monitor_remote:$/.test(line.trim())), lines.join('\n'));
  for (const line of lines) {
    assert.ok(!line.includes(obscured) && !line.includes(BEARER) && !line.includes('webdav'), `a command line holds the connection string: ${line}`);
  }
});

test('validate masks the credentials of every connection string, keeps the url and user', async () => {
  const result = await cli(['validate']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`url: rclone::webdav,url='${dav.url}',user=backup,pass=\\*\\*\\*:repo$`, 'm'));
  assert.match(result.stdout, new RegExp(`url: rclone::webdav,url='${dav.url}',bearer_token=\\*\\*\\*:repo$`, 'm'));
});

test('no output of any command holds a connection string credential', async () => {
  const outputs: CliResult[] = [await cli(['validate']), await cli(['validate', '--json']), await cli(['status']), await cli(['status', '--json']), await cli(['run'])];
  const everything = outputs.flatMap((output) => [output.stdout, output.stderr]).join('\n');
  for (const secret of [obscured, BEARER, DAV_PASSWORD]) assert.ok(!everything.includes(secret), `${secret} leaked`);
});

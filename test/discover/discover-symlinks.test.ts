// discover: over local trees with symbolic links, with repositories made by real restic. A
// repository is what it is, not the path it was found under: an alias of a covered one is
// covered, a loop is never walked round, and a link out of the location is followed.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CheckResultJson, UnmonitoredJson } from '../../src/run/result-json.js';
import { runCli } from '../helpers/cli.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { makeRepository, tempDir } from '../helpers/restic-repos.js';

let dir: string;
let kuma: PushReceiver;
/** backups/hostA/web, and backups/current -> hostA (a "current host" alias). */
let backups: string;
/** tree/: hostB/app, hostB/up -> .., loop -> ., ext -> ../elsewhere (db, mail, self -> .). */
let tree: string;
let elsewhere: string;

before(async () => {
  dir = await tempDir('rm-discover-links-');
  backups = join(dir, 'backups');
  tree = join(dir, 'tree');
  elsewhere = join(dir, 'elsewhere');
  await Promise.all([
    makeRepository(join(backups, 'hostA', 'web'), [{}]),
    makeRepository(join(tree, 'hostB', 'app'), [{}]),
    makeRepository(join(elsewhere, 'db'), [{}]),
    makeRepository(join(elsewhere, 'mail'), [{}]),
  ]);
  await symlink('hostA', join(backups, 'current'));
  await symlink('..', join(tree, 'hostB', 'up'));
  await symlink('.', join(tree, 'loop'));
  await symlink(join('..', 'elsewhere'), join(tree, 'ext'));
  await symlink('.', join(elsewhere, 'self'));
  await mkdir(join(tree, 'empty'));
  kuma = await startPushReceiver(['tok-web', 'tok-db']);
});

after(async () => {
  await kuma?.close();
});

async function cli(args: string[], config: string) {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, config);
  return runCli([...args, '-c', file], { env: { RESTIC_PASSWORD: undefined } });
}

type Row = CheckResultJson | UnmonitoredJson;

test('a symlink to a folder of the location is an alias: the repository a check covers is not unmonitored under it', async () => {
  const result = await cli(
    ['run'],
    `defaults: {mode: fast, push_url: ${kuma.pushUrl}}
repositories:
  web: {url: ${backups}/hostA/web, push_token: tok-web}
discover:
  - {url: ${backups}, check: false}
`,
  );
  assert.match(result.stdout, /^UP   web: latest snapshot .* \[pushed to uptime-kuma\]\n$/);
  assert.equal(result.code, 0, result.stdout);
});

test('a check that names the repository through the alias covers it under its real path too', async () => {
  const result = await cli(
    ['run'],
    `defaults: {mode: fast, push_url: ${kuma.pushUrl}}
repositories:
  web: {url: ${backups}/current/web, push_token: tok-web}
discover:
  - {url: ${backups}, check: false}
`,
  );
  assert.match(result.stdout, /^UP   web: latest snapshot .* \[pushed to uptime-kuma\]\n$/);
  assert.equal(result.code, 0, result.stdout);
});

test('loops are not walked round; a link out of the location is followed, and its repositories are compared by real path', async () => {
  const result = await cli(
    ['status', '--json', '--log-level', 'info'],
    `defaults: {mode: fast}
repositories:
  db: {url: ${elsewhere}/db}
discover:
  - {url: ${tree}, check: false}
`,
  );
  const rows = JSON.parse(result.stdout) as Row[];
  assert.deepEqual(
    rows.map((row) => [row.name, row.status, 'url' in row ? row.url : '']),
    [
      ['db', 'up', ''],
      ['ext/mail', 'unmonitored', `${tree}/ext/mail`],
      ['hostB/app', 'unmonitored', `${tree}/hostB/app`],
    ],
  );
  assert.equal(result.code, 1);
  const done = result.stderr.split('\n').filter((line) => line.includes('"msg":"discovery done"'));
  assert.equal(done.length, 1, result.stderr);
  const logged = JSON.parse(done[0]!) as { locations: Array<{ location: string; found: number; failed?: boolean }> };
  // ext/db (covered by db), ext/mail and hostB/app: each once, under one path.
  assert.deepEqual(logged.locations.map(({ location, found, failed }) => ({ location, found, failed })), [{ location: 'discover[0]', found: 3, failed: undefined }]);
});

test('check: true: a repository reached through an alias is checked once, under its real path', async () => {
  const result = await cli(
    ['status', '--json'],
    `defaults: {mode: fast}
discover:
  - url: ${backups}
`,
  );
  const rows = JSON.parse(result.stdout) as Row[];
  assert.deepEqual(rows.map((row) => `${row.name} ${row.status}`), ['hostA/web up']);
  assert.equal(result.code, 0, result.stdout);
});

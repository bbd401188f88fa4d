// discover: over a local directory and the same directory through rclone (a local remote
// from the environment), with repositories made by real restic.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CheckResultJson, UnmonitoredJson } from '../../src/run/result-json.js';
import { runCli } from '../helpers/cli.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { makeRepository, tempDir } from '../helpers/restic-repos.js';

let dir: string;
let root: string;
let kuma: PushReceiver;
const RCLONE = 'RCLONE_CONFIG: /dev/null, RCLONE_CONFIG_TST_TYPE: local';

before(async () => {
  dir = await tempDir('rm-discover-local-');
  root = join(dir, 'backups');
  await Promise.all([makeRepository(join(root, 'alpha'), [{}]), makeRepository(join(root, 'beta'), [{}]), makeRepository(join(root, 'group', 'gamma'), [{}])]);
  await mkdir(join(root, 'notes'));
  await writeFile(join(root, 'notes', 'readme'), 'not a repository\n');
  kuma = await startPushReceiver(['tok-alpha', 'tok-beta']);
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

test('a local directory, check: true: each repository found is checked and pushed with defaults, its path as {{ .Name }}; one defaults cannot push for is a down row', async () => {
  const result = await cli(
    ['run'],
    `defaults:
  mode: fast
  push_url: ${kuma.pushUrl}
  push_token: "tok-{{ .Name }}"
discover:
  - url: ${root}
`,
  );
  assert.equal(result.code, 1);
  const lines = result.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 3, result.stdout);
  assert.match(lines[0]!, /^UP   alpha: latest snapshot .* \[pushed to uptime-kuma\]$/);
  assert.match(lines[1]!, /^UP   beta: latest snapshot .* \[pushed to uptime-kuma\]$/);
  assert.equal(
    lines[2],
    'DOWN group/gamma: cannot check with defaults: defaults.push_token: has characters that do not belong in a URL (allowed: letters, digits, . _ ~ -) [not pushed (no push target)]',
  );
  assert.deepEqual(kuma.beats.map((beat) => [beat.token, beat.status]).sort(), [['tok-alpha', 'up'], ['tok-beta', 'up']]);
});

test('rclone, check: false: found repositories no check covers are unmonitored; one rclone lsjson per folder', async () => {
  const result = await cli(
    ['status', '--json', '--log-level', 'info'],
    `defaults:
  mode: fast
  extra_env: {${RCLONE}}
repositories:
  alpha: {url: "rclone:tst:${root}/alpha"}
discover:
  - {url: "rclone:tst:${root}/", check: false}
`,
  );
  const rows = JSON.parse(result.stdout) as Row[];
  assert.deepEqual(rows.map((row) => `${row.name} ${row.status}`), ['alpha up', 'beta unmonitored', 'group/gamma unmonitored']);
  assert.equal((rows[1] as UnmonitoredJson).url, `rclone:tst:${root}/beta`);
  assert.equal(result.code, 1);
  // backups/; alpha, beta, group, notes; gamma.
  const done = result.stderr.split('\n').filter((line) => line.includes('"msg":"discovery done"'));
  assert.equal(done.length, 1, result.stderr);
  const logged = JSON.parse(done[0]!) as { locations: Array<{ location: string; found: number; requests: number }>; checks: number; unmonitored: number };
  assert.deepEqual(logged.locations.map(({ location, found, requests }) => ({ location, found, requests })), [{ location: 'discover[0]', found: 3, requests: 6 }]);
  assert.equal(logged.unmonitored, 2);
});

test('a location that is not there is a down row naming it (local and rclone)', async () => {
  const missing = join(dir, 'no-such-dir');
  const result = await cli(
    ['status', '--json'],
    `defaults:
  mode: fast
  extra_env: {${RCLONE}}
discover:
  - url: ${missing}
  - url: "rclone:tst:${missing}"
  - url: "rclone:unknown:${root}"
`,
  );
  assert.equal(result.code, 1);
  const rows = JSON.parse(result.stdout) as CheckResultJson[];
  assert.deepEqual(
    rows.map(({ name, status, message }) => ({ name, status, message })),
    [
      { name: missing, status: 'down', message: `discovery failed: no directory ${missing}` },
      { name: `rclone:tst:${missing}`, status: 'down', message: `discovery failed: no directory tst:${missing}` },
      { name: `rclone:unknown:${root}`, status: 'down', message: 'discovery failed: rclone remote "unknown" is not configured' },
    ],
  );
});

test('validate shows the locations, secrets masked, and lists nothing; --only turns discovery off', async () => {
  const config = `defaults:
  mode: fast
discover:
  - url: "s3:https://user:\${S3_PASS}@s3.example.invalid/backups"
  - {url: ${root}, check: false}
`;
  const file = join(dir, 'validate.yaml');
  await writeFile(file, config);
  const result = await runCli(['validate', '-c', file], { env: { S3_PASS: 'very-secret-pass' } });
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  assert.equal(
    result.stdout,
    `concurrency: ${result.stdout.match(/^concurrency: (\d+)$/m)![1]}
repositories: {}
discover:
  - url: s3:https://user:***@s3.example.invalid/backups
    check: true
  - url: ${root}
    check: false
# config OK: no repositories of its own; discover: 2 locations, listed by run, status and daemon, not by validate
`,
  );
  // An unreachable .invalid host would be a down row: --only lists nothing, so there is none.
  const only = await cli(['status', '--json', '--only', 'alpha'], `defaults: {mode: fast}\nrepositories:\n  alpha: {url: ${root}/alpha}\ndiscover:\n  - url: "s3:https://s3.example.invalid/backups"\n`);
  assert.deepEqual((JSON.parse(only.stdout) as Row[]).map((row) => `${row.name} ${row.status}`), ['alpha up']);
  assert.equal(only.code, 0);
});

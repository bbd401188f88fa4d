import assert from 'node:assert/strict';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/paths.js';
import { makeRepository, PASSWORD, tempDir } from '../helpers/restic-repos.js';
import type { CheckResultJson } from '../../src/run/result-json.js';

let dir: string;
let repo: string;
let empty: string;
let old: string;
let rcloneConfig: string;

/** One object of `status --json`. */
type Row = CheckResultJson;

before(async () => {
  dir = await tempDir('rm-fast-');
  repo = await makeRepository(join(dir, 'repo'), [{ host: 'a' }, { host: 'b' }]);
  empty = await makeRepository(join(dir, 'empty'));
  old = await makeRepository(join(dir, 'old'), [{ host: 'a' }]);
  // Fast mode reads file times: age the snapshot file itself, as a stopped backup would leave it.
  for (const name of await readdir(join(old, 'snapshots'))) await utimes(join(old, 'snapshots', name), new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
  await mkdir(join(dir, 'not-a-repo'));
  rcloneConfig = join(dir, 'rclone.conf');
  await writeFile(rcloneConfig, '');
});

const rcloneEnv = () => `
    extra_env:
      RCLONE_CONFIG_TST_TYPE: local
      RCLONE_CONFIG: ${rcloneConfig}`;

/** `status --json` with no restic password anywhere in the environment. */
async function status(repositories: string, env: Record<string, string> = {}): Promise<Row[]> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, `repositories:\n${repositories}`);
  const result = await runCli(['status', '--json', '-c', path], {
    env: { RESTIC_PASSWORD: undefined, RESTIC_PASSWORD_FILE: undefined, RESTIC_CACHE_DIR: join(dir, 'cache'), ...env },
  });
  assert.equal(result.stderr, '');
  return JSON.parse(result.stdout) as Row[];
}

test('local and rclone fast mode agree with restic mode on the same repository, without a password', async () => {
  const rows = await status(`
  by-restic:
    url: ${repo}
    extra_env:
      RESTIC_PASSWORD: ${PASSWORD}
  plain-path:
    url: ${repo}
    mode: fast
  local-prefix:
    url: local:${repo}
    mode: auto
  by-rclone:
    url: rclone:tst:${repo}
    mode: fast${rcloneEnv()}
`);
  assert.deepEqual(
    rows.map((row) => [row.name, row.mode, row.status]),
    [
      ['by-restic', 'restic', 'up'],
      ['plain-path', 'fast', 'up'],
      ['local-prefix', 'fast', 'up'],
      ['by-rclone', 'fast', 'up'],
    ],
  );
  const reference = Date.parse(rows[0]!.latest!);
  for (const row of rows.slice(1)) {
    // The snapshot file is written when the backup ends, a moment after its recorded start.
    const offset = Date.parse(row.latest!) - reference;
    assert.ok(offset > -2000 && offset < 10_000, `${row.name}: ${row.latest} vs restic ${rows[0]!.latest}`);
  }
  assert.equal(rows[1]!.latest, rows[3]!.latest, 'local mtime and rclone ModTime are the same instant');
});

test('fast mode reports an old snapshot file as stale, and an empty repository as no snapshots', async () => {
  const rows = await status(`
  old-local:
    url: ${old}
    mode: fast
  old-rclone:
    url: rclone:tst:${old}
    mode: fast${rcloneEnv()}
  empty-local:
    url: ${empty}
    mode: fast
  empty-rclone:
    url: rclone:tst:${empty}/
    mode: fast${rcloneEnv()}
`);
  assert.deepEqual(
    rows.map((row) => [row.name, row.status, row.latest]),
    [
      ['old-local', 'down', '2020-01-01T00:00:00.000Z'],
      ['old-rclone', 'down', '2020-01-01T00:00:00.000Z'],
      ['empty-local', 'down', null],
      ['empty-rclone', 'down', null],
    ],
  );
  assert.match(rows[0]!.message, /^stale: latest snapshot \d+d\d*h? ago \(max 1d\)$/);
  assert.equal(rows[2]!.message, 'no snapshots');
  assert.equal(rows[3]!.message, 'no snapshots');
});

test('a missing or foreign location is a failed check that says what is wrong', async () => {
  const rows = await status(`
  gone:
    url: ${join(dir, 'unmounted')}
    mode: fast
  foreign:
    url: local:${join(dir, 'not-a-repo')}
    mode: fast
  gone-rclone:
    url: rclone:tst:${join(dir, 'unmounted')}
    mode: fast${rcloneEnv()}
  unknown-remote:
    url: rclone:nope:${repo}
    mode: fast${rcloneEnv()}
`);
  assert.deepEqual(
    rows.map((row) => [row.name, row.status, row.message]),
    [
      ['gone', 'down', `check failed: repository not found (no directory ${join(dir, 'unmounted')})`],
      ['foreign', 'down', `check failed: not a restic repository (no snapshots/ directory in ${join(dir, 'not-a-repo')})`],
      ['gone-rclone', 'down', `check failed: not a restic repository (no snapshots/ directory at tst:${join(dir, 'unmounted')})`],
      ['unknown-remote', 'down', 'check failed: rclone remote "nope" is not configured'],
    ],
  );
});

test('a hung rclone is killed at the repository timeout; a missing one is named', async () => {
  const hung = await status(`
  hung:
    url: rclone:tst:${repo}
    mode: fast
    timeout: 1s
`, { RESTIC_MONITOR_RCLONE: join(FIXTURES, 'hanging-rclone.sh') });
  assert.equal(hung[0]!.message, 'check failed: timed out after 1s');
  const missing = await status(`
  missing:
    url: rclone:tst:${repo}
    mode: fast
`, { RESTIC_MONITOR_RCLONE: join(dir, 'no-such-rclone') });
  assert.equal(missing[0]!.message, `check failed: rclone not installed (no "${join(dir, 'no-such-rclone')}" on PATH)`);
});

test('a host filter keeps a check on restic even in fast mode', async () => {
  const rows = await status(`
  shared:
    url: ${repo}
    mode: fast
    extra_env:
      RESTIC_PASSWORD: ${PASSWORD}
    hosts:
      a:
      z:
`);
  assert.deepEqual(
    rows.map((row) => [row.name, row.mode, row.status, row.message.startsWith('latest snapshot') ? 'fresh' : row.message]),
    [
      ['shared/a', 'restic', 'up', 'fresh'],
      ['shared/z', 'restic', 'down', 'no snapshots for host z'],
    ],
  );
});

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { settleAges } from '../../helpers/ages.js';
import { runCli } from '../../helpers/cli.js';
import { FIXTURES } from '../../helpers/paths.js';
import { countedFrom, listSnapshots, makeRepository, PASSWORD, resticTime, tempDir } from '../../helpers/restic-repos.js';
import type { CheckResultJson } from '../../../src/run/result-json.js';

const HOUR = 3_600_000;
let dir: string;
let fleet: string;
let single: string;

/** One object of `status --json`. */
type Row = CheckResultJson;

before(async () => {
  dir = await tempDir('rm-shared-');
  // web1 fresh; web2 stopped years ago; web3's newest is untagged, its last "daily" is 3h old.
  fleet = await makeRepository(join(dir, 'fleet'), [
    { host: 'web1' },
    { host: 'web2', time: '2020-01-01 00:00:00' },
    { host: 'web3', time: resticTime(3 * HOUR), tags: ['daily'] },
    { host: 'web3', time: resticTime(30 * 60_000) },
  ]);
  single = await makeRepository(join(dir, 'single'), [{ host: 'db1' }]);
});

/** `status --json` with restic behind a wrapper that notes every start; returns rows and starts. */
async function status(config: string, args: string[] = []): Promise<{ rows: Row[]; starts: string[]; code: number | null }> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  const counter = `${path}.starts`;
  await writeFile(path, config);
  await writeFile(counter, '');
  const result = await runCli(['status', '--json', '-c', path, ...args], {
    env: { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'counting-restic.sh'), RESTIC_COUNT_FILE: counter, RESTIC_CACHE_DIR: join(dir, 'cache') },
  });
  assert.equal(result.stderr, '');
  const starts = (await readFile(counter, 'utf8')).split('\n').filter((line) => line !== '');
  return { rows: JSON.parse(result.stdout) as Row[], starts, code: result.code };
}

const fleetConfig = (hosts: string) => `
defaults:
  max_age: 1h
  extra_env:
    RESTIC_PASSWORD: ${PASSWORD}
repositories:
  fleet:
    url: ${fleet}
    hosts:
${hosts}
  single:
    url: ${single}
`;

test('one restic run per repository URL serves every host; each host gets its own verdict', async () => {
  const { rows, starts, code } = await status(fleetConfig('      web1:\n      web2:\n        max_age: 1w\n      web9:\n'));
  assert.equal(code, 1);
  assert.deepEqual(
    rows.map((row) => [row.name, row.mode, row.status]),
    [
      ['fleet/web1', 'restic', 'up'],
      ['fleet/web2', 'restic', 'down'],
      ['fleet/web9', 'restic', 'down'],
      ['single', 'restic', 'up'],
    ],
  );
  const web2 = (await listSnapshots(fleet)).find((snapshot) => snapshot.hostname === 'web2')!;
  assert.equal(rows[1]!.latest, countedFrom(web2).toISOString());
  assert.match(rows[1]!.message, /^stale: latest snapshot \d+d\d*h? ago \(max 7d\)$/);
  assert.equal(rows[2]!.message, 'no snapshots for host web9');
  // Two repositories, two restic processes: the shared one unfiltered, newest per group.
  assert.equal(starts.length, 2);
  assert.deepEqual(starts.map((line) => line.includes('--host')).sort(), [false, false]);
  assert.ok(starts.every((line) => line.includes('--latest 1')));
});

test('a tag filter in the group reads every snapshot, so an older tagged one is found', async () => {
  const { rows, starts } = await status(fleetConfig('      web3:\n        tags: [daily]\n      web1:\n'));
  const web3 = rows.find((row) => row.name === 'fleet/web3')!;
  assert.equal(web3.status, 'down');
  assert.match(settleAges(web3.message), /^stale: latest snapshot 3h ago \(max 1h\)$/);
  assert.equal(rows.find((row) => row.name === 'fleet/web1')!.status, 'up');
  assert.equal(starts.length, 2);
  assert.ok(starts.some((line) => line.startsWith('snapshots --json --no-lock') && !line.includes('--latest')));
});

test('the shared listing agrees with restic filtering by itself', async () => {
  const shared = await status(fleetConfig('      web1:\n      web2:\n      web3:\n        tags: [daily]\n'));
  for (const name of ['fleet/web1', 'fleet/web2', 'fleet/web3']) {
    // --only leaves one check on the URL: nothing to share, restic filters by itself.
    const alone = await status(fleetConfig('      web1:\n      web2:\n      web3:\n        tags: [daily]\n'), ['--only', name]);
    assert.equal(alone.starts.length, 1);
    assert.ok(alone.starts[0]!.includes(name === 'fleet/web3' ? '--host web3 --tag daily' : `--host ${name.slice(6)}`));
    assert.equal(alone.rows[0]!.latest, shared.rows.find((row) => row.name === name)!.latest, name);
  }
});

test('a failed shared run turns every host down with the reason, still once', async () => {
  const { rows, starts } = await status(
    `
repositories:
  fleet:
    url: ${fleet}
    extra_env:
      RESTIC_PASSWORD: not-the-password
    hosts:
      web1:
      web2:
`,
  );
  assert.equal(starts.length, 1);
  assert.deepEqual(
    rows.map((row) => [row.name, row.status, row.message]),
    [
      ['fleet/web1', 'down', 'check failed: wrong password or no key found'],
      ['fleet/web2', 'down', 'check failed: wrong password or no key found'],
    ],
  );
});

test('--only with a repository name picks all of its host checks, still sharing one run', async () => {
  const { rows, starts } = await status(fleetConfig('      web1:\n      web2:\n'), ['--only', 'fleet']);
  assert.deepEqual(rows.map((row) => row.name), ['fleet/web1', 'fleet/web2']);
  assert.equal(starts.length, 1);
});

test('status --json says what latest is: backup_end for restic 0.17+ snapshots, time for older ones', async () => {
  const { rows } = await status(fleetConfig('      web1:\n'));
  const [web1] = (await listSnapshots(fleet)).filter((snapshot) => snapshot.hostname === 'web1');
  const row = rows.find((r) => r.name === 'fleet/web1')!;
  assert.equal(row.latest_basis, web1!.summary ? 'backup_end' : 'time');
  assert.equal(row.latest, countedFrom(web1!).toISOString());
});

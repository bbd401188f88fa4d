import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import type { CheckResultJson } from '../../../src/run/result-json.js';
import { runCli } from '../../helpers/cli.js';
import { FIXTURES } from '../../helpers/paths.js';
import { startPushReceiver } from '../../helpers/push-receiver.js';
import { tempDir } from '../../helpers/restic-repos.js';

// The shared listing against a stand-in that answers as restic 0.19.0 did (not in Debian:
// its --latest 1 alone kept one snapshot overall). No real restic runs here, so, unlike
// shared-restic.test.ts, this suite runs once, not once per restic version (scripts/test.sh).
let dir: string;

/** One object of `status --json`. */
type Row = CheckResultJson;

before(async () => {
  dir = await tempDir('rm-restic-0190-');
});

const FAKE_0190 = join(FIXTURES, 'restic-0.19.0.cjs');

/** `status --json` against the fixture that answers like restic 0.19.0. */
async function status0190(config: string, env: Record<string, string> = {}): Promise<{ rows: Row[]; args: string[] }> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  const argsFile = `${path}.args`;
  await writeFile(path, config);
  await writeFile(argsFile, '');
  const result = await runCli(['status', '--json', '-c', path], { env: { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: FAKE_0190, FAKE_RESTIC_ARGS: argsFile, ...env } });
  assert.equal(result.stderr, '');
  return { rows: JSON.parse(result.stdout) as Row[], args: (await readFile(argsFile, 'utf8')).split('\n').filter((line) => line !== '') };
}

const config0190 = `
repositories:
  fleet:
    url: /srv/restic
    extra_env: {RESTIC_PASSWORD: x}
    hosts:
      web1: {max_age: 2h}
      web2: {max_age: 6h}
      legacy: {max_age: 4h}
`;

test('restic 0.19.0, whose --latest 1 alone keeps only the newest snapshot overall, still serves every host', async () => {
  // The fixture does answer like 0.19.0: --latest 1 without --group-by gives one snapshot.
  const { stdout } = await promisify(execFile)(FAKE_0190, ['snapshots', '--json', '--no-lock', '--latest', '1']);
  assert.deepEqual((JSON.parse(stdout) as Array<{ hostname: string }>).map((snapshot) => snapshot.hostname), ['web1']);

  const { rows, args } = await status0190(config0190);
  assert.deepEqual(args, ['snapshots --json --no-lock --group-by host,paths --latest 1']);
  assert.deepEqual(
    rows.map((row) => [row.name, row.status, row.message, row.latest_basis]),
    [
      ['fleet/web1', 'up', 'latest snapshot 1h ago (max 2h)', 'backup_end'],
      // Started 8h ago, ended 5h ago: counted from the end, as fast mode's file time would.
      ['fleet/web2', 'up', 'latest snapshot 5h ago (max 6h)', 'backup_end'],
      // Made before restic 0.17: no summary, counted from its start.
      ['fleet/legacy', 'up', 'latest snapshot 3h ago (max 4h)', 'time'],
    ],
  );
});

test('a check alone on its repository asks for the same grouped form', async () => {
  const { rows, args } = await status0190('repositories:\n  web2:\n    url: /srv/restic\n    host: web2\n    max_age: 4h\n    extra_env: {RESTIC_PASSWORD: x}\n');
  assert.deepEqual(args, ['snapshots --json --no-lock --group-by host,paths --latest 1 --host web2']);
  assert.deepEqual(
    rows.map((row) => [row.status, row.message, row.latest_basis]),
    [['down', 'stale: latest snapshot 5h ago (max 4h)', 'backup_end']],
  );
});

test('checks that share one restic run push that run\'s duration as their ping', async () => {
  const receiver = await startPushReceiver(['tok-web1', 'tok-web2']);
  try {
    const path = join(dir, 'ping.yaml');
    // One check at a time: the second finds the run finished and would otherwise report ~1 ms.
    await writeFile(
      path,
      `concurrency: 1
repositories:
  fleet:
    url: /srv/restic
    push_url: ${receiver.pushUrl}
    extra_env: {RESTIC_PASSWORD: x}
    hosts:
      web1: {push_token: tok-web1, max_age: 2h}
      web2: {push_token: tok-web2, max_age: 6h}
`,
    );
    const result = await runCli(['run', '-c', path], { env: { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: FAKE_0190, FAKE_RESTIC_DELAY_MS: '1500' } });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(receiver.beats.map((beat) => [beat.token, beat.status]), [['tok-web1', 'up'], ['tok-web2', 'up']]);
    const [first, second] = receiver.beats.map((beat) => beat.ping!);
    assert.ok(first! >= 1500, `ping ${first} covers the run`);
    assert.equal(second, first, 'both checks report the one run they shared');
  } finally {
    await receiver.close();
  }
});

// Health signals against real restic: snapshots made by restic 0.19 (with summary) and 0.14
// (without), read by the built-in reader and by a restic binary of 0.17 or later (the one on
// PATH in scripts/test.sh's 0.18 and 0.19.1 passes, else 0.19).
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { CheckResultJson as CheckResult } from '../../src/run/result-json.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/paths.js';
import { initRepository, PASSWORD, restic, resticVersion, tempDir } from '../helpers/restic-repos.js';
import { resticDir, resticEnv } from '../helpers/restic-versions.js';

let dir: string;
/** host lm: 500 files, then the same path emptied; host small: one file of 20 bytes. */
let mounts: string;
/** Three snapshots, pruned to one by the test that needs it. */
let history: string;
/** Made by restic 0.14: snapshots without summary. */
let old: string;
/** PATH for the monitor: a restic that prints `summary` (0.17+) first. */
let path: string;

before(async () => {
  dir = await tempDir('rm-signals-');
  const [, minor] = await resticVersion();
  path = minor! >= 17 ? process.env.PATH! : `${await resticDir('0.19')}:${process.env.PATH}`;
  const v19 = await resticEnv('0.19');
  const v14 = await resticEnv('0.14');
  const mount = join(dir, 'mnt');
  await mkdir(mount);
  await Promise.all(Array.from({ length: 500 }, (_, i) => writeFile(join(mount, `f${i}`), `file ${i}\n`)));
  const small = join(dir, 'small');
  await mkdir(small);
  await writeFile(join(small, 'hosts'), '127.0.0.1 localhost\n');
  mounts = join(dir, 'mounts');
  history = join(dir, 'history');
  old = join(dir, 'old');
  await Promise.all([
    (async () => {
      await initRepository(mounts, v19);
      await restic(['-r', mounts, 'backup', '--quiet', '--host', 'lm', mount], v19);
      // The mount is lost: the same path, empty.
      await rm(mount, { recursive: true });
      await mkdir(mount);
      await restic(['-r', mounts, 'backup', '--quiet', '--host', 'lm', mount], v19);
      await restic(['-r', mounts, 'backup', '--quiet', '--host', 'small', small], v19);
    })(),
    (async () => {
      await initRepository(history, v19);
      for (let i = 0; i < 3; i++) await restic(['-r', history, 'backup', '--quiet', '--host', 'h', small], v19);
    })(),
    (async () => {
      await initRepository(old, v14);
      await restic(['-r', old, 'backup', '--quiet', '--host', 'h', small], v14);
    })(),
  ]);
});

/** `status --json` with the binary behind a wrapper that notes its arguments. */
async function status(config: string): Promise<{ rows: Map<string, CheckResult>; starts: string[]; code: number | null }> {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  const counter = `${file}.starts`;
  await writeFile(file, `defaults:\n  max_age: 1d\n  extra_env:\n    RESTIC_PASSWORD: ${PASSWORD}\n${config}`);
  await writeFile(counter, '');
  const result = await runCli(['status', '--json', '-c', file], {
    env: { PATH: path, RESTIC_MONITOR_RESTIC: join(FIXTURES, 'counting-restic.sh'), RESTIC_COUNT_FILE: counter, RESTIC_CACHE_DIR: join(dir, 'cache') },
  });
  assert.equal(result.stderr, '');
  const starts = (await readFile(counter, 'utf8')).split('\n').filter((line) => line !== '');
  const rows = JSON.parse(result.stdout) as CheckResult[];
  return { rows: new Map(rows.map((row) => [row.name, row])), starts, code: result.code };
}

const READERS = ['builtin', 'restic'] as const;

test('lost mount: a fresh snapshot of the emptied path is down, "shrank from 500 files to 0", with both readers; min_files/min_size on a small one', async () => {
  const repositories = READERS.map(
    (reader) => `  mounts-${reader}:
    url: ${mounts}
    reader: ${reader}
    hosts:
      lm: {max_shrink: 50%}
      small: {min_files: 1, min_size: 1KiB}
`,
  );
  const { rows, starts, code } = await status(`repositories:\n${repositories.join('')}`);
  assert.equal(code, 1);
  for (const reader of READERS) {
    const lm = rows.get(`mounts-${reader}/lm`)!;
    assert.equal(lm.status, 'down', reader);
    assert.equal(lm.reader, reader);
    assert.match(lm.message, /^shrank from 500 files to 0 \(max_shrink 50%\); latest snapshot ((\d+m)?\d+s ago|\d+m ago|just now)$/, reader);
    assert.deepEqual(lm.signals, [{ name: 'max_shrink', limit: 50, value: 100, ok: false }]);
    assert.equal(lm.latest_files, 0);
    assert.equal(lm.latest_bytes, 0);
    const small = rows.get(`mounts-${reader}/small`)!;
    assert.equal(small.status, 'down', reader);
    assert.match(small.message, /^20 B \(min_size 1 KiB\); latest snapshot ((\d+m)?\d+s ago|\d+m ago|just now)$/, reader);
    assert.deepEqual(small.signals, [
      { name: 'min_files', limit: 1, value: 1, ok: true },
      { name: 'min_size', limit: 1024, value: 20, ok: false },
    ]);
    assert.equal(small.snapshot_count, undefined);
  }
  // The binary ran once for both hosts, keeping the two newest of each host and path.
  assert.deepEqual(starts, ['snapshots --json --no-lock --group-by host,paths --latest 2']);
});

test('the same checks without signals: the listing is as it always was, and nothing is added to the verdict', async () => {
  const { rows, starts } = await status(`repositories:\n  plain:\n    url: ${mounts}\n    reader: restic\n    host: lm\n`);
  const plain = rows.get('plain')!;
  assert.equal(plain.status, 'up');
  assert.match(plain.message, /^latest snapshot ((\d+m)?\d+s ago|\d+m ago|just now) \(max 1d\)$/);
  assert.equal(plain.signals, undefined);
  assert.equal(plain.latest_files, 0);
  assert.deepEqual(starts, ['snapshots --json --no-lock --group-by host,paths --latest 1 --host lm']);
});

test('prune wiped history: forget --keep-last 1 --prune leaves fewer than min_snapshots', async () => {
  const config = () =>
    `repositories:\n${READERS.map((reader) => `  history-${reader}: {url: ${history}, reader: ${reader}, min_snapshots: 3}\n`).join('')}`;
  const before = await status(config());
  for (const reader of READERS) {
    const row = before.rows.get(`history-${reader}`)!;
    assert.equal(row.status, 'up', `${reader}: ${row.message}`);
    assert.equal(row.snapshot_count, 3);
    assert.deepEqual(row.signals, [{ name: 'min_snapshots', limit: 3, value: 3, ok: true }]);
  }
  // Every snapshot, not the newest per group: the count needs them all.
  assert.deepEqual(before.starts, ['snapshots --json --no-lock']);

  await restic(['-r', history, 'forget', '--keep-last', '1', '--prune', '--quiet'], await resticEnv('0.19'));
  const after = await status(config());
  assert.equal(after.code, 1);
  for (const reader of READERS) {
    const row = after.rows.get(`history-${reader}`)!;
    assert.equal(row.status, 'down', reader);
    assert.match(row.message, /^1 snapshot \(min_snapshots 3\); latest snapshot ((\d+m)?\d+s ago|\d+m ago|just now)$/, reader);
    assert.equal(row.snapshot_count, 1);
  }
});

test('a snapshot of restic 0.14 has no summary: min_size cannot be checked, the check stays up and says so', async () => {
  const { rows, code } = await status(`repositories:\n${READERS.map((reader) => `  old-${reader}: {url: ${old}, reader: ${reader}, min_size: 1KiB, max_shrink: 50%}\n`).join('')}`);
  assert.equal(code, 0);
  for (const reader of READERS) {
    const row = rows.get(`old-${reader}`)!;
    assert.equal(row.status, 'up', reader);
    assert.match(row.message, /^latest snapshot ((\d+m)?\d+s ago|\d+m ago|just now) \(max 1d\); size not checked: the latest snapshot has no summary \(restic before 0\.17\)$/, reader);
    assert.deepEqual(row.signals, [
      { name: 'min_size', limit: 1024, value: null, ok: null },
      { name: 'max_shrink', limit: 50, value: null, ok: null },
    ]);
    assert.equal(row.latest_files, undefined);
  }
});

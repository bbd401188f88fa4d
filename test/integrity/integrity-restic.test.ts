import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runIntegrityCheck } from '../../src/integrity/restic-check.js';
import type { IntegritySettings } from '../../src/integrity/settings.js';
import { runCli } from '../helpers/cli.js';
import { checkConfig } from '../helpers/config.js';
import { FIXTURES } from '../helpers/paths.js';
import { copyWithoutPack, corruptedCopy, repositoryWithData } from '../helpers/damaged-repos.js';
import { PASSWORD, resticVersion, tempDir } from '../helpers/restic-repos.js';

// Real restic (whichever is first on PATH: scripts/test.sh runs this file with 0.14, 0.18
// and 0.19.1): a healthy repository, one with a data pack corrupted, one with it deleted.
let root: string;
let healthy: string;
let corrupted: string;
let missing: string;
/** The corrupted pack: its ID (file name) and the hash of what it holds now, 8 digits each. */
let pack: { id: string; now: string };
/** The deleted pack's ID, 8 digits. */
let deleted: string;
let version: number[];

before(async () => {
  root = await tempDir('rm-integrity-');
  version = await resticVersion();
  healthy = await repositoryWithData(join(root, 'healthy'), root);
  corrupted = join(root, 'corrupted');
  missing = join(root, 'missing');
  pack = await corruptedCopy(healthy, corrupted);
  deleted = await copyWithoutPack(healthy, missing);
});

const settings = (extra: Partial<IntegritySettings> = {}): IntegritySettings => ({ intervalMs: 3_600_000, timeoutMs: 120_000, ...extra });
const check = (url: string, cacheDir?: string) => checkConfig({ url, extraEnv: { RESTIC_PASSWORD: PASSWORD }, ...(cacheDir && { cacheDir }) });
const run = (url: string, extra: Partial<IntegritySettings> = {}, cacheDir?: string) =>
  runIntegrityCheck(check(url, cacheDir), settings(extra), { env: process.env, now: () => new Date(), signal: new AbortController().signal });

test('a healthy repository passes, with and without reading its data; the check\'s cache is gone afterwards', async () => {
  const cache = join(root, 'cache');
  await mkdir(cache);
  const plain = await run(healthy, {}, cache);
  assert.deepEqual([plain!.ok, plain!.message], [true, 'no errors found']);
  const read = await run(healthy, { readDataSubset: '100%' }, cache);
  assert.deepEqual([read!.ok, read!.message], [true, 'no errors found (read 100% of the data)']);
  assert.deepEqual(await readdir(cache), [], 'the temporary cache directory was removed');
  const group = await run(healthy, { readDataSubset: '1/2' }, 'off');
  assert.equal(group!.ok, true);
});

test('a corrupted data pack fails with restic\'s reason once the data is read; the structure alone does not show it', async () => {
  const structure = await run(corrupted);
  assert.equal(structure!.ok, true, 'check without read_data_subset reads no data pack');
  const result = await run(corrupted, { readDataSubset: '100%' });
  assert.equal(result!.ok, false);
  const { id, now } = pack;
  // As each restic prints it (IDs shortened to 8 digits).
  if (version[1]! < 18) assert.equal(result!.message, `Pack ID does not match, want ${id}, got ${now}`);
  else {
    const from = version[1]! >= 19 ? `from pack ${id}` : `from ${id}`;
    assert.match(result!.message, new RegExp(`^pack ${id} contains \\d+ errors?: \\[blob [0-9a-f]{8}: decrypting blob <data/[0-9a-f]{8}> ${from} failed: ciphertext verification failed unexpected pack id ${now}.*\\]$`));
  }
});

test('a deleted pack fails the structure check, in the same words in every version', async () => {
  const result = await run(missing);
  assert.deepEqual([result!.ok, result!.message, result!.retrySoon], [false, `pack ${deleted}: does not exist`, undefined], 'damage waits for the interval');
});

test('a check that cannot start says why in the usual words: wrong password, no repository; it is tried again soon', async () => {
  const wrong = await runIntegrityCheck(checkConfig({ url: healthy, extraEnv: { RESTIC_PASSWORD: 'not-it' } }), settings(), { env: process.env, now: () => new Date(), signal: new AbortController().signal });
  assert.deepEqual([wrong!.ok, wrong!.message, wrong!.retrySoon], [false, 'wrong password or no key found', true]);
  const none = await run(join(root, 'nothing-here'));
  assert.deepEqual([none!.ok, none!.message, none!.retrySoon], [false, 'repository not found', true]);
});

test('a check that hangs is killed at its timeout and recorded as failed; an aborted one records nothing', async () => {
  const pids = join(root, 'hang-pids');
  const env = { ...process.env, RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-check-log.sh'), CHECK_HANG: '1', HANG_PIDS: pids };
  const timedOut = await runIntegrityCheck(check(healthy), settings({ timeoutMs: 1000 }), { env, now: () => new Date(), signal: new AbortController().signal });
  assert.deepEqual([timedOut!.ok, timedOut!.message, timedOut!.retrySoon], [false, 'timed out after 1s', undefined], 'a timeout would only time out again');
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 500);
  assert.equal(await runIntegrityCheck(check(healthy), settings(), { env, now: () => new Date(), signal: controller.signal }), undefined);
});

test('run and status do not run the integrity check, and say so at info', async () => {
  const config = join(root, 'one-shot.yaml');
  await writeFile(config, `repositories:\n  nas:\n    url: ${corrupted}\n    integrity: {interval: 1d, read_data_subset: 100%}\n    extra_env: {RESTIC_PASSWORD: ${PASSWORD}}\n`);
  const result = await runCli(['status', '--json', '--log-level', 'info', '--config', config]);
  assert.equal(result.code, 0, result.stderr);
  const [row] = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
  assert.equal(row!.status, 'up', 'the corrupted pack is not looked at');
  assert.equal('integrity' in row!, false);
  assert.match(result.stderr, /"repositories":\["nas"\],"msg":"integrity: not checked by status: the daemon runs restic check"/);
});

/**
 * What one integrity check (`integrity:`, daemon) costs against s3rver, beside the
 * `snapshots` listing every freshness check makes: S3 requests (through a recording proxy)
 * and wall time, for `restic check` as the daemon runs it (--no-lock --json, a cache of its
 * own), without and with --read-data-subset. Times depend on the machine; counts do not.
 *   npx tsc -p tsconfig.json && node dist/bench/integrity-cost.js
 * The repository: 200 files of 50 KB of random data, backed up twice (about 10 MiB).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRecordingProxy } from '../test/helpers/recording-proxy.js';
import { PASSWORD, restic, tempDir } from '../test/helpers/restic-repos.js';
import { makeTestCa, startS3rver } from '../test/helpers/s3rver.js';

const exec = promisify(execFile);
const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
const RUNS = 5;

const CASES: Array<[string, string[]]> = [
  ['snapshots (a freshness check, restic binary)', ['snapshots', '--json', '--no-lock', '--group-by', 'host,paths', '--latest', '1']],
  ['check (integrity: {})', ['check', '--no-lock', '--json']],
  ['check, cache_dir: off', ['check', '--no-lock', '--json', '--no-cache']],
  ['check, read_data_subset: 5%', ['check', '--no-lock', '--json', '--read-data-subset', '5%']],
  ['check, read_data_subset: 100%', ['check', '--no-lock', '--json', '--read-data-subset', '100%']],
];

const dir = await tempDir('rm-bench-integrity-');
const ca = await makeTestCa();
const s3 = await startS3rver({ ca });
const proxy = await startRecordingProxy(s3.endpoint, await readFile(ca.certPath, 'utf8'));
try {
  const args = ['-r', s3.url('integrity'), '--cacert', ca.certPath];
  await restic([...args, 'init'], S3_ENV);
  const data = join(dir, 'data');
  await mkdir(data);
  for (let i = 0; i < 200; i++) await writeFile(join(data, `f${i}`), randomBytes(50_000));
  for (let i = 0; i < 2; i++) await restic([...args, 'backup', '--quiet', data], S3_ENV);
  // Reads over plain http through the proxy (s3rver corrupts only plain-http writes).
  const url = `s3:http://${proxy.host}/${s3.bucket}/integrity`;
  const env = { ...process.env, ...S3_ENV, RESTIC_PASSWORD: PASSWORD };
  const rows: string[][] = [];
  for (const [label, command] of CASES) {
    const times: number[] = [];
    let requests = 0;
    for (let i = 0; i < RUNS; i++) {
      // A fresh cache each time, as the daemon gives every check (and no cache for the listing).
      const cache = await mkdtemp(join(tmpdir(), 'rm-bench-cache-'));
      const cacheArgs = command[0] === 'snapshots' ? ['--no-cache'] : command.includes('--no-cache') ? [] : ['--cache-dir', cache];
      const before = proxy.requests.length;
      const started = performance.now();
      await exec('restic', ['-r', url, ...command, ...cacheArgs], { env, maxBuffer: 64 * 1024 * 1024 }).catch((error: { code?: number }) => {
        if (error.code !== 0) throw error;
      });
      times.push(performance.now() - started);
      requests = proxy.requests.length - before;
      await rm(cache, { recursive: true, force: true });
    }
    times.sort((a, b) => a - b);
    rows.push([label, String(requests), `${Math.round(times[Math.floor(RUNS / 2)]!)} ms (${Math.round(times[0]!)}-${Math.round(times.at(-1)!)})`]);
  }
  console.log(`Measured ${new Date().toISOString()} against s3rver, restic ${(await exec('restic', ['version'])).stdout.split(' ')[1]}; a 10 MiB repository, 2 snapshots; median of ${RUNS} runs.\n`);
  console.log('| run | S3 requests | time (median, min-max) |');
  console.log('|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  await proxy.close();
  await s3.close();
  await rm(dir, { recursive: true, force: true });
}

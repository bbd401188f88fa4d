/**
 * The built-in reader against `restic snapshots` on one S3 repository (s3rver over TLS on
 * 127.0.0.1) with many snapshots: a daemon's check after the first (warm: one listing),
 * a first check (cold: key derivation and every snapshot file), and the binary with its
 * on-disk cache (which keeps the encrypted snapshot files between runs) and without it.
 *   npx tsc -p tsconfig.json && node dist/bench/reader-s3.js [snapshots=1000] [rounds=3]
 * Snapshots beyond the first real one are copies of it with other times, encrypted under
 * the repository's master key as restic would (the binary lists them all: the check below).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BuiltinResticChecker } from '../src/checkers/reader/checker.js';
import { S3ClientPool } from '../src/checkers/s3/client-pool.js';
import { mapLimit } from '../src/pool.js';
import { checkConfig } from '../test/helpers/config.js';
import { PASSWORD, restic, tempDir } from '../test/helpers/restic-repos.js';
import { makeTestCa, startS3rver } from '../test/helpers/s3rver.js';
import { seal, type MasterKeyJson } from '../test/helpers/seal.js';

const exec = promisify(execFile);
const total = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 3);
const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

const dir = await tempDir('rm-bench-reader-s3-');
const ca = await makeTestCa();
const s3 = await startS3rver({ ca });
const url = s3.url('many');
const args = ['-r', url, '--cacert', ca.certPath];
await writeFile(join(dir, 'file.txt'), 'bench\n');
process.stderr.write(`making one repository with ${total} snapshots on s3rver\n`);
await restic([...args, 'init'], S3_ENV);
await restic([...args, 'backup', '--quiet', join(dir, 'file.txt')], S3_ENV);
const master = JSON.parse(await restic([...args, 'cat', 'masterkey'], S3_ENV)) as MasterKeyJson;
const [first] = JSON.parse(await restic([...args, 'snapshots', '--json', '--no-lock'], S3_ENV)) as Array<{ id: string }>;
const original = JSON.parse(await restic([...args, 'cat', 'snapshot', first!.id], S3_ENV)) as Record<string, unknown>;
const pool = new S3ClientPool();
const pem = await readFile(ca.certPath, 'utf8');
const client = await pool.get({ endpoint: s3.endpoint, region: 'us-east-1', pathStyle: true, credentials: { kind: 'static', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', from: 'extra_env' }, caPem: pem });
const sdk = await pool.sdk();
await mapLimit(Array.from({ length: total - 1 }, (_, i) => i + 1), 8, async (i) => {
  const body = seal(master, Buffer.from(JSON.stringify({ ...original, time: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString() })));
  const id = createHash('sha256').update(body).digest('hex');
  await client.send(new sdk.PutObjectCommand({ Bucket: s3.bucket, Key: `many/snapshots/${id}`, Body: body }));
});

const env = { PATH: process.env.PATH, HOME: process.env.HOME, RESTIC_CACHE_DIR: join(dir, 'cache') };
const repository = checkConfig({ url, caCert: ca.certPath, extraEnv: { ...S3_ENV, RESTIC_PASSWORD: PASSWORD } });

async function cpuSeconds(): Promise<number> {
  const fields = (await readFile('/proc/self/stat', 'utf8')).split(') ')[1]!.split(' ');
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6 + (Number(fields[13]) + Number(fields[14])) / 100;
}

async function measure(work: () => Promise<number>): Promise<{ wallS: number; cpuS: number }> {
  const cpu = await cpuSeconds();
  const started = performance.now();
  const count = await work();
  if (count !== total) throw new Error(`saw ${count} snapshots, not ${total}`);
  return { wallS: (performance.now() - started) / 1000, cpuS: (await cpuSeconds()) - cpu };
}

const binary = (...extra: string[]) => measure(async () => (JSON.parse((await exec('restic', [...args, ...extra, 'snapshots', '--json', '--no-lock'], { env: { ...env, ...S3_ENV, RESTIC_PASSWORD: PASSWORD }, maxBuffer: 256 * 2 ** 20 })).stdout) as unknown[]).length);
const everySnapshot = (checker: BuiltinResticChecker) => async () => (await checker.list(repository, { signal: new AbortController().signal, env }, { everySnapshot: true })).length;

const series: Record<string, Array<{ wallS: number; cpuS: number }>> = { binary: [], uncached: [], cold: [], warm: [] };
const daemon = new BuiltinResticChecker();
await measure(everySnapshot(daemon));
for (let round = 0; round < rounds; round++) {
  series.binary!.push(await binary());
  series.uncached!.push(await binary('--no-cache'));
  const oneShot = new BuiltinResticChecker();
  series.cold!.push(await measure(everySnapshot(oneShot)));
  await oneShot.close();
  series.warm!.push(await measure(everySnapshot(daemon)));
}
await daemon.close();
await pool.destroy();
await s3.close();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const base = { wall: median(series.binary!.map((s) => s.wallS)), cpu: median(series.binary!.map((s) => s.cpuS)) };
const row = (label: string, samples: Array<{ wallS: number; cpuS: number }>) => {
  const wall = median(samples.map((s) => s.wallS));
  const cpu = median(samples.map((s) => s.cpuS));
  return `| ${label} | ${wall.toFixed(3)} | ${cpu.toFixed(3)} | ${(wall / base.wall).toFixed(3)}x | ${(cpu / base.cpu).toFixed(4)}x |`;
};
process.stdout.write(
  [
    `One s3: repository on s3rver (TLS, 127.0.0.1) with ${total} snapshots, median of ${rounds} rounds; load average ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')}`,
    '',
    '| Reader | Wall (s) | CPU (s) | Wall vs binary | CPU vs binary |',
    '|---|---:|---:|---:|---:|',
    row('restic binary (`snapshots --json --no-lock`, its on-disk cache warm)', series.binary!),
    row('restic binary, `--no-cache` (fetches every snapshot file)', series.uncached!),
    row('built-in, cold (first check: key + every file)', series.cold!),
    row('built-in, warm (daemon check after the first)', series.warm!),
    '',
  ].join('\n'),
);

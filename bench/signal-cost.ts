/**
 * What each health signal costs one check, counted on s3rver: S3 requests (through a
 * recording proxy) and restic runs (through a wrapper on PATH that logs each), for one
 * `status --json` of one repository, by mode and reader. Counts, not times: they do not
 * depend on the machine.
 *   npx tsc -p tsconfig.json && node dist/bench/signal-cost.js
 * The repository holds three snapshots and the lock of a killed backup. Each row is counted
 * on its second run: restic's cache is warm, as on a server that checks every day. Run it
 * with restic 0.17+ first on PATH, or snapshots carry no summary to size-check.
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../test/helpers/cli.js';
import { startRecordingProxy, type RecordedRequest } from '../test/helpers/recording-proxy.js';
import { PASSWORD, restic, tempDir } from '../test/helpers/restic-repos.js';
import { makeTestCa, startS3rver } from '../test/helpers/s3rver.js';

const exec = promisify(execFile);
const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

/** One row: a check's keys beside `url`, and how it reads. */
interface Case {
  signal: string;
  keys: string;
}

/** The signals, each alone; `none` is freshness only, the baseline of every other row. */
const SIGNALS: Case[] = [
  { signal: 'none', keys: '' },
  { signal: 'min_files', keys: 'min_files: 1' },
  { signal: 'min_size', keys: 'min_size: 10' },
  { signal: 'max_shrink', keys: 'max_shrink: 50%' },
  { signal: 'min_snapshots', keys: 'min_snapshots: 2' },
  { signal: 'max_lock_age', keys: 'max_lock_age: 2h' },
  // DATA: the directory backed up, where the canary is (restore_drill runs restic dump).
  { signal: 'restore_drill', keys: 'restore_drill: {path: DATA/backup-canary}' },
];

const READS: Array<{ label: string; keys: string; fastToo: boolean }> = [
  { label: 'fast', keys: 'mode: fast', fastToo: true },
  { label: 'restic, built-in reader', keys: 'mode: restic, reader: builtin', fastToo: false },
  { label: 'restic, restic binary', keys: 'mode: restic, reader: restic', fastToo: false },
];

const FAST_SIGNALS = new Set(['none', 'max_lock_age']);

function kind(request: RecordedRequest): string {
  if (request.method === 'GET' && /[?&]list-type=2/.test(request.url)) return 'LIST';
  return request.method;
}

const dir = await tempDir('rm-bench-signal-cost-');
const ca = await makeTestCa();
const s3 = await startS3rver({ ca });
const proxy = await startRecordingProxy(s3.endpoint, await readFile(ca.certPath, 'utf8'));
try {
  const direct = s3.url('costs');
  const args = ['-r', direct, '--cacert', ca.certPath];
  process.stderr.write('making the repository: three snapshots and a stale lock\n');
  await restic([...args, 'init'], S3_ENV);
  const data = join(dir, 'data');
  await exec('mkdir', ['-p', data]);
  await writeFile(join(data, 'backup-canary'), `${Math.floor(Date.now() / 1000)}\n`);
  for (let i = 0; i < 3; i++) {
    await writeFile(join(data, `file-${i}.txt`), `snapshot ${i}\n`);
    await restic([...args, 'backup', '--quiet', data], S3_ENV);
  }
  await leaveLock(args, join(s3.dir, s3.bucket, 'costs', 'locks'));

  // Every restic the monitor starts goes through this wrapper, which logs its arguments.
  const realRestic = (await exec('sh', ['-c', 'command -v restic'])).stdout.trim();
  const bin = join(dir, 'bin');
  const runLog = join(dir, 'restic-runs.log');
  await exec('mkdir', ['-p', bin]);
  await writeFile(join(bin, 'restic'), `#!/bin/sh\necho "$*" >> '${runLog}'\nexec '${realRestic}' "$@"\n`);
  await chmod(join(bin, 'restic'), 0o755);

  const url = `s3:http://${proxy.host}/${s3.bucket}/costs`;
  const rows: string[][] = [];
  for (const read of READS) {
    for (const { signal, keys } of SIGNALS) {
      if (read.fastToo && !FAST_SIGNALS.has(signal)) continue;
      const config = join(dir, 'config.yaml');
      const fields = [`url: "${url}"`, 'max_age: 1d', read.keys, keys.replace('DATA', data), `extra_env: {RESTIC_PASSWORD: ${PASSWORD}, AWS_ACCESS_KEY_ID: S3RVER, AWS_SECRET_ACCESS_KEY: S3RVER}`].filter(Boolean);
      await writeFile(config, `repositories:\n  costs: {${fields.join(', ')}}\n`);
      const status = () =>
        runCli(['status', '--json', '--config', config], {
          env: { PATH: `${bin}:${process.env.PATH}`, RESTIC_CACHE_DIR: join(dir, 'cache'), RESTIC_MONITOR_READER: undefined, RESTIC_MONITOR_FAST: undefined },
          timeoutMs: 120_000,
        });
      // Once unmeasured: the binary's cache is then as warm as on a server that checks daily.
      await status();
      await rm(runLog, { force: true });
      proxy.requests.length = 0;
      const result = await status();
      const [row] = JSON.parse(result.stdout) as Array<{ status: string; message: string }>;
      const counts = new Map<string, number>();
      for (const request of proxy.requests) counts.set(kind(request), (counts.get(kind(request)) ?? 0) + 1);
      const runs = (await readFile(runLog, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      const runKinds = runs.map((line) => line.split(' ').find((word) => !word.startsWith('-')) ?? '?');
      rows.push([
        read.label,
        signal,
        String(proxy.requests.length),
        ['LIST', 'GET', 'HEAD'].map((name) => `${name} ${counts.get(name) ?? 0}`).join(', '),
        runs.length === 0 ? '0' : `${runs.length} (${summarise(runKinds)})`,
        `${row!.status}: ${row!.message}`,
      ]);
    }
  }
  const header = ['Read by', 'Signal', 'S3 requests', 'by kind', 'restic runs', 'verdict'];
  console.log(`Measured ${new Date().toISOString()} against s3rver, restic ${(await exec(realRestic, ['version'])).stdout.split(' ')[1]}; one \`status --json\` of one repository (3 snapshots, 1 lock); counted on a second run (restic's cache warm); a fresh process each, so the built-in reader derives its key each time.\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  await proxy.close();
  await s3.close();
  await rm(dir, { recursive: true, force: true });
}

function summarise(kinds: string[]): string {
  const counts = new Map<string, number>();
  for (const name of kinds) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => (count === 1 ? name : `${name} ×${count}`)).join(', ');
}

/** A `restic backup --stdin` killed once its lock is written whole leaves that lock behind. */
async function leaveLock(args: string[], lockDir: string): Promise<void> {
  const child = spawn('restic', [...args, 'backup', '--stdin', '--stdin-filename', 'held'], {
    env: { ...process.env, ...S3_ENV, RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(tmpdir(), 'restic-monitor-test-cache') },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (let i = 0; ; i++) {
      const names = await readdir(lockDir).catch(() => [] as string[]);
      const whole = await Promise.all(names.filter((name) => /^[0-9a-f]{64}/.test(name)).map(async (name) => (await stat(join(lockDir, name))).size > 0));
      if (whole.includes(true)) break;
      if (i === 300) throw new Error('restic backup wrote no lock in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * The built-in restic reader against the restic binary on the same local repositories,
 * side by side in one run: CPU and wall time per check cycle over all repositories.
 *   npx tsc -p tsconfig.json && node dist/bench/reader-vs-restic.js [repositories=20] [cycles=3]
 *
 * - restic binary: bare `restic snapshots --json --no-lock` per repository, two at a time
 *   (`xargs -P 2`; scrypt is CPU-bound and the machine has 2 cores). Spawned here in this
 *   process's session: with the kernel's autogroup scheduling, restic mode's own detached
 *   children would each get a CPU share of their own on a loaded machine, and the wall
 *   times would compare scheduling, not work.
 * - built-in, cold: a new reader every cycle, two at a time: what a one-shot `run` pays
 *   (key derivation once per repository per process).
 * - built-in, warm: one reader kept across cycles, as a daemon keeps it: cycles after the
 *   first cost one listing per repository plus new files.
 * CPU counts this process, its live child processes (the reader's key derivation runs in
 * one: /proc/PID/stat utime + stime) and its waited-for children, the binary's included
 * (/proc/self/stat cutime + cstime): a child that ends between two readings moves from the
 * one count to the other.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { BuiltinResticChecker } from '../src/checkers/reader/checker.js';
import type { Checker } from '../src/checkers/checker.js';
import type { Check } from '../src/config/types.js';
import { mapLimit } from '../src/pool.js';
import { descendantsOf } from '../src/process/process-tree.js';
import { waitFor } from '../test/helpers/daemon-process.js';
import { checkConfig } from '../test/helpers/config.js';
import { makeRepository, PASSWORD, tempDir } from '../test/helpers/restic-repos.js';

const exec = promisify(execFile);
const count = Number(process.argv[2] ?? 20);
const cycles = Math.max(2, Number(process.argv[3] ?? 3));
const CONCURRENCY = 2;

const dir = await tempDir('rm-bench-reader-');
const seed = join(dir, 'seed');
process.stderr.write(`making ${count} local repositories (copies of one with 3 snapshots)\n`);
await makeRepository(seed, [{ host: 'web1' }, { host: 'web2', time: '2024-01-01 00:00:00' }, { host: 'web1', tags: ['daily'] }], {}, { resticKey: true });
const repositories: Check[] = [];
for (let i = 0; i < count; i++) {
  const url = join(dir, `repo-${i}`);
  await cp(seed, url, { recursive: true });
  repositories.push(checkConfig({ name: `repo-${i}`, url, extraEnv: { RESTIC_PASSWORD: PASSWORD } }));
}
await mkdir(join(dir, 'cache'));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, RESTIC_CACHE_DIR: join(dir, 'cache') };

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds of this process, of its children still running and of its reaped children so far. */
async function cpu(): Promise<{ self: number; children: number }> {
  const fields = (await readFile('/proc/self/stat', 'utf8')).split(') ')[1]!.split(' ');
  const usage = process.cpuUsage();
  let live = 0;
  for (const pid of descendantsOf(process.pid)) {
    try {
      const own = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      live += (Number(own[11]) + Number(own[12])) / TICKS;
    } catch {
      // ended meanwhile: counted with the reaped children once waited for
    }
  }
  return { self: (usage.user + usage.system) / 1e6, children: (Number(fields[13]) + Number(fields[14])) / TICKS + live };
}

interface Cycle {
  wallS: number;
  cpuS: number;
}

const bareRestic: Pick<Checker, 'check'> = {
  check: async (repository) => {
    const { stdout } = await exec('restic', ['-r', repository.url, 'snapshots', '--json', '--no-lock'], { env: { ...env, ...repository.extraEnv } });
    return { latest: null, snapshots: (JSON.parse(stdout) as unknown[]).length };
  },
};

async function cycle(checker: Pick<Checker, 'check'>): Promise<Cycle> {
  const before = await cpu();
  const started = performance.now();
  await mapLimit(repositories, CONCURRENCY, async (repository) => {
    const observed = await checker.check(repository, { signal: new AbortController().signal, env });
    if (!observed.snapshots || observed.snapshots < 2) throw new Error(`${repository.name}: ${JSON.stringify(observed)}`);
  });
  const wallS = (performance.now() - started) / 1000;
  const after = await cpu();
  return { wallS, cpuS: after.self - before.self + (after.children - before.children) };
}

const binary: Cycle[] = [];
const cold: Cycle[] = [];
const warm: Cycle[] = [];
const daemon = new BuiltinResticChecker();
// Interleaved, so that machine noise falls on every series alike.
for (let round = 0; round < cycles; round++) {
  binary.push(await cycle(bareRestic));
  const earlier = new Set(descendantsOf(process.pid));
  const oneShot = new BuiltinResticChecker();
  cold.push(await cycle(oneShot));
  await oneShot.close();
  // Its key derivation process, killed by close(), is reaped (and so counted with the reaped
  // children) before the next cycle's first reading: until then it is counted nowhere.
  await waitFor('the one-shot reader\'s derivation process to be reaped', () => descendantsOf(process.pid).every((pid) => earlier.has(pid)), 10_000);
  const sample = await cycle(daemon);
  if (round > 0) warm.push(sample);
}
await daemon.close();

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const row = (label: string, samples: Cycle[]) => {
  const wall = median(samples.map((s) => s.wallS));
  const cpuS = median(samples.map((s) => s.cpuS));
  const base = { wall: median(binary.map((s) => s.wallS)), cpu: median(binary.map((s) => s.cpuS)) };
  return `| ${label} | ${samples.length} | ${wall.toFixed(3)} | ${cpuS.toFixed(3)} | ${((cpuS / count) * 1000).toFixed(1)} | ${(wall / base.wall).toFixed(3)}x | ${(cpuS / base.cpu).toFixed(4)}x (1/${Math.round(base.cpu / cpuS)}) |`;
};
const lines = [
  `${count} local repositories (3 snapshots each), ${CONCURRENCY} checks at a time, median over cycles; restic ${(await exec('restic', ['version'])).stdout.split(' ')[1]}, Node ${process.version}, load average ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')}`,
  '',
  '| Reader | Cycles | Wall per cycle (s) | CPU per cycle (s) | CPU per repository (ms) | Wall vs binary | CPU vs binary |',
  '|---|---:|---:|---:|---:|---:|---:|',
  row('restic binary (bare `snapshots --json --no-lock`, xargs -P 2)', binary),
  row('built-in, cold (new reader each cycle: one-shot run)', cold),
  row('built-in, warm (daemon, cycles after the first)', warm),
];
process.stdout.write(`${lines.join('\n')}\n`);
await writeFile(join(dir, 'result.md'), `${lines.join('\n')}\n`);

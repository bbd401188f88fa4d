import { spawn } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CLI } from '../test/helpers/paths.js';
import type { CaseContext } from './cases.js';

export interface DaemonMemory {
  repositories: number;
  /** [cycles completed by every repository, RSS in MiB] at each mark. */
  marks: Array<[number, number]>;
  peakMiB: number;
  seconds: number;
  beats: number;
  goal: string;
  met: boolean;
}

/**
 * Case 5: the daemon on `repositories` local fast-mode repositories (copies of one real
 * restic repository without its data packs), `interval: 1ms` so that cycles run back to back, a push per check to
 * the receiver, and /metrics scraped every second (a Prometheus at 1 s). RSS is read from
 * /proc when every repository has completed 1, `middle` and `cycles` checks.
 */
export async function daemonCase(ctx: CaseContext, repositories: number, middle: number, cycles: number): Promise<DaemonMemory> {
  ctx.log(`case 5: daemon, ${repositories} repositories, ${cycles} cycles`);
  const { fx } = ctx;
  const dirs = Array.from({ length: repositories }, (_, i) => join(fx.dir, 'daemon', `repo-${i}`));
  // Fast mode reads only snapshots/; data/ (256 directories of packs) is left out, which
  // makes the copies ten times quicker.
  for (const dir of dirs) {
    for (const part of ['config', 'keys', 'index', 'snapshots']) await cp(join(fx.local[0]!, part), join(dir, part), { recursive: true });
  }
  const port = await freePort();
  const config = join(fx.dir, 'daemon.yaml');
  const entries = dirs.map((dir, i) => `  d${i}: { url: ${dir}, push_token: tok${i} }\n`).join('');
  await writeFile(
    config,
    `listen: 127.0.0.1:${port}\nconcurrency: 2\ndefaults:\n  mode: fast\n  interval: 1ms\n  push_url: ${fx.receiver.pushUrl}\nrepositories:\n${entries}`,
  );

  const child = spawn(process.execPath, [CLI, 'daemon', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = performance.now();
  const marks: Array<[number, number]> = [];
  let beats = 0;
  const wanted = [1, middle, cycles];
  let peakMiB = NaN;
  try {
    while (marks.length < wanted.length) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}: ${stderr}`);
      // The receiver keeps every beat: count and drop them, or the bench process grows instead.
      if (fx.receiver.beats.some((beat) => beat.status !== 'up')) throw new Error(`daemon pushed down: ${JSON.stringify(fx.receiver.beats.find((beat) => beat.status !== 'up'))}`);
      beats += fx.receiver.beats.length;
      fx.receiver.beats.length = 0;
      const done = await completedCycles(port);
      while (marks.length < wanted.length && done >= wanted[marks.length]!) {
        marks.push([done, await rssMiB(child.pid!, 'VmRSS')]);
        ctx.log(`  after ${done} cycles: ${marks.at(-1)![1].toFixed(1)} MiB`);
      }
    }
  } finally {
    peakMiB = await rssMiB(child.pid!, 'VmHWM').catch(() => NaN);
    child.kill('SIGTERM');
    await exited;
  }
  const [, warm] = marks[1]!;
  const [, last] = marks[2]!;
  const MB = 1_000_000 / 1_048_576; // the goal is in MB, /proc counts KiB
  // "Flat": no more than 10% growth from the middle mark to the end (a fall is fine).
  const met = peakMiB < 120 * MB && last <= warm * 1.1;
  return {
    repositories,
    marks,
    peakMiB,
    seconds: (performance.now() - started) / 1000,
    beats,
    goal: 'peak under 120 MB (114.4 MiB); at most 10% growth from the middle mark to the end',
    met,
  };
}

async function completedCycles(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await response.text();
  let least = Infinity;
  for (const match of text.matchAll(/^restic_monitor_checks_total\{[^}]*\} (\d+)/gm)) least = Math.min(least, Number(match[1]));
  return least === Infinity ? 0 : least;
}

async function rssMiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  return Number(kb) / 1024;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

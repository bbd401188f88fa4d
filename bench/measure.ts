import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One timed run of a child process: wall time and peak resident memory (from GNU time). */
export interface Sample {
  wallMs: number;
  /** Peak RSS of the child (the largest of it and its waited-for children), in MiB. */
  peakMiB: number;
  stdout: string;
}

export interface Command {
  label: string;
  argv: string[];
  env?: Record<string, string>;
  /** Exit codes that count as a completed run (a status with a down repository exits 1). */
  okCodes?: number[];
  cwd?: string;
  /** A long-running command (the daemon): timed until its stderr matches this, then stopped. */
  ready?: RegExp;
}

/**
 * Runs `command` under /usr/bin/time (async, so servers living in this process keep
 * answering). The wall time is measured here, around the whole spawn.
 */
export function measure(command: Command): Promise<Sample> {
  if (command.ready) return measureUntil(command, command.ready);
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', 'bench-maxrss-kb %M', ...command.argv], {
    env: { ...process.env, ...command.env },
    ...(command.cwd !== undefined && { cwd: command.cwd }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const wallMs = performance.now() - started;
      const rss = /bench-maxrss-kb (\d+)/.exec(stderr);
      const ok = (command.okCodes ?? [0]).includes(code ?? -1);
      if (!ok || !rss) {
        reject(new Error(`${command.label}: exit ${code}\n${stderr.slice(-2000)}`));
        return;
      }
      resolve({ wallMs, peakMiB: Number(rss[1]) / 1024, stdout });
    });
  });
}

export interface Series {
  label: string;
  samples: Sample[];
}

/**
 * Runs the commands A B C A B C ... `rounds` times, after one untimed warm-up each (page
 * cache, s3rver's first requests), so machine noise falls on all of them alike.
 */
export async function interleave(commands: Command[], rounds: number, check?: (command: Command, sample: Sample) => void): Promise<Series[]> {
  const series = commands.map((command) => ({ label: command.label, samples: [] as Sample[] }));
  for (const command of commands) check?.(command, await measure(command));
  for (let round = 0; round < rounds; round++) {
    for (const [index, command] of commands.entries()) {
      const sample = await measure(command);
      check?.(command, sample);
      series[index]!.samples.push(sample);
    }
  }
  return series;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Ratios taken round by round (A_i / B_i), then their median: the pairs ran back to back,
 * so a slow moment of the machine shows in both and cancels.
 */
export function pairedRatio(a: Series, b: Series, pick: (sample: Sample) => number = (sample) => sample.wallMs): Summary {
  const ratios = a.samples.map((sample, index) => pick(sample) / pick(b.samples[index]!));
  return summarize(ratios);
}

/** A process tree's memory at its peak: the sum over its processes at one moment. */
export interface TreeSample {
  wallMs: number;
  /** The largest sum of the processes' RSS seen at one moment, in MiB. */
  peakRssMiB: number;
  /** The largest sum of their private memory (USS: Private_Clean + Private_Dirty), in MiB. */
  peakUssMiB: number;
  /** How many processes the tree had at the RSS peak. */
  processes: number;
  stdout: string;
}

const TREE_POLL_MS = 5;

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function treeOf(pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(treeOf)];
}

/** RSS and private memory of one process, in KiB (0 once it is gone). */
function memoryOf(pid: number): { rss: number; uss: number } {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { rss: field('Rss'), uss: field('Private_Clean') + field('Private_Dirty') };
  } catch {
    return { rss: 0, uss: 0 };
  }
}

/**
 * Runs `command` and samples its whole process tree every few milliseconds: the sum of RSS
 * (what `ps` adds up; pages shared between the processes, such as the Node or restic binary,
 * count once per process) and the sum of private memory (what the tree alone holds), each at
 * its peak. For a program that works in several processes (the built-in reader's key
 * derivation, restic under xargs -P) the tree is the fair unit, not one process.
 */
export function measureTree(command: Command): Promise<TreeSample> {
  const started = performance.now();
  const child = spawn(command.argv[0]!, command.argv.slice(1), {
    env: { ...process.env, ...command.env },
    ...(command.cwd !== undefined && { cwd: command.cwd }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const peak = { rss: 0, uss: 0, processes: 0 };
  const sample = () => {
    if (child.pid === undefined) return;
    const memories = treeOf(child.pid).map(memoryOf).filter((memory) => memory.rss > 0);
    const rss = memories.reduce((sum, memory) => sum + memory.rss, 0);
    const uss = memories.reduce((sum, memory) => sum + memory.uss, 0);
    if (rss > peak.rss) Object.assign(peak, { rss, processes: memories.length });
    peak.uss = Math.max(peak.uss, uss);
  };
  const timer = setInterval(sample, TREE_POLL_MS);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearInterval(timer);
      const wallMs = performance.now() - started;
      if (!(command.okCodes ?? [0]).includes(code ?? -1)) {
        reject(new Error(`${command.label}: exit ${code}\n${stderr}`));
        return;
      }
      resolve({ wallMs, peakRssMiB: peak.rss / 1024, peakUssMiB: peak.uss / 1024, processes: peak.processes, stdout });
    });
  });
}

/**
 * Wall time from the spawn until the child's stderr matches `ready` (a daemon's "daemon
 * started"); then the child is stopped with SIGTERM and its exit awaited (not timed).
 */
export function measureUntil(command: Command, ready: RegExp): Promise<Sample> {
  const started = performance.now();
  const child = spawn(command.argv[0]!, command.argv.slice(1), {
    env: { ...process.env, ...command.env },
    ...(command.cwd !== undefined && { cwd: command.cwd }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    let wallMs: number | undefined;
    let peakMiB = NaN;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8000);
      if (wallMs !== undefined || !ready.test(stderr)) return;
      wallMs = performance.now() - started;
      try {
        peakMiB = Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;
      } catch {
        // gone already: no peak to report
      }
      child.kill('SIGTERM');
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (wallMs === undefined) reject(new Error(`${command.label}: exit ${code} before it was ready\n${stderr}`));
      else resolve({ wallMs, peakMiB, stdout: '' });
    });
  });
}

import { spawn } from 'node:child_process';

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
}

/**
 * Runs `command` under /usr/bin/time (async, so servers living in this process keep
 * answering). The wall time is measured here, around the whole spawn.
 */
export function measure(command: Command): Promise<Sample> {
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

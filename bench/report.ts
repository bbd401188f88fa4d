import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Row } from './cases.js';
import type { DaemonMemory } from './daemon.js';
import type { Summary } from './measure.js';

export interface Machine {
  cores: number;
  model: string;
  node: string;
  restic: string;
  date: string;
}

export function machine(): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const restic = execFileSync('restic', ['version'], { encoding: 'utf8' }).split(' ')[1] ?? 'unknown';
  return { cores: cpus().length, model, node: process.version, restic, date: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
}

const seconds = (s: Summary) => [(s.median / 1000).toFixed(3), `${(s.min / 1000).toFixed(3)}–${(s.max / 1000).toFixed(3)}`];
const ratio = (s: Summary) => `${s.median.toFixed(2)}x (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;

/** The results table in Markdown: one line per measured command. */
export function table(rows: readonly Row[]): string {
  const lines = [
    '| Case | Command | Wall median (s) | Wall min–max (s) | Peak RSS median (MiB) | Ratio (paired median, min–max) | Goal | Met |',
    '|---|---|---:|---:|---:|---|---|---|',
  ];
  for (const r of rows) {
    const [median, range] = seconds(r.wallMs);
    const against = r.ratio ? `${ratio(r.ratio.value)} vs ${r.ratio.against}` : '';
    const met = r.met === undefined ? '' : r.met ? 'yes' : '**no**';
    lines.push(`| ${r.bench} | ${r.variant} | ${median} | ${range} | ${r.peakMiB.median.toFixed(1)} | ${against} | ${r.goal ?? ''} | ${met} |`);
  }
  return lines.join('\n');
}

export function machineLine(m: Machine, rounds: number, quick: boolean): string {
  return (
    `Measured ${m.date} on ${m.cores} cores (${m.model}), Node ${m.node}, restic ${m.restic}; ` +
    `${rounds} interleaved rounds per case after one warm-up run each${quick ? ' (QUICK=1: small sizes, smoke run only)' : ''}.`
  );
}

/** Case 5: one daemon, RSS at each mark. */
export function daemonTable(d: DaemonMemory): string {
  const marks = d.marks.map(([cycles, rss]) => `${rss.toFixed(1)} MiB after ${cycles}`).join(', ');
  return [
    `5. daemon memory (${d.repositories} repositories, fast mode, interval 1ms, a push per check, /metrics scraped every second):`,
    '',
    '| RSS by completed cycles | Peak RSS (VmHWM) | Checks pushed | Wall | Goal | Met |',
    '|---|---:|---:|---:|---|---|',
    `| ${marks} | ${d.peakMiB.toFixed(1)} MiB | ${d.beats} | ${d.seconds.toFixed(0)} s | ${d.goal} | ${d.met ? 'yes' : '**no**'} |`,
  ].join('\n');
}

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Row } from './cases.js';
import type { DaemonMemory } from './daemon.js';
import type { Summary } from './measure.js';
import type { ReaderMemory } from './reader-memory.js';

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

/** The load average (1, 5, 15 min) now: the machine is shared, and its load moves the absolute times. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Case 6: the reader's process tree against restic's, and the one-shot wall time. */
export function readerMemoryTable(m: ReaderMemory): string {
  const mib = (s: Summary) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
  const sec = (s: Summary) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  return [
    `6. built-in reader memory and one-shot restic mode: one \`status\` over ${m.repositories} local repositories, two at a time, against bare restic under \`xargs -P 2\`; each a process tree sampled every 5 ms, ${m.rounds} paired rounds; their key as restic calibrated it: scrypt N=${m.key.N}, r=${m.key.r}, p=${m.key.p}:`,
    '',
    '| Command | Wall (s) | Peak tree RSS (MiB) | Peak tree private (USS, MiB) | Processes at the peak |',
    '|---|---:|---:|---:|---:|',
    ...m.rows.map((r) => `| ${r.label} | ${sec(r.wallS)} | ${mib(r.rssMiB)} | ${mib(r.ussMiB)} | ${r.processes} |`),
    '',
    `Tool / restic, paired: wall ${ratioText(m.wallRatio)} (goal ≤ 1.0x: ${m.wallRatio.median <= 1 ? 'met' : '**not met**'}); peak RSS ${ratioText(m.rssRatio)} (goal ≤ 1.0x: ${m.rssRatio.median <= 1 ? 'met' : '**not met**'}); peak private memory ${ratioText(m.ussRatio)}.`,
  ].join('\n');
}

function ratioText(s: Summary): string {
  return `${s.median.toFixed(2)}x (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

/** Case 4: what each command loads from disk (dist/). */
export function modulesTable(modules: Record<string, { esm: number; cjs: number }>): string {
  return [
    'Modules each command loads from disk, dist/ (test/helpers/module-trace.ts):',
    '',
    '| Command | ES modules | CommonJS files |',
    '|---|---:|---:|',
    ...Object.entries(modules).map(([label, count]) => `| ${label} | ${count.esm} | ${count.cjs} |`),
  ].join('\n');
}

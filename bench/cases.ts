import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, ROOT } from '../test/helpers/paths.js';
import { PASSWORD } from '../test/helpers/restic-repos.js';
import type { ConfigPaths } from './configs.js';
import type { Fixtures } from './fixtures.js';
import { interleave, pairedRatio, summarize, type Command, type Sample, type Series, type Summary } from './measure.js';

/** One line of the results table. */
export interface Row {
  bench: string;
  variant: string;
  wallMs: Summary;
  peakMiB: Summary;
  /** Paired ratio against the named series (tool / baseline). */
  ratio?: { against: string; value: Summary };
  goal?: string;
  met?: boolean;
}

export interface CaseContext {
  fx: Fixtures;
  configs: ConfigPaths;
  rounds: number;
  fleetConcurrency: number;
  log: (line: string) => void;
}

const BASELINE = join(ROOT, 'dist', 'bench', 'baseline-list.js');
const SHELL = join(ROOT, 'bench', 'restic-baselines.sh');
const node = (...args: string[]) => [process.execPath, ...args];
const cli = (...args: string[]) => node(CLI, ...args);
/**
 * The shipped single-file build (npm run bundle): what the Nix package and the container run.
 * BUNDLE=DIR/restic-monitor.mjs measures another build (`node scripts/bundle.mjs DIR` of
 * sources not yet bundled in the project).
 */
export const BUNDLE = process.env.BUNDLE ?? join(ROOT, 'bundle', 'restic-monitor.mjs');
const bundle = (...args: string[]) => node(BUNDLE, ...args);

export function row(bench: string, series: Series, extra: Partial<Row> = {}): Row {
  return {
    bench,
    variant: series.label,
    wallMs: summarize(series.samples.map((sample) => sample.wallMs)),
    peakMiB: summarize(series.samples.map((sample) => sample.peakMiB)),
    ...extra,
  };
}

export async function baselineList(ctx: CaseContext, label: string, prefixes: string[], concurrency: number): Promise<Command> {
  const file = join(ctx.fx.dir, `${label.replace(/\W+/g, '-')}.prefixes`);
  await writeFile(file, prefixes.map((prefix) => `${prefix}/snapshots/`).join('\n'));
  const options = { endpoint: ctx.fx.s3.endpoint, bucket: ctx.fx.s3.bucket, prefixesFile: file, concurrency, caPath: ctx.fx.ca.certPath };
  return { label, argv: node(BASELINE, JSON.stringify(options)) };
}

/** Fails the bench when a run did not do the whole job: a fast wrong run would flatter the tool. */
function expectObjects(count: number) {
  return (command: Command, sample: Sample) => {
    if (command.label.startsWith('baseline') && Number(sample.stdout.trim()) !== count) {
      throw new Error(`${command.label}: listed ${sample.stdout.trim()} objects, expected ${count}`);
    }
  };
}

export async function fleetCase(ctx: CaseContext): Promise<Row[]> {
  const n = ctx.fx.fleet.length;
  ctx.log(`case 1: fleet of ${n}, concurrency ${ctx.fleetConcurrency}`);
  const tool: Command = { label: `restic-monitor run (concurrency ${ctx.fleetConcurrency})`, argv: cli('run', '-c', ctx.configs.fleet) };
  const serial: Command = { label: 'restic-monitor run (concurrency 1)', argv: cli('run', '-c', ctx.configs.fleetSerial) };
  const baseline = await baselineList(ctx, `baseline: ListObjectsV2 only (concurrency ${ctx.fleetConcurrency})`, ctx.fx.fleet, ctx.fleetConcurrency);
  const beats = ctx.fx.receiver.beats;
  const check = (command: Command, sample: Sample) => {
    expectObjects(n)(command, sample);
    if (command === baseline) return;
    const last = beats.slice(-n);
    if (last.length < n || last.some((beat) => beat.status !== 'up')) throw new Error(`${command.label}: pushes missing or down`);
    beats.length = 0;
  };
  const bundled: Command = { label: `bundle: run (concurrency ${ctx.fleetConcurrency})`, argv: bundle('run', '-c', ctx.configs.fleet) };
  const [toolSeries, bundleSeries, baseSeries] = await interleave([tool, bundled, baseline], ctx.rounds, check);
  const [serialSeries, againSeries] = await interleave([serial, tool], Math.max(1, Math.ceil(ctx.rounds / 2)), check);
  const ratio = pairedRatio(toolSeries!, baseSeries!);
  const bundleRatio = pairedRatio(bundleSeries!, baseSeries!);
  const speedUp = pairedRatio(serialSeries!, againSeries!);
  return [
    row('1. fleet, fast mode', toolSeries!, { ratio: { against: 'baseline', value: ratio }, goal: '≤ 1.3x baseline', met: ratio.median <= 1.3 }),
    row('1. fleet, fast mode', bundleSeries!, { ratio: { against: 'baseline', value: bundleRatio }, goal: '≤ 1.3x baseline', met: bundleRatio.median <= 1.3 }),
    row('1. fleet, fast mode', baseSeries!),
    row('1. fleet, fast mode', serialSeries!, {
      ratio: { against: `concurrency ${ctx.fleetConcurrency} (speed-up)`, value: speedUp },
      goal: 'report the speed-up',
    }),
  ];
}

export async function bigCase(ctx: CaseContext, snapshots: number): Promise<Row[]> {
  ctx.log(`case 2: one repository with ${snapshots} snapshot objects`);
  const tool: Command = { label: 'restic-monitor status (big)', argv: cli('status', '--json', '-c', ctx.configs.big) };
  const one: Command = { label: 'restic-monitor status (1 snapshot)', argv: cli('status', '--json', '-c', ctx.configs.one) };
  const baseline = await baselineList(ctx, 'baseline: bare pagination loop', [ctx.fx.big], 1);
  const check = (command: Command, sample: Sample) => {
    if (command === baseline) return expectObjects(snapshots)(command, sample);
    const [result] = JSON.parse(sample.stdout) as Array<{ status: string; mode: string }>;
    if (result?.status !== 'up' || result.mode !== 'fast') throw new Error(`${command.label}: ${sample.stdout}`);
  };
  const [toolSeries, baseSeries, oneSeries] = await interleave([tool, baseline, one], ctx.rounds, check);
  const ratio = pairedRatio(toolSeries!, baseSeries!);
  const extra = summarize(toolSeries!.samples.map((sample, i) => sample.peakMiB - oneSeries!.samples[i]!.peakMiB));
  return [
    row('2. big repository', toolSeries!, {
      ratio: { against: 'baseline', value: ratio },
      goal: `≤ 1.2x; peak ≤ 1-snapshot + 20 MiB (is +${extra.median.toFixed(1)} MiB)`,
      met: ratio.median <= 1.2 && extra.median <= 20,
    }),
    row('2. big repository', baseSeries!),
    row('2. big repository', oneSeries!),
  ];
}

export async function resticCase(ctx: CaseContext): Promise<Row[]> {
  const n = ctx.fx.local.length;
  ctx.log(`case 3: restic mode, ${n} local repositories`);
  const env = { RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(ctx.fx.dir, 'restic-cache') };
  const entries = ctx.fx.local.map((repo, i) => `${repo}:tok${i}`);
  const tool: Command = { label: 'restic-monitor run (concurrency 2)', argv: cli('run', '-c', ctx.configs.local), env };
  const loop: Command = { label: 'baseline: shell for loop', argv: ['bash', SHELL, 'loop', '1', ctx.fx.receiver.pushUrl, ...entries], env };
  const xargs: Command = { label: 'baseline: xargs -P 2', argv: ['bash', SHELL, 'xargs', '2', ctx.fx.receiver.pushUrl, ...entries], env };
  const beats = ctx.fx.receiver.beats;
  const check = (command: Command) => {
    if (beats.length !== n || beats.some((beat) => beat.status !== 'up')) throw new Error(`${command.label}: ${beats.length} beats`);
    beats.length = 0;
  };
  beats.length = 0;
  const bundled: Command = { ...tool, label: 'bundle: run (concurrency 2)', argv: bundle('run', '-c', ctx.configs.local) };
  const [toolSeries, bundleSeries, loopSeries, xargsSeries] = await interleave([tool, bundled, loop, xargs], ctx.rounds, check);
  const overLoop = pairedRatio(loopSeries!, toolSeries!);
  const overXargs = pairedRatio(toolSeries!, xargsSeries!);
  const bundleOverXargs = pairedRatio(bundleSeries!, xargsSeries!);
  const xargsOverLoop = pairedRatio(loopSeries!, xargsSeries!);
  return [
    row('3. restic mode', toolSeries!, {
      ratio: { against: 'xargs -P 2', value: overXargs },
      goal: '≤ 1.1x xargs -P',
      met: overXargs.median <= 1.1,
    }),
    row('3. restic mode', bundleSeries!, {
      ratio: { against: 'xargs -P 2', value: bundleOverXargs },
      goal: '≤ 1.1x xargs -P',
      met: bundleOverXargs.median <= 1.1,
    }),
    row('3. restic mode', loopSeries!, {
      ratio: { against: 'restic-monitor (speed-up of the tool)', value: overLoop },
      goal: 'tool ≥ 1.8x faster',
      met: overLoop.median >= 1.8,
    }),
    row('3. restic mode', xargsSeries!, { ratio: { against: 'for loop (speed-up of the bound itself)', value: xargsOverLoop } }),
  ];
}

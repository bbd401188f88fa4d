import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI } from '../test/helpers/paths.js';
import { startS3rver } from '../test/helpers/s3rver.js';
import { BUNDLE, baselineList, row, type CaseContext, type Row } from './cases.js';
import { interleave, pairedRatio, type Command, type Sample } from './measure.js';

/**
 * Case 1b: a fleet of `count` fast-mode S3 repositories (300: the fleet of issue 23), one
 * `run` pushing every verdict, against the bare SDK listing of the same prefixes, on an
 * s3rver of its own that holds only these (s3rver reads its whole bucket directory for
 * every listing: a bucket of 1,000 would make every request slower for the tool and the
 * baseline alike, and the ratio smaller).
 */
export async function smallFleetCase(ctx: CaseContext, count: number): Promise<Row[]> {
  ctx.log(`case 1b: fleet of ${count}, concurrency ${ctx.fleetConcurrency}, an s3rver of its own`);
  const { fx } = ctx;
  const s3 = await startS3rver({ ca: fx.ca });
  try {
    const bucket = join(s3.dir, s3.bucket);
    await mkdir(bucket, { recursive: true });
    const prefixes = fx.fleet.slice(0, count);
    for (const prefix of prefixes) await cp(join(fx.s3.dir, fx.s3.bucket, prefix), join(bucket, prefix), { recursive: true });
    const config = join(fx.dir, `fleet-${count}.yaml`);
    const entries = prefixes.map((name, i) => `  ${name}: { push_token: tok${i} }\n`).join('');
    await writeFile(
      config,
      `concurrency: ${ctx.fleetConcurrency}\ndefaults:\n  url: "s3:https://${s3.host}/${s3.bucket}/{{ .Name }}"\n  mode: fast\n  ca_cert: ${fx.ca.certPath}\n` +
        `  push_url: ${fx.receiver.pushUrl}\n  extra_env: { AWS_ACCESS_KEY_ID: S3RVER, AWS_SECRET_ACCESS_KEY: S3RVER }\nrepositories:\n${entries}`,
    );
    const tool: Command = { label: `restic-monitor run, ${count} repositories (concurrency ${ctx.fleetConcurrency})`, argv: [process.execPath, CLI, 'run', '-c', config] };
    const bundled: Command = { label: `bundle: run, ${count} repositories`, argv: [process.execPath, BUNDLE, 'run', '-c', config] };
    const baseline = await baselineList({ ...ctx, fx: { ...fx, s3 } }, `baseline: ListObjectsV2 only, ${count} prefixes`, prefixes, ctx.fleetConcurrency);
    const beats = fx.receiver.beats;
    const check = (command: Command, sample: Sample) => {
      if (command === baseline) {
        if (Number(sample.stdout.trim()) !== count) throw new Error(`${command.label}: listed ${sample.stdout.trim()} objects, expected ${count}`);
        return;
      }
      const last = beats.slice(-count);
      if (last.length < count || last.some((beat) => beat.status !== 'up')) throw new Error(`${command.label}: pushes missing or down`);
      beats.length = 0;
    };
    beats.length = 0;
    const [toolSeries, bundleSeries, baseSeries] = await interleave([tool, bundled, baseline], ctx.rounds * 2, check);
    const goal = '≤ 1.15x baseline';
    const ratio = pairedRatio(toolSeries!, baseSeries!);
    const bundleRatio = pairedRatio(bundleSeries!, baseSeries!);
    return [
      row(`1b. fleet of ${count}`, toolSeries!, { ratio: { against: 'baseline', value: ratio }, goal, met: ratio.median <= 1.15 }),
      row(`1b. fleet of ${count}`, bundleSeries!, { ratio: { against: 'baseline', value: bundleRatio }, goal, met: bundleRatio.median <= 1.15 }),
      row(`1b. fleet of ${count}`, baseSeries!),
    ];
  } finally {
    await s3.close();
    await rm(s3.dir, { recursive: true, force: true });
  }
}

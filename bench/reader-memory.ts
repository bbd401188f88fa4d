import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI } from '../test/helpers/paths.js';
import { PASSWORD } from '../test/helpers/restic-repos.js';
import type { CaseContext } from './cases.js';
import { measureTree, median, summarize, type Command, type Summary, type TreeSample } from './measure.js';

export interface ReaderMemory {
  repositories: number;
  rounds: number;
  /**
   * The scrypt parameters of the repositories' key, as restic calibrated them at `init` (they
   * depend on the machine's load then): N=32768, r=8 with p ≤ 4 is derived in the monitor
   * itself, anything else in its derivation process (limits.ts, IN_PROCESS_SCRYPT_*).
   */
  key: { N: number; r: number; p: number };
  rows: Array<{ label: string; wallS: Summary; rssMiB: Summary; ussMiB: Summary; processes: number }>;
  /** Tool / restic, paired per round. */
  wallRatio: Summary;
  rssRatio: Summary;
  ussRatio: Summary;
}

/**
 * Case 6: one `status` in restic mode with the built-in reader over `count` local
 * repositories, two checks at a time, against the same repositories read by bare `restic
 * snapshots --json --no-lock` two at a time (`xargs -P 2`). Measured as process trees (the
 * reader derives keys in a child process; xargs runs two restic at once): the peak of the
 * summed RSS and of the summed private memory, and the wall time (one-shot restic mode).
 */
export async function readerMemoryCase(ctx: CaseContext, count: number): Promise<ReaderMemory> {
  ctx.log(`case 6: built-in reader memory, ${count} local repositories`);
  const dir = join(ctx.fx.dir, 'reader-memory');
  await mkdir(dir, { recursive: true });
  // Copies of one real repository: each is opened, and its key derived, on its own.
  const urls = Array.from({ length: count }, (_, i) => join(dir, `repo-${i}`));
  for (const url of urls) await cp(ctx.fx.local[0]!, url, { recursive: true });
  const config = join(dir, 'status.yaml');
  const entries = urls.map((url, i) => `  r${i}: { url: ${url} }\n`).join('');
  await writeFile(config, `concurrency: 2\ndefaults:\n  max_age: 1d\n  extra_env: { RESTIC_PASSWORD: ${PASSWORD} }\nrepositories:\n${entries}`);
  const [keyName] = await readdir(join(urls[0]!, 'keys'));
  const { N, r, p } = JSON.parse(await readFile(join(urls[0]!, 'keys', keyName!), 'utf8')) as { N: number; r: number; p: number };
  const list = join(dir, 'repositories.txt');
  await writeFile(list, `${urls.join('\n')}\n`);
  await mkdir(join(dir, 'restic-cache'), { recursive: true });

  const tool: Command = { label: `restic-monitor status, built-in reader (${count} repositories, 2 at a time)`, argv: [process.execPath, CLI, 'status', '--json', '-c', config] };
  const restic: Command = {
    label: `restic snapshots --json --no-lock, xargs -P 2 (${count} repositories)`,
    argv: ['bash', '-c', 'xargs -P 2 -I{} restic -r {} snapshots --json --no-lock < "$1" > /dev/null', '_', list],
    env: { RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(dir, 'restic-cache') },
  };
  const check = (sample: TreeSample) => {
    const rows = JSON.parse(sample.stdout) as Array<{ status: string; reader?: string }>;
    if (rows.length !== count || rows.some((result) => result.status !== 'up' || result.reader !== 'builtin')) throw new Error(`${tool.label}: ${sample.stdout.slice(0, 500)}`);
  };
  check(await measureTree(tool));
  await measureTree(restic);
  const samples: TreeSample[][] = [[], []];
  for (let round = 0; round < ctx.rounds; round++) {
    const ours = await measureTree(tool);
    check(ours);
    samples[0]!.push(ours);
    samples[1]!.push(await measureTree(restic));
  }
  const paired = (pick: (sample: TreeSample) => number) => summarize(samples[0]!.map((sample, i) => pick(sample) / pick(samples[1]![i]!)));
  const rowOf = (label: string, series: TreeSample[]) => ({
    label,
    wallS: summarize(series.map((sample) => sample.wallMs / 1000)),
    rssMiB: summarize(series.map((sample) => sample.peakRssMiB)),
    ussMiB: summarize(series.map((sample) => sample.peakUssMiB)),
    processes: median(series.map((sample) => sample.processes)),
  });
  return {
    repositories: count,
    rounds: ctx.rounds,
    key: { N, r, p },
    rows: [rowOf(tool.label, samples[0]!), rowOf(restic.label, samples[1]!)],
    wallRatio: paired((sample) => sample.wallMs),
    rssRatio: paired((sample) => sample.peakRssMiB),
    ussRatio: paired((sample) => sample.peakUssMiB),
  };
}

/**
 * The benchmark: sets up s3rver, real restic repositories and a push receiver, runs every
 * case side by side with its lower bound (A B A B ...), and writes bench/RESULTS.md (the
 * table between the markers; the notes around it are kept). QUICK=1: small sizes, 2 rounds,
 * printed only.
 *   npm run bench      (or: npx tsc -p tsconfig.json && node dist/bench/run.js)
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../test/helpers/paths.js';
import { bigCase, fleetCase, resticCase, type CaseContext, type Row } from './cases.js';
import { writeConfigs } from './configs.js';
import { daemonCase, type DaemonMemory } from './daemon.js';
import { makeFixtures } from './fixtures.js';
import { smallFleetCase } from './fleet-small.js';
import { readerMemoryCase, type ReaderMemory } from './reader-memory.js';
import { daemonTable, loadAverage, machine, machineLine, modulesTable, readerMemoryTable, table } from './report.js';
import { startupCase } from './startup.js';

const quick = process.env.QUICK === '1';
const only = process.env.CASES?.split(',');
// Issue 23's sizes: a fleet of 300, the reader over 24 local repositories.
const smallFleet = quick ? 50 : 300;
// CASES=1b alone needs only its 300 prefixes: no minutes spent copying a bucket of 1,000 and a big repository.
const only1b = only !== undefined && only.every((name) => name === '1b');
const sizes = only1b
  ? { fleet: smallFleet, bigSnapshots: 1, local: 0 }
  : quick
    ? { fleet: 100, bigSnapshots: 2000, local: 4 }
    : { fleet: 1000, bigSnapshots: 10_000, local: 8 };
const daemonSizes = quick ? { repositories: 100, middle: 10, cycles: 50 } : { repositories: 1000, middle: 100, cycles: 500 };
const readerRepositories = quick ? 6 : 24;
const readerCycles = quick ? 2 : 3;
const rounds = Number(process.env.ROUNDS ?? (quick ? 2 : 5));
const fleetConcurrency = Number(process.env.FLEET_CONCURRENCY ?? 16);
const started = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

const fx = await makeFixtures(sizes, log);
const rows: Row[] = [];
let sdkLines: string[] = [];
let modules = '';
let daemon: DaemonMemory | undefined;
let reader: ReaderMemory | undefined;
let readerCpu = '';
// The machine is shared: its load average as each case starts, beside the results.
const loads: string[] = [];
try {
  const configs = await writeConfigs(fx, fleetConcurrency);
  const ctx: CaseContext = { fx, configs, rounds, fleetConcurrency, log };
  const wanted = (n: string) => !only || only.includes(n);
  const starting = (name: string) => loads.push(`${name} ${loadAverage()}`);
  // CASES=1 runs 1 and 1b; CASES=1b runs 1b alone (1 takes minutes).
  if (wanted('1')) {
    starting('1');
    rows.push(...(await fleetCase(ctx)));
  }
  if (wanted('1') || wanted('1b')) {
    starting('1b');
    rows.push(...(await smallFleetCase(ctx, Math.min(smallFleet, fx.fleet.length))));
  }
  if (wanted('2')) {
    starting('2');
    rows.push(...(await bigCase(ctx, sizes.bigSnapshots)));
  }
  if (wanted('3')) {
    starting('3');
    rows.push(...(await resticCase(ctx)));
  }
  if (wanted('4')) {
    starting('4');
    const startup = await startupCase(ctx);
    rows.push(...startup.rows);
    sdkLines = Object.entries(startup.sdkModules).map(([label, count]) => `- ${label}: ${count} @aws-sdk modules resolved`);
    modules = modulesTable(startup.modules);
  }
  if (wanted('5')) {
    starting('5');
    daemon = await daemonCase(ctx, daemonSizes.repositories, daemonSizes.middle, daemonSizes.cycles);
  }
  if (wanted('6')) {
    starting('6');
    reader = await readerMemoryCase(ctx, readerRepositories);
  }
  if (wanted('7')) {
    starting('7');
    log(`case 7: built-in reader against the restic binary, ${readerRepositories} repositories, ${readerCycles} cycles (bench/reader-vs-restic.ts)`);
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'dist', 'bench', 'reader-vs-restic.js'), String(readerRepositories), String(readerCycles)], { maxBuffer: 1 << 20 });
    readerCpu = `7. built-in reader against the restic binary, per check cycle (bench/reader-vs-restic.ts): ${stdout.trim()}`;
  }
} finally {
  await fx.close();
}

const generated = [
  machineLine(machine(), rounds, quick),
  `Load average (1, 5, 15 min) as each case started: ${loads.map((entry) => `case ${entry}`).join('; ')}; at the end ${loadAverage()}.`,
  '',
  table(rows),
  '',
  ...(sdkLines.length > 0 ? ['S3 SDK loading (import trace):', '', ...sdkLines, ''] : []),
  ...(modules ? [modules, ''] : []),
  ...(daemon ? [daemonTable(daemon), ''] : []),
  ...(reader ? [readerMemoryTable(reader), ''] : []),
  ...(readerCpu ? [readerCpu, ''] : []),
  `Whole bench: ${((Date.now() - started) / 1000).toFixed(0)} s.`,
].join('\n');
process.stdout.write(`${generated}\n`);

const BEGIN = '<!-- bench:begin (written by bench/run.ts) -->';
const END = '<!-- bench:end -->';
// A smoke run's numbers say nothing: they go to stdout only.
if (quick) process.exit(0);
const target = join(ROOT, 'bench', 'RESULTS.md');
const previous = await readFile(target, 'utf8').catch(() => `# Benchmark results\n\n${BEGIN}\n${END}\n`);
const [head, rest] = previous.includes(BEGIN) ? previous.split(BEGIN) : [`${previous}\n`, `${END}\n`];
const tail = rest!.includes(END) ? rest!.slice(rest!.indexOf(END) + END.length) : '\n';
await writeFile(target, `${head}${BEGIN}\n${generated}\n${END}${tail}`);
log(`wrote ${target}`);

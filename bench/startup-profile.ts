/**
 * Where a command's start-up goes: its CPU profile (self time per package and per function,
 * the mean of several runs), its sampled heap profile (what is still allocated at exit, per
 * package) and the modules it loads (per package). Markdown on stdout, for bench/RESULTS.md.
 *   node dist/bench/startup-profile.js [--runs 5] -- SCRIPT [ARGS...]
 * e.g. `-- dist/src/cli.js status -c one.yaml` or `-- bundle/restic-monitor.mjs status -c one.yaml`.
 * The script runs under this Node (process.execPath) with the profiler's flags before it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TRACE = fileURLToPath(new URL('../test/helpers/module-trace.js', import.meta.url));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize?: number;
  children?: ProfileNode[] | number[];
}

/** Where code lives, coarsely: a package, a folder of ours, a part of Node. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/dist\/src\/(?:([^/]+)\/)?[^/]+$/.exec(url);
  if (own) return `src/${own[1] ?? ''}`;
  const chunk = /\/(bundle|chunks)\/([^/]+)$/.exec(url);
  if (chunk) return `bundle: ${chunk[2]!.replace(/-[A-Z0-9]{8}\.mjs$/, '')}`;
  if (url.startsWith('node:internal/modules/')) return 'node: module loading';
  if (url.startsWith('node:')) return `node: ${url.slice('node:'.length).replace(/^internal\//, '').split('/')[0]}`;
  return url;
}

const functionKey = (frame: ProfileNode['callFrame']) =>
  `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '').replace(/^.*\/(bundle|chunks)\//, '$1/')}:${frame.lineNumber + 1}`;

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', () => resolve(stderr));
  });
}

async function profiles(flag: string, runs: number, command: string[]): Promise<unknown[]> {
  const dir = await mkdtemp(join(tmpdir(), 'rm-profile-'));
  try {
    for (let i = 0; i < runs; i++) await run([`--${flag}`, `--${flag}-dir=${dir}`, ...command]);
    return await Promise.all((await readdir(dir)).map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as unknown));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Self time per area and per function, in ms, the mean over the profiles. */
export function cpuSummary(all: Array<{ nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }>) {
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const profile of all) {
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => add(self as Map<never, number>, id as never, profile.timeDeltas[i] ?? 0));
    for (const node of profile.nodes) {
      const us = self.get(node.id) ?? 0;
      total += us;
      add(areas, areaOf(node.callFrame.url, node.callFrame.functionName), us);
      add(functions, functionKey(node.callFrame), us);
    }
  }
  const mean = (map: Map<string, number>) => new Map([...map].map(([key, us]) => [key, us / 1000 / all.length]));
  return { totalMs: total / 1000 / all.length, areas: mean(areas), functions: mean(functions) };
}

/** Bytes still allocated at exit per area (V8's sampling heap profiler). */
export function heapSummary(profile: { head: ProfileNode }): { total: number; areas: Map<string, number> } {
  const areas = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode) => {
    const size = node.selfSize ?? 0;
    total += size;
    add(areas, areaOf(node.callFrame.url, node.callFrame.functionName), size);
    for (const child of (node.children ?? []) as ProfileNode[]) walk(child);
  };
  walk(profile.head);
  return { total, areas };
}

/** Modules loaded per area, from module-trace.ts's lines. */
export function moduleSummary(stderr: string): { esm: number; cjs: number; areas: Map<string, number> } {
  const areas = new Map<string, number>();
  let esm = 0;
  let cjs = 0;
  for (const match of stderr.matchAll(/^module-trace: (esm|cjs) (.+)$/gm)) {
    const where = match[2]!;
    if (where.startsWith('node:')) continue; // built-ins: part of Node, not loaded from disk
    if (match[1] === 'esm') esm++;
    else cjs++;
    add(areas, areaOf(where.replace(/^file:\/\//, ''), ''), 1);
  }
  return { esm, cjs, areas };
}

const top = (map: Map<string, number>, count: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, count);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const split = args.indexOf('--');
  if (split < 0 || split === args.length - 1) throw new Error('usage: startup-profile.js [--runs N] -- SCRIPT [ARGS...]');
  const runs = Number(args[args.indexOf('--runs') + 1] ?? 5) || 5;
  const command = args.slice(split + 1);
  const cpu = cpuSummary((await profiles('cpu-prof', runs, command)) as Parameters<typeof cpuSummary>[0]);
  const heap = heapSummary((await profiles('heap-prof', 1, command))[0] as { head: ProfileNode });
  const modules = moduleSummary(await run([`--import=${TRACE}`, ...command]));
  const ms = (value: number) => value.toFixed(1);
  const lines = [
    `\`${command.join(' ')}\`, ${runs} CPU profiles (default 1 ms sampling; self time, mean per run), one heap profile, one module trace; load average ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')}.`,
    '',
    `CPU: ${ms(cpu.totalMs)} ms sampled per run. By package or folder: ${top(cpu.areas, 10).map(([area, value]) => `${area} ${ms(value)}`).join(', ')}.`,
    '',
    `Top functions (self ms): ${top(cpu.functions, 8).map(([name, value]) => `\`${name}\` ${ms(value)}`).join(', ')}.`,
    '',
    `Heap live at exit (sampled): ${(heap.total / 1048576).toFixed(1)} MiB. By package or folder: ${top(heap.areas, 8).map(([area, value]) => `${area} ${(value / 1048576).toFixed(2)}`).join(', ')} MiB.`,
    '',
    `Modules loaded from disk: ${modules.esm} ES, ${modules.cjs} CommonJS. By package or folder: ${top(modules.areas, 14).map(([area, count]) => `${area} ${count}`).join(', ')}.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

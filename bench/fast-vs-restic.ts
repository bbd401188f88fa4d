/**
 * Fast mode vs restic mode on the same S3 repositories (s3rver over TLS on 127.0.0.1). Not a
 * test: numbers only. CLI start-up is case 4 of bench/run.ts.
 *   npx tsc -p tsconfig.json && node dist/bench/fast-vs-restic.js [repositories] [rounds]
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckResultJson } from '../src/run/result-json.js';
import { CLI } from '../test/helpers/paths.js';
import { PASSWORD, restic, tempDir } from '../test/helpers/restic-repos.js';
import { makeTestCa, startS3rver } from '../test/helpers/s3rver.js';

const count = Number(process.argv[2] ?? 8);
const rounds = Number(process.argv[3] ?? 3);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const ca = await makeTestCa();
const s3 = await startS3rver({ ca });
const dir = await tempDir('rm-bench-');
await writeFile(join(dir, 'file.txt'), 'data\n');
const env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
const names = Array.from({ length: count }, (_, i) => `repo-${i}`);
for (const name of names) {
  await restic(['-r', s3.url(name), '--cacert', ca.certPath, 'init'], env);
  await restic(['-r', s3.url(name), '--cacert', ca.certPath, 'backup', '--quiet', dir], env);
}

const config = join(dir, 's3.yaml');
const repositories = names.map((name) => `  ${name}:\n`).join('');
await writeFile(
  config,
  `concurrency: 1\ndefaults:\n  url: "s3:https://${s3.host}/${s3.bucket}/{{ .Name }}"\n  ca_cert: ${ca.certPath}\n  extra_env: { AWS_ACCESS_KEY_ID: S3RVER, AWS_SECRET_ACCESS_KEY: S3RVER }\nrepositories:\n${repositories}`,
);

function cli(args: string[], extra: Record<string, string>): { wallMs: number; results: CheckResultJson[] } {
  const started = performance.now();
  const run = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...extra }, encoding: 'utf8' });
  const wallMs = performance.now() - started;
  if (run.status === 2 || run.error) throw new Error(`${args.join(' ')}: ${run.stderr}`);
  return { wallMs, results: args.includes('--json') && args[0] === 'status' ? (JSON.parse(run.stdout) as CheckResultJson[]) : [] };
}

const modes = { fast: { RESTIC_MONITOR_FAST: 'true' }, restic: { RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(dir, 'cache') } };
console.log(`${count} repositories on s3rver (TLS), concurrency 1, ${rounds} rounds, median:`);
for (const [mode, extra] of Object.entries(modes)) {
  const perRepository: number[] = [];
  const walls: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const { wallMs, results } = cli(['status', '--json', '-c', config], extra);
    if (results.some((result) => result.status !== 'up' || result.mode !== mode)) throw new Error(`${mode}: ${JSON.stringify(results)}`);
    walls.push(wallMs);
    perRepository.push(...results.map((result) => result.duration_ms));
  }
  console.log(`  ${mode.padEnd(6)} per repository ${median(perRepository)} ms (min ${Math.min(...perRepository)}, max ${Math.max(...perRepository)}); whole run ${median(walls).toFixed(0)} ms`);
}

await s3.close();

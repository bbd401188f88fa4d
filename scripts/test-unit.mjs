#!/usr/bin/env node
// `npm run test:unit`: the pure suites alone, in seconds. A suite is pure when it starts no
// process and no server and reaches no network: parsers, formatters, decisions, the
// scheduler on fake timers (a temp file at most). Everything else, and the type check, is
// `npm test`'s job. esbuild transpiles without type-checking (tsc takes ~20 s on 2 cores);
// its output mirrors tsc's layout under dist/unit/, so the suites run as `npm test` runs them.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Add a new pure suite here; it must pass alone in well under a second.
export const PURE_SUITES = [
  'beyond-units',
  'config-parse',
  'duration',
  'env-file',
  'hosts-config',
  'json-array-stream',
  'limiter',
  'redact',
  's3-errors',
  's3-url',
  'scheduler',
  'signal-handling',
  'status-table',
  'template',
  'verdict',
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'unit');
for (const name of PURE_SUITES) {
  if (!existsSync(join(root, 'test', `${name}.test.ts`))) {
    console.error(`test:unit: test/${name}.test.ts does not exist (scripts/test-unit.mjs lists it)`);
    process.exit(1);
  }
}
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/**/*.ts', 'test/**/*.ts'],
  outdir,
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
});
const files = PURE_SUITES.map((name) => join(outdir, 'test', `${name}.test.js`));
const { status } = spawnSync(process.execPath, ['--test', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 4}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(status ?? 1);

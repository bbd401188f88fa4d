#!/usr/bin/env node
// `npm run test:unit`: the pure suites alone, in seconds. A suite is pure when it starts no
// process and no server and reaches no network: parsers, formatters, decisions, the
// scheduler on fake timers (a temp file at most). Everything else, and the type check, is
// `npm test`'s job. esbuild bundles the pure suites (and what they import from src/) into
// one file that runs in one process: tsc takes ~20 s on 2 cores, and a Node process per
// suite costs a second each on a busy machine.
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
  'layers',
  'limiter',
  'plan',
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
const outfile = join(root, 'dist', 'unit', 'pure.test.mjs');
for (const name of PURE_SUITES) {
  if (!existsSync(join(root, 'test', `${name}.test.ts`))) {
    console.error(`test:unit: test/${name}.test.ts does not exist (scripts/test-unit.mjs lists it)`);
    process.exit(1);
  }
}
rmSync(dirname(outfile), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  stdin: { contents: PURE_SUITES.map((name) => `import './test/${name}.test.ts';`).join('\n'), resolveDir: root, loader: 'ts' },
  outfile,
  bundle: true,
  packages: 'external', // node_modules are loaded from the project as usual
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
});
const { status } = spawnSync(process.execPath, ['--test', '--test-reporter=spec', outfile], { stdio: 'inherit' });
process.exit(status ?? 1);

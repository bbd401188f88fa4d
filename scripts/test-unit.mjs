#!/usr/bin/env node
// `npm run test:unit`: the pure suites alone, in seconds. A suite is pure when it starts no
// process and no server and reaches no network: parsers, formatters, decisions, the
// scheduler on fake timers (a temp file at most). The rule is the file name: a pure suite is
// test/**/NAME.unit.test.ts (it must pass alone in well under a second); every other
// test/**/NAME.test.ts may start processes. `npm test` (scripts/test.sh) runs both kinds,
// and the type check. esbuild bundles the pure suites (and what they import from src/) into
// one file that runs in one process: tsc takes ~20 s on 2 cores, and a Node process per
// suite costs a second each on a busy machine.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'unit', 'pure.test.mjs');
// Every test/**/NAME.unit.test.ts, as paths from the project root, sorted.
export const PURE_SUITES = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .map((path) => path.split('\\').join('/'))
  .filter((path) => path.endsWith('.unit.test.ts'))
  .sort()
  .map((path) => `test/${path}`);
if (PURE_SUITES.length === 0) {
  console.error('test:unit: no test/**/*.unit.test.ts found');
  process.exit(1);
}
rmSync(dirname(outfile), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  stdin: { contents: PURE_SUITES.map((path) => `import './${path}';`).join('\n'), resolveDir: root, loader: 'ts' },
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

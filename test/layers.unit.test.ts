import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { test } from 'node:test';
import { projectRoot } from './helpers/project-root.js';

// The layer rule (README "Architecture"): config/ reads no checker, checkers/ know nothing
// of how a run, the daemon, the CLI, the HTTP server or the push targets use them, push/
// knows nothing of checkers or of who pushes (run, daemon), and nothing but the entry
// point (src/cli.ts) reaches into cli/. This test reads the sources, so it runs the same
// from dist/test/ (tsc) and from test:unit's bundle: it finds the project by its package.json.


function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of a file, as a path under src/ ('checkers/s3/url.ts'). */
export function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  const dynamic = [...text.matchAll(/import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  return [...specs, ...dynamic].map((spec) => posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts'));
}

/** Why `from` may not import `to` (both paths under src/), or undefined when it may. */
export function layerViolation(from: string, to: string): string | undefined {
  const top = (path: string) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '');
  const [a, b] = [top(from), top(to)];
  if (a === 'config' && b === 'checkers') return 'config/ imports no checker';
  if (a === 'checkers' && ['run', 'daemon', 'cli', 'http', 'push'].includes(b)) return `checkers/ import nothing from ${b}/`;
  if (a === 'push' && ['checkers', 'run', 'daemon', 'cli', 'http'].includes(b)) return `push/ imports nothing from ${b}/`;
  if (a === 'kuma' && ['run', 'daemon', 'cli', 'http', 'discover'].includes(b)) return `kuma/ imports nothing from ${b}/`;
  if (b === 'cli' && a !== 'cli' && from !== 'cli.ts') return 'only the entry point (src/cli.ts) and cli/ import cli/';
  return undefined;
}

test('no file in src/ imports across the layer rule', () => {
  const src = join(projectRoot(), 'src');
  const files = sources(src);
  assert.ok(files.length > 50, `only ${files.length} files found under ${src}`);
  const broken: string[] = [];
  for (const path of files) {
    const file = relative(src, path).split(sep).join('/');
    for (const target of importsOf(file, readFileSync(path, 'utf8'))) {
      const why = layerViolation(file, target);
      if (why !== undefined) broken.push(`src/${file} imports src/${target}: ${why}`);
    }
  }
  assert.deepEqual(broken, []);
});

test('the rule names the file and the import it breaks', () => {
  assert.equal(layerViolation('config/repository.ts', 'checkers/s3/url.ts'), 'config/ imports no checker');
  assert.equal(layerViolation('checkers/local/local.ts', 'run/pool.ts'), 'checkers/ import nothing from run/');
  assert.equal(layerViolation('checkers/s3/checker.ts', 'daemon/daemon.ts'), 'checkers/ import nothing from daemon/');
  assert.equal(layerViolation('daemon/daemon.ts', 'cli/format.ts'), 'only the entry point (src/cli.ts) and cli/ import cli/');
  assert.equal(layerViolation('push/uptime-kuma.ts', 'run/limiter.ts'), 'push/ imports nothing from run/');
  assert.equal(layerViolation('checkers/s3/checker.ts', 'push/retry.ts'), 'checkers/ import nothing from push/');
  assert.equal(layerViolation('kuma/plan.ts', 'run/bounds.ts'), 'kuma/ imports nothing from run/');
  assert.equal(layerViolation('run/run-once.ts', 'push/target.ts'), undefined);
  assert.equal(layerViolation('cli.ts', 'cli/args.ts'), undefined);
  assert.equal(layerViolation('cli/main.ts', 'checkers/select.ts'), undefined);
  assert.equal(layerViolation('checkers/plan.ts', 'urls/s3.ts'), undefined);
  assert.deepEqual(importsOf('config/repository.ts', "import { a } from '../checkers/s3/url.js';\nimport type { B } from './types.js';\n"), [
    'checkers/s3/url.ts',
    'config/types.ts',
  ]);
});

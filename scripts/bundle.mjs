#!/usr/bin/env node
// Builds bundle/: the whole CLI as one ESM file with its dependencies inside, plus a chunk per
// dynamically imported module (the S3 SDK), so that the Nix package and the container need
// nothing but Node. Output is deterministic: the same sources give the same bytes, which CI
// checks (.ci/bundle-check.sh). Usage: node scripts/bundle.mjs [OUTDIR]
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(process.argv[2] ?? join(root, 'bundle'));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'restic-monitor': 'src/cli.ts' },
  outdir,
  bundle: true,
  splitting: true, // `await import(...)` becomes a chunk loaded only when that code runs
  format: 'esm',
  platform: 'node',
  // ESM builds first: a dynamic import() of a CommonJS build loses its named exports.
  mainFields: ['module', 'main'],
  target: 'node20',
  outExtension: { '.js': '.mjs' }, // no package.json beside the bundle says "module"
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  legalComments: 'eof', // the bundled packages' licence notices stay with their code
  charset: 'utf8',
  define: { RESTIC_MONITOR_VERSION: JSON.stringify(version) },
  // CommonJS packages inside an ESM bundle still call require() for Node's built-ins. Every
  // chunk gets the banner, and only the chunk with esbuild's require shim uses it: the real
  // require is made by its first call, not by each of the dozens of chunks a command loads
  // (createRequire costs about half a millisecond each; bench/RESULTS.md, cold start).
  banner: {
    js: "import { createRequire as __rmCreateRequire } from 'node:module'; let __rmRequire; const require = new Proxy(function (id) { return (__rmRequire ??= __rmCreateRequire(import.meta.url))(id); }, { get: (_, key) => (__rmRequire ??= __rmCreateRequire(import.meta.url))[key] });",
  },
  logLevel: 'warning',
});

// A node:test reporter that runs beside `spec` in scripts/test.sh: how long each test file
// took (its process, start to end), longest first, and which files failed. The spec
// reporter names a failing test but not its file, and not the restic pass it ran in.
import { relative } from 'node:path';

const ROOT = process.cwd();

/** dist/test/cli/cli.test.js -> cli/cli; dist/versioned/restic-0.18/cli/cli.test.mjs -> restic 0.18: cli/cli */
export function label(file) {
  const path = relative(ROOT, file);
  const versioned = /^dist\/versioned\/restic-([^/]+)\/(.+)\.test\.mjs$/.exec(path);
  if (versioned) return `restic ${versioned[1]}: ${versioned[2]}`;
  return path.replace(/^dist\/test\//, '').replace(/\.test\.m?js$/, '');
}

export default async function* report(source) {
  const files = [];
  for await (const event of source) {
    // A file's own entry: the test the runner made for its process, named by its path.
    if (event.type === 'test:complete' && event.data.nesting === 0 && event.data.name === event.data.file) {
      files.push({ label: label(event.data.file), seconds: event.data.details.duration_ms / 1000, passed: event.data.details.passed });
    }
  }
  files.sort((a, b) => b.seconds - a.seconds);
  const total = files.reduce((sum, file) => sum + file.seconds, 0);
  yield `# ${files.length} test files, ${total.toFixed(0)} s in all; each file's wall time, longest first\n`;
  for (const file of files) yield `${file.seconds.toFixed(1).padStart(7)} s  ${file.passed ? 'pass' : 'FAIL'}  ${file.label}\n`;
}

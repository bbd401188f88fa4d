import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine } from '../../src/cli/args.js';

test('kuma sync: the one two-word command, with --dry-run and --prune[=delete|pause]', () => {
  const pick = (argv: string[]) => {
    const line = parseCommandLine(argv);
    return [line.command, line.dryRun, line.prune];
  };
  assert.deepEqual(pick(['kuma', 'sync']), ['kuma-sync', false, 'off']);
  assert.deepEqual(pick(['kuma', 'sync', '--dry-run', '--prune']), ['kuma-sync', true, 'pause']);
  assert.deepEqual(pick(['kuma', 'sync', '--prune=delete']), ['kuma-sync', false, 'delete']);
  assert.deepEqual(pick(['kuma', 'sync', '--prune=pause']), ['kuma-sync', false, 'pause']);
  // Other commands parse as before: no prune at all.
  assert.equal('prune' in parseCommandLine(['run']), false);
  assert.throws(() => parseCommandLine(['kuma', 'sync', '--prune', '--prune=delete']), { message: 'give --prune or --prune=delete, not both' });
  assert.throws(() => parseCommandLine(['kuma', 'sync', 'extra']), { message: 'unexpected argument "extra"' });
});

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CheckError, type Checker } from '../../src/checkers/checker.js';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../helpers/restic-repos.js';

const now = new Date('2026-11-22T12:00:00Z');

/** Stands in for restic so that the table's text can be compared exactly; restic itself is tested elsewhere. */
const checker: Checker = {
  mode: 'restic',
  kind: 'restic',
  supports: () => true,
  async check(repository) {
    if (repository.name === 'broken') throw new CheckError('wrong password or no key found');
    if (repository.name === 'empty') return { latest: null };
    const ages: Record<string, number> = { 'web-server': 3 * 3_600_000 + 12 * 60_000, db: 52 * 3_600_000 };
    return { latest: new Date(now.getTime() - ages[repository.name]!) };
  },
};

async function status(tty: boolean, env: Record<string, string> = {}) {
  const dir = await tempDir('rm-status-');
  const config = join(dir, 'config.yaml');
  await writeFile(config, 'defaults:\n  url: /srv/{{ .Name }}\nrepositories:\n  web-server:\n  db:\n    max_age: 1d\n  broken:\n    max_age: 6h\n  empty:\n');
  let stdout = '';
  const code = await main(['status', '-c', config], {
    stdout: { write: (text: string) => (stdout += text), isTTY: tty },
    stderr: { write: () => true },
    env,
    now: () => now,
    signal: new AbortController().signal,
    checkers: [checker],
    pushTargets: [],
  });
  return { code, stdout };
}

test('status prints an aligned table: repository, mode, latest snapshot, age, max age, state, message', async () => {
  const { code, stdout } = await status(false);
  assert.equal(code, 1);
  assert.equal(
    stdout,
    [
      'REPOSITORY  MODE    LATEST SNAPSHOT       AGE    MAX AGE  STATE  MESSAGE',
      'web-server  restic  2026-11-22 08:48:00Z  3h12m  1d       UP     latest snapshot 3h12m ago (max 1d)',
      'db          restic  2026-11-20 08:00:00Z  2d4h   1d       DOWN   stale: latest snapshot 2d4h ago (max 1d)',
      'broken      restic  -                     -      6h       DOWN   check failed: wrong password or no key found',
      'empty       restic  -                     -      1d       DOWN   no snapshots',
      '',
    ].join('\n'),
  );
});

test('status colours the state only on a terminal, and not with NO_COLOR', async () => {
  const plain = await status(false);
  assert.ok(!plain.stdout.includes('\u001b['), 'no escape codes when stdout is not a TTY');
  const tty = await status(true);
  assert.ok(tty.stdout.includes('\u001b[32mUP   \u001b[0m'), tty.stdout);
  assert.ok(tty.stdout.includes('\u001b[31mDOWN \u001b[0m'), tty.stdout);
  // Colour changes nothing else: strip it and the table is the plain one.
  assert.equal(tty.stdout.replace(/\u001b\[\d+m/g, ''), plain.stdout);
  const noColor = await status(true, { NO_COLOR: '1' });
  assert.equal(noColor.stdout, plain.stdout);
});

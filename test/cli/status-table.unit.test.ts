import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CheckError, type Checker } from '../../src/checkers/checker.js';
import { main } from '../../src/cli/main.js';
import { formatStatusTable } from '../../src/cli/status-table.js';
import stringWidth from 'string-width';
import type { CheckResult } from '../../src/run/result.js';
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

/** The fake checks take 0 ms or, on a loaded machine, a few: the DURATION column shows whichever, padded to its header. */
const settleDurations = (table: string) => table.replace(/\b\d{1,3}ms {2,}/g, (cell) => '0ms'.padEnd(cell.length));

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
  return { code, stdout: settleDurations(stdout) };
}

test('status prints an aligned table: repository, mode, latest snapshot, age, max age, state, signals, duration, message', async () => {
  const { code, stdout } = await status(false);
  assert.equal(code, 1);
  assert.equal(
    stdout,
    [
      'REPOSITORY  MODE    LATEST SNAPSHOT       AGE    MAX AGE  STATE  SIGNALS  DURATION  MESSAGE',
      'web-server  restic  2026-11-22 08:48:00Z  3h12m  1d       UP     -        0ms       latest snapshot 3h12m ago (max 1d)',
      'db          restic  2026-11-20 08:00:00Z  2d4h   1d       DOWN   -        0ms       stale: latest snapshot 2d4h ago (max 1d)',
      'broken      restic  -                     -      6h       DOWN   -        0ms       check failed: wrong password or no key found',
      'empty       restic  -                     -      1d       DOWN   -        0ms       no snapshots',
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

/** A result as runOnce makes it, checked at `now`; the fields a test does not name are an up restic check. */
function result(fields: Partial<CheckResult> & { name: string }): CheckResult {
  return {
    repository: fields.name,
    status: 'up',
    mode: 'restic',
    latest: new Date('2026-11-22T09:00:00.000Z'),
    latestBasis: 'time',
    ageMs: 3 * 3_600_000,
    maxAgeMs: 86_400_000,
    message: 'latest snapshot 3h ago (max 1d)',
    error: null,
    durationMs: 0,
    checkedAt: now,
    pushes: [],
    ...fields,
  };
}

test('the DURATION column: milliseconds under a second, tenths under ten seconds, then two units', async () => {
  const table = await formatStatusTable(
    [0, 340, 999, 1000, 2_560, 9_999, 12_400, 65_000, 3_725_000].map((ms) => result({ name: `took-${ms}`, durationMs: ms })),
    { color: false },
  );
  const durations = table.split('\n').slice(1).map((line) => line.split(/\s{2,}/)[7]);
  assert.deepEqual(durations, ['0ms', '340ms', '999ms', '1.0s', '2.5s', '9.9s', '12s', '1m5s', '1h2m']);
});

test('a snapshot ahead of the clock shows its age with a minus sign, within the tolerance and beyond it', async () => {
  // Today's table showed "0s" for the first (age_seconds is clamped at 0 while fresh) and "2h" for the second.
  const table = await formatStatusTable(
    [
      // Decided at checked_at + duration_ms: 12:00:02, so 5m ahead.
      result({ name: 'ahead-5m', latest: new Date('2026-11-22T12:05:02.000Z'), ageMs: 0, durationMs: 2_000, message: 'latest snapshot just now (max 1d)' }),
      result({ name: 'ahead-2h', status: 'down', latest: new Date('2026-11-22T14:00:00.000Z'), ageMs: -7200000, message: 'latest snapshot is 2h in the future: check the clocks' }),
      result({ name: 'now', latest: new Date('2026-11-22T12:00:00.400Z'), ageMs: 0, message: 'latest snapshot just now (max 1d)' }),
    ],
    { color: false },
  );
  assert.deepEqual(
    table.split('\n').map((line) => line.split(/\s{2,}/)[3]),
    ['AGE', '-5m', '-2h', '0s'],
  );
});

test('wide names keep the table aligned: CJK and emoji take two columns, combining marks none', async () => {
  const names = ['web-server', '日本語サーバー', 'backup-📦', 'café', 'cafe\u0301', 'ｆｕｌｌ'];
  const table = await formatStatusTable(names.map((name) => result({ name })), { color: false });
  const lines = table.split('\n');
  assert.equal(lines[0], 'REPOSITORY      MODE    LATEST SNAPSHOT       AGE  MAX AGE  STATE  SIGNALS  DURATION  MESSAGE');
  assert.deepEqual(lines.slice(1), [
    'web-server      restic  2026-11-22 09:00:00Z  3h   1d       UP     -        0ms       latest snapshot 3h ago (max 1d)',
    '日本語サーバー  restic  2026-11-22 09:00:00Z  3h   1d       UP     -        0ms       latest snapshot 3h ago (max 1d)',
    'backup-📦       restic  2026-11-22 09:00:00Z  3h   1d       UP     -        0ms       latest snapshot 3h ago (max 1d)',
    'café            restic  2026-11-22 09:00:00Z  3h   1d       UP     -        0ms       latest snapshot 3h ago (max 1d)',
    'cafe\u0301            restic  2026-11-22 09:00:00Z  3h   1d       UP     -        0ms       latest snapshot 3h ago (max 1d)',
    'ｆｕｌｌ        restic  2026-11-22 09:00:00Z  3h   1d       UP     -        0ms       latest snapshot 3h ago (max 1d)',
  ]);
  // The same, in terminal columns: MODE starts in column 16 on every line.
  for (const line of lines) assert.equal(stringWidth(line.slice(0, line.indexOf('restic') === -1 ? line.indexOf('MODE') : line.indexOf('restic'))), 16, line);
});

test('the SIGNALS column: - without signals, ok when all hold, the failed ones by name, ? for those not judged; aligned', async () => {
  const signal = (name: 'min_files' | 'max_shrink' | 'max_lag' | 'min_size', ok: boolean | null) => ({ name, limit: 1, value: ok === null ? null : 1, ok });
  const table = await formatStatusTable(
    [
      result({ name: 'plain' }),
      result({ name: 'healthy', signals: [signal('min_files', true), signal('max_lag', true)] }),
      result({ name: 'shrunk', status: 'down', signals: [signal('max_shrink', false), signal('min_files', true), signal('max_lag', false)], message: 'shrank from 500 files to 0 (max_shrink 50%) and 1 more; latest snapshot 3h ago' }),
      result({ name: 'old', signals: [signal('min_size', null), signal('min_files', true)], message: 'latest snapshot 3h ago (max 1d); size not checked: the latest snapshot has no summary (restic before 0.17)' }),
      result({ name: 'both', status: 'down', signals: [signal('max_lag', false), signal('min_size', null)], message: 'copy lags nas by 3d (max_lag 1d); latest snapshot 3h ago' }),
    ],
    { color: false },
  );
  assert.deepEqual(table.split('\n'), [
    'REPOSITORY  MODE    LATEST SNAPSHOT       AGE  MAX AGE  STATE  SIGNALS             DURATION  MESSAGE',
    'plain       restic  2026-11-22 09:00:00Z  3h   1d       UP     -                   0ms       latest snapshot 3h ago (max 1d)',
    'healthy     restic  2026-11-22 09:00:00Z  3h   1d       UP     ok                  0ms       latest snapshot 3h ago (max 1d)',
    'shrunk      restic  2026-11-22 09:00:00Z  3h   1d       DOWN   max_shrink,max_lag  0ms       shrank from 500 files to 0 (max_shrink 50%) and 1 more; latest snapshot 3h ago',
    'old         restic  2026-11-22 09:00:00Z  3h   1d       UP     ?                   0ms       latest snapshot 3h ago (max 1d); size not checked: the latest snapshot has no summary (restic before 0.17)',
    'both        restic  2026-11-22 09:00:00Z  3h   1d       DOWN   max_lag,?           0ms       copy lags nas by 3d (max_lag 1d); latest snapshot 3h ago',
  ]);
});

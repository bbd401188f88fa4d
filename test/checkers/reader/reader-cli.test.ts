import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { renderMetrics } from '../../../src/metrics/render.js';
import { talliesOf } from '../../../src/metrics/tally.js';
import type { CheckResult } from '../../../src/run/result.js';
import { runCli } from '../../helpers/cli.js';
import { makeRepository, PASSWORD, restic, tempDir } from '../../helpers/restic-repos.js';

let dir: string;
let repo: string;
let resticLatest: string;

before(async () => {
  dir = await tempDir('rm-reader-cli-');
  repo = await makeRepository(join(dir, 'repo'), [{ host: 'web1' }, { host: 'web2', time: '2021-01-01 00:00:00' }]);
  const listed = JSON.parse(await restic(['-r', repo, 'snapshots', '--json', '--no-lock'])) as Array<{ time: string }>;
  resticLatest = new Date(listed.at(-1)!.time).toISOString();
});

async function status(reader: string | undefined): Promise<{ code: number | null; rows: CheckResult[]; stderr: string }> {
  const config = join(dir, `config-${reader ?? 'unset'}.yaml`);
  await writeFile(config, `defaults:\n  url: ${repo}\n  extra_env: { RESTIC_PASSWORD: ${PASSWORD} }\n${reader ? `  reader: ${reader}\n` : ''}repositories:\n  all: {}\n  web2: { host: web2 }\n`);
  const result = await runCli(['status', '--json', '-c', config], { env: { RESTIC_CACHE_DIR: join(dir, 'cache') } });
  return { code: result.code, rows: result.code === 2 ? [] : (JSON.parse(result.stdout) as CheckResult[]), stderr: result.stderr };
}

test('reader: builtin, auto and restic give the same answer; status --json says which reader answered', async () => {
  for (const [reader, expected] of [['builtin', 'builtin'], ['auto', 'builtin'], ['restic', 'restic'], [undefined, 'builtin']] as const) {
    const { rows } = await status(reader);
    assert.deepEqual(
      rows.map((row) => [row.name, row.mode, row.reader, row.latest]),
      [
        ['all', 'restic', expected, resticLatest],
        ['web2', 'restic', expected, '2021-01-01T00:00:00.000Z'],
      ],
      String(reader),
    );
  }
});

test('validate shows a reader other than the default for restic-mode checks, and only then', async () => {
  const config = join(dir, 'config-validate.yaml');
  await writeFile(config, `repositories:\n  built:\n    url: ${repo}\n    reader: builtin\n  plain:\n    url: ${repo}\n  fast:\n    url: ${repo}\n    mode: fast\n    reader: auto\n`);
  const result = await runCli(['validate', '--json', '-c', config]);
  assert.equal(result.code, 0, result.stderr);
  const view = JSON.parse(result.stdout) as { repositories: Record<string, { mode: string; reader?: string }> };
  assert.deepEqual(
    Object.entries(view.repositories).map(([name, shown]) => [name, shown.mode, shown.reader]),
    [
      ['built', 'restic', 'builtin'],
      ['plain', 'restic', undefined],
      ['fast', 'fast (local directory)', undefined],
    ],
  );
});

test('a reader that is not one of the three is a config error', async () => {
  const { code, stderr } = await status('binary');
  assert.equal(code, 2);
  assert.match(stderr, /defaults\.reader: "binary" is not one of auto, builtin, restic/);
});

test('metrics carry the reader as a label where one answered', () => {
  const base: CheckResult = { name: 'web', status: 'up', mode: 'restic', reader: 'builtin', latest: null, latest_basis: null, age_seconds: null, max_age_seconds: 86400, message: 'ok', error: null, duration_ms: 1, checked_at: '2026-01-01T00:00:00.000Z', pushes: [] };
  assert.match(renderMetrics(talliesOf([base]), new Date('2026-01-01T00:00:01Z')), /^restic_monitor_up\{repository="web",mode="restic",reader="builtin"\} 1$/m);
});

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { LocalChecker } from '../../src/checkers/local/local.js';
import { describePlan, planCheck } from '../../src/checkers/plan.js';
import { RcloneChecker } from '../../src/checkers/rclone/rclone.js';
import { ResticChecker } from '../../src/checkers/restic/restic.js';
import { S3Checker } from '../../src/checkers/s3/checker.js';
import { chooseChecker } from '../../src/checkers/select.js';
import { parseConfig } from '../../src/config/parse.js';
import { runCli } from '../helpers/cli.js';
import { makeRepository, PASSWORD, resticTime, tempDir } from '../helpers/restic-repos.js';

const MODES = ['fast', 'auto', 'restic'] as const;

/** Every URL form with what validate must say for it in fast/auto mode; restic mode always says "restic". */
const URLS = (root: string): Array<[string, string, string]> => [
  ['s3', 's3:http://127.0.0.1:1/bucket/repo', 'fast (S3 listing)'],
  ['rest', 'rest:http://127.0.0.1:1/repo', 'restic (no fast mode for rest repositories)'],
  ['rclone', `rclone:nas:${root}/repo`, 'fast (rclone listing)'],
  ['rclone-path', `rclone:${root}/repo`, 'restic (fast mode needs rclone:REMOTE:PATH)'],
  ['local', `${root}/repo`, 'fast (local directory)'],
  ['local-prefix', `local:${root}/repo`, 'fast (local directory)'],
  ['sftp', `sftp:nobody@127.0.0.1:${root}/repo`, 'restic (no fast mode for sftp repositories)'],
];

let root: string;
let configPath: string;
let configText: string;

before(async () => {
  root = await tempDir('rm-plan-');
  await makeRepository(join(root, 'repo'), [{ time: resticTime(3_600_000) }]);
  await writeFile(join(root, 'rclone.conf'), '');
  const repositories = URLS(root).flatMap(([name, url]) => MODES.map((mode) => `  ${name}-${mode}: {url: "${url}", mode: ${mode}}`));
  configText = `defaults:
  timeout: 10s
  extra_env: {RCLONE_CONFIG_NAS_TYPE: local, RCLONE_CONFIG: ${join(root, 'rclone.conf')}}
repositories:
${repositories.join('\n')}
  filtered: {url: "s3:http://127.0.0.1:1/bucket/repo", mode: fast, tags: [daily]}
`;
  configPath = join(root, 'config.yaml');
  await writeFile(configPath, configText);
});

const expectedModes = (): Record<string, string> => ({
  ...Object.fromEntries(URLS(root).flatMap(([name, , fast]) => MODES.map((mode) => [`${name}-${mode}`, mode === 'restic' ? 'restic' : fast]))),
  filtered: 'restic (host/tags/paths filters need restic mode)',
});

test('validate prints the checker each URL gets under mode fast, auto and restic', async () => {
  const json = await runCli(['validate', '--json', '--config', configPath]);
  assert.equal(json.code, 0, json.stderr);
  const view = JSON.parse(json.stdout) as { repositories: Record<string, { mode: string }> };
  assert.deepEqual(Object.fromEntries(Object.entries(view.repositories).map(([name, repository]) => [name, repository.mode])), expectedModes());

  const text = await runCli(['validate', '--config', configPath]);
  assert.equal(text.code, 0, text.stderr);
  const modeLines = text.stdout.split('\n').filter((line) => line.startsWith('    mode: '));
  assert.deepEqual(modeLines, Object.values(expectedModes()).map((mode) => `    mode: ${mode}`), 'plain YAML, no quotes');
});

test('the run uses the checker validate names: status reports the same mode, and local repositories are up', async () => {
  const result = await runCli(['status', '--json', '--config', configPath], { env: { RESTIC_PASSWORD: PASSWORD } });
  assert.equal(result.code, 1, result.stderr);
  const rows = JSON.parse(result.stdout) as Array<{ name: string; mode: string; status: string; message: string }>;
  const expected = expectedModes();
  assert.deepEqual(
    Object.fromEntries(rows.map((row) => [row.name, row.mode])),
    Object.fromEntries(Object.entries(expected).map(([name, mode]) => [name, mode.split(' ')[0]])),
  );
  for (const row of rows.filter((r) => r.name.startsWith('local'))) assert.equal(row.status, 'up', `${row.name}: ${row.message}`);
});

test('chooseChecker takes the checker of the planned kind from the real checker list', () => {
  const config = parseConfig(configText.replaceAll('${', '$${'), {});
  const checkers = [new ResticChecker(), new S3Checker(), new LocalChecker(), new RcloneChecker()];
  for (const repository of config.checks) {
    const plan = planCheck(repository);
    const checker = chooseChecker(repository, checkers);
    assert.equal(checker.kind, plan.kind, repository.name);
    assert.equal(describePlan(plan), expectedModes()[repository.name], repository.name);
  }
});

test('planCheck: restic mode is restic whatever the URL; filters and unknown URLs fall back with a reason', () => {
  const plan = (url: string, mode: 'restic' | 'fast' | 'auto', extra: { host?: string; tags?: string[]; paths?: string[] } = {}) =>
    describePlan(planCheck({ url, mode, tags: [], paths: [], ...extra }));
  assert.equal(plan('s3:h/b', 'restic'), 'restic');
  assert.equal(plan('s3:h/b', 'auto', { host: 'web1' }), 'restic (host/tags/paths filters need restic mode)');
  assert.equal(plan('/srv/r', 'fast', { paths: ['/home'] }), 'restic (host/tags/paths filters need restic mode)');
  assert.equal(plan('s3:', 'fast'), 'restic (fast mode cannot read this s3 URL)');
  assert.equal(plan('b2:bucket/path', 'fast'), 'restic (no fast mode for b2 repositories)');
  assert.equal(plan('azure:c:/p', 'auto'), 'restic (no fast mode for azure repositories)');
  assert.equal(plan('rclone:remote:', 'fast'), 'fast (rclone listing)');
  assert.equal(plan('relative/path', 'fast'), 'fast (local directory)');
});

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDaemon, waitFor } from '../helpers/daemon-process.js';
import { runCli } from '../helpers/cli.js';
import { promtool } from '../helpers/promtool.js';
import { parsePrometheus } from '../helpers/prometheus.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { makeRepository, PASSWORD, resticTime, tempDir } from '../helpers/restic-repos.js';

// Every kind of sample the metrics can hold: an up repository, a stale one, a failed check
// (no timestamp), a push that fails (unknown token), names that need label escaping.
let receiver: PushReceiver;
let configText: string;
before(async () => {
  const dir = await tempDir('rm-promtool-metrics-');
  const [fresh, stale] = await Promise.all([
    makeRepository(join(dir, 'fresh'), [{ time: resticTime(3_600_000) }]),
    makeRepository(join(dir, 'stale'), [{ time: '2020-01-01 00:00:00' }]),
  ]);
  receiver = await startPushReceiver(['tok-fresh-4321', 'tok-stale-4321']);
  configText = [
    'listen: 127.0.0.1:0',
    'defaults:',
    '  interval: 1h',
    '  max_age: 1d',
    `  push_url: ${receiver.pushUrl}`,
    '  extra_env:',
    `    RESTIC_PASSWORD: ${PASSWORD}`,
    'repositories:',
    '  fresh:',
    `    url: ${fresh}`,
    '    push_token: tok-fresh-4321',
    '  stale:',
    `    url: ${stale}`,
    '    push_token: tok-stale-4321',
    '  missing:',
    `    url: ${join(dir, 'nothing-here')}`,
    '  \'odd "name" \\ here\':',
    `    url: ${fresh}`,
    '    push_token: tok-unknown-4321',
    '',
  ].join('\n');
});
after(() => receiver.close());

/** promtool's linter has nothing to say: exit 0 and no output. */
async function assertCleanMetrics(text: string): Promise<void> {
  const families = parsePrometheus(text);
  assert.ok(families.has('restic_monitor_push_failures_total') && families.has('restic_monitor_check_success'), 'the text holds the metrics');
  const check = await promtool(['check', 'metrics'], text);
  assert.deepEqual(check, { code: 0, output: '' });
}

test("promtool check metrics finds nothing to say about a live daemon's /metrics", async () => {
  const dir = await tempDir('rm-promtool-daemon-');
  const config = join(dir, 'config.yaml');
  await writeFile(config, configText);
  const daemon = await startDaemon(['-c', config]);
  try {
    await waitFor('every repository checked once', async () => ((await (await fetch(`${daemon.url}/status`)).json()) as unknown[]).length === 4);
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    assert.match(text, /^restic_monitor_config_last_reload_successful 1$/m, 'the daemon-only gauges are there too');
    assert.match(text, /^restic_monitor_push_failures_total\{repository="odd \\"name\\" \\\\ here",mode="restic",reader="builtin"\} 1$/m);
    await assertCleanMetrics(text);
  } finally {
    await daemon.stop();
  }
});

test('promtool check metrics finds nothing to say about a run --textfile output', async () => {
  const dir = await tempDir('rm-promtool-textfile-');
  const config = join(dir, 'config.yaml');
  await writeFile(config, configText);
  const textfile = join(dir, 'restic.prom');
  const run = await runCli(['run', '-c', config, '--textfile', textfile]);
  assert.equal(run.code, 1, run.stderr);
  const text = await readFile(textfile, 'utf8');
  assert.match(text, /^restic_monitor_check_success\{repository="missing",mode="restic",reader="builtin"\} 0$/m);
  await assertCleanMetrics(text);
});

test('the check is not vacuous: promtool does object to a badly named counter', async () => {
  const check = await promtool(['check', 'metrics'], '# HELP restic_monitor_pushes counter without its suffix\n# TYPE restic_monitor_pushes counter\nrestic_monitor_pushes 1\n');
  assert.deepEqual(check, { code: 3, output: 'restic_monitor_pushes counter metrics should have "_total" suffix\n' });
});

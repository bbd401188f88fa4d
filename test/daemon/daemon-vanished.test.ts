import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { getJson, startDaemon, waitFor } from '../helpers/daemon-process.js';
import { runCli } from '../helpers/cli.js';
import { parsePrometheus, sampleValue } from '../helpers/prometheus.js';
import { listSnapshots, makeRepository, PASSWORD, resticTime, tempDir } from '../helpers/restic-repos.js';

interface Row {
  name: string;
  status: string;
  message: string;
  reader?: string;
}

test('a repository removed while the daemon runs is "repository not found", as a one-shot run says; its last snapshot time stays in the metrics', async () => {
  const dir = await tempDir('rm-daemon-vanished-');
  const url = await makeRepository(join(dir, 'repo'), [{ time: resticTime(60_000) }]);
  const snapshotTime = Date.parse((await listSnapshots(url)).at(-1)!.time) / 1000;
  const config = join(dir, 'config.yaml');
  await writeFile(config, ['listen: 127.0.0.1:0', 'defaults:', '  interval: 1s', '  max_age: 1h', '  extra_env:', `    RESTIC_PASSWORD: ${PASSWORD}`, 'repositories:', '  vanishing:', `    url: ${url}`, ''].join('\n'));
  const labels = { check: 'vanishing', repository: 'vanishing' };
  const metrics = async (url: string) => parsePrometheus(await (await fetch(`${url}/metrics`)).text());
  const daemon = await startDaemon(['-c', config]);
  let rows: Row[] = [];
  try {
    await waitFor('an up check', async () => (rows = await getJson<Row[]>(`${daemon.url}/status`)).some((row) => row.status === 'up'));
    assert.equal(sampleValue(await metrics(daemon.url), 'restic_monitor_latest_snapshot_timestamp_seconds', labels), snapshotTime);

    await rm(url, { recursive: true, force: true });
    await waitFor('a down check', async () => (rows = await getJson<Row[]>(`${daemon.url}/status`)).some((row) => row.status === 'down'));
    const oneShot = await runCli(['status', '--json', '-c', config]);
    assert.equal(oneShot.code, 1, oneShot.stderr);
    const expected = { name: 'vanishing', status: 'down', message: `check failed: repository not found (no config file in ${url})`, reader: 'builtin' };
    const pick = ({ name, status, message, reader }: Row) => ({ name, status, message, reader });
    assert.deepEqual((JSON.parse(oneShot.stdout) as Row[]).map(pick), [expected]);
    assert.deepEqual(rows.map(pick), [expected]);

    const families = await metrics(daemon.url);
    assert.equal(sampleValue(families, 'restic_monitor_up', labels), 0);
    assert.equal(sampleValue(families, 'restic_monitor_check_success', labels), 0);
    assert.equal(sampleValue(families, 'restic_monitor_latest_snapshot_timestamp_seconds', labels), snapshotTime, 'the last known snapshot time is kept through the failed check');
    assert.ok(sampleValue(families, 'restic_monitor_snapshot_age_seconds', labels) > 0);
  } finally {
    const stopped = await daemon.stop('SIGTERM');
    assert.equal(stopped.code, 0, daemon.stderr());
  }
});

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { corruptedCopy, repositoryWithData } from '../helpers/damaged-repos.js';
import { getJson, logLines, startDaemon, waitFor } from '../helpers/daemon-process.js';
import { FIXTURES } from '../helpers/paths.js';
import { CLEAN_STOP_BOUND_MS } from '../../src/cli/signals.js';
import { parsePrometheus, sampleValue } from '../helpers/prometheus.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { PASSWORD, tempDir } from '../helpers/restic-repos.js';

// The daemon's integrity checks, end to end: a real daemon process, real restic (through a
// wrapper that logs each `check`), a real push receiver.
let receiver: PushReceiver;
let root: string;
let healthy: string;
let corrupted: string;
let pack: { id: string; now: string };
const TOKENS = ['tok-good-5678', 'tok-bad-5678', 'tok-other-5678'];

before(async () => {
  root = await tempDir('rm-daemon-integrity-');
  healthy = await repositoryWithData(join(root, 'healthy'), root);
  corrupted = join(root, 'corrupted');
  pack = await corruptedCopy(healthy, corrupted);
  receiver = await startPushReceiver(TOKENS);
});
after(() => receiver.close());

interface StatusRow {
  name: string;
  status: string;
  message: string;
  integrity?: { ok: boolean | null; checked_at: string | null; message: string };
}

function configText(repositories: Record<string, { url: string; token: string; integrity: string }>): string {
  const lines = ['listen: 127.0.0.1:0', 'concurrency: 2', 'defaults:', '  interval: 1s', '  max_age: 1h', `  push_url: ${receiver.pushUrl}`, '  extra_env:', `    RESTIC_PASSWORD: ${PASSWORD}`, 'repositories:'];
  for (const [name, { url, token, integrity }] of Object.entries(repositories)) lines.push(`  ${name}:`, `    url: ${url}`, `    push_token: ${token}`, `    integrity: ${integrity}`);
  return `${lines.join('\n')}\n`;
}

test('integrity checks run one at a time; a corrupted pack makes its repository down with restic\'s reason in the push, /status and metrics', async () => {
  const dir = await tempDir('rm-daemon-integrity-run-');
  const log = join(dir, 'checks.log');
  await writeFile(log, '');
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    configText({
      good: { url: healthy, token: 'tok-good-5678', integrity: '{interval: 1h, read_data_subset: 100%}' },
      bad: { url: corrupted, token: 'tok-bad-5678', integrity: '{interval: 1h, read_data_subset: 100%}' },
      other: { url: healthy, token: 'tok-other-5678', integrity: '{interval: 1h}' },
    }),
  );
  const daemon = await startDaemon(['-c', config], { RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-check-log.sh'), CHECK_LOG: log, CHECK_SLEEP: '0.3' });
  let rows: StatusRow[] = [];
  try {
    await waitFor(
      'every integrity result judged by a check',
      async () => {
        rows = await getJson<StatusRow[]>(`${daemon.url}/status`);
        return rows.length === 3 && rows.every((row) => row.integrity?.ok !== null && row.integrity?.ok !== undefined);
      },
      60_000,
    );
    const byName = new Map(rows.map((row) => [row.name, row]));
    const good = byName.get('good')!;
    assert.deepEqual([good.status, good.integrity!.ok, good.integrity!.message], ['up', true, 'no errors found (read 100% of the data)']);
    assert.deepEqual([byName.get('other')!.status, byName.get('other')!.integrity!.message], ['up', 'no errors found']);
    const bad = byName.get('bad')!;
    assert.equal(bad.status, 'down');
    assert.equal(bad.integrity!.ok, false);
    assert.ok(!Number.isNaN(Date.parse(bad.integrity!.checked_at!)));
    // restic 0.14's words, or 0.18+'s; integrity-restic.test.ts holds each version's exactly.
    const reason = `(Pack ID does not match, want ${pack.id}, got ${pack.now}|pack ${pack.id} contains .*)`;
    assert.match(bad.integrity!.message, new RegExp(`^${reason}$`));
    assert.match(bad.message, new RegExp(`^integrity check failed (just now|\\d+s ago): ${reason}; latest snapshot \\S+ ago$`));
    await waitFor('a down push for bad', () => receiver.beats.some((beat) => beat.token === 'tok-bad-5678' && beat.status === 'down' && beat.msg.startsWith('integrity check failed')));

    const families = parsePrometheus(await (await fetch(`${daemon.url}/metrics`)).text());
    const labels = (check: string) => ({ check, repository: check, mode: 'restic' });
    assert.equal(sampleValue(families, 'restic_monitor_integrity_ok', labels('good')), 1);
    assert.equal(sampleValue(families, 'restic_monitor_integrity_ok', labels('bad')), 0);
    assert.equal(sampleValue(families, 'restic_monitor_integrity_checked_timestamp_seconds', labels('bad')), Date.parse(bad.integrity!.checked_at!) / 1000);
  } finally {
    const stopped = await daemon.stop('SIGTERM');
    assert.equal(stopped.code, 0, daemon.stderr());
  }
  // One at a time: each check started after the one before it ended.
  const events = (await readFile(log, 'utf8')).trim().split('\n').map((line) => line.split(' '));
  assert.equal(events.length, 6, events.join('\n'));
  for (let i = 0; i < events.length; i += 2) {
    assert.deepEqual([events[i]![0], events[i + 1]![0], events[i]![1]], ['start', 'end', events[i + 1]![1]], 'a start, then its own end');
    if (i > 0) assert.ok(BigInt(events[i]![2]!) >= BigInt(events[i - 1]![2]!), 'started after the previous one ended');
  }
  const lines = logLines(daemon.stderr());
  assert.ok(lines.some((line) => line.repository === 'bad' && line.level === 50 && line.msg === `integrity check failed: ${rows.find((row) => row.name === 'bad')!.integrity!.message}`), 'the failure is logged');
  assert.ok(!daemon.stderr().includes(PASSWORD), 'no secret in the log');
});

/** A process that exists and is not a zombie (a killed child waits a moment for init to reap it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/\) Z /.test(stat);
}

test('SIGTERM while an integrity check hangs (and ignores SIGTERM): exit 0 within 10 s, no process left; /status showed it not checked yet', async () => {
  const dir = await tempDir('rm-daemon-integrity-term-');
  const pidsFile = join(dir, 'pids');
  await writeFile(pidsFile, '');
  const config = join(dir, 'config.yaml');
  await writeFile(config, configText({ good: { url: healthy, token: 'tok-good-5678', integrity: '{interval: 1h, timeout: 1h}' } }));
  const daemon = await startDaemon(['-c', config], { RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-check-log.sh'), CHECK_HANG: '1', HANG_PIDS: pidsFile });
  let pids: number[] = [];
  try {
    await waitFor('the hanging check and its child', async () => {
      pids = (await readFile(pidsFile, 'utf8')).split(/\s+/).filter(Boolean).map(Number);
      return pids.length === 2;
    });
    await waitFor('a freshness result', async () => (await getJson<StatusRow[]>(`${daemon.url}/status`)).length === 1);
    const [row] = await getJson<StatusRow[]>(`${daemon.url}/status`);
    assert.deepEqual([row!.status, row!.integrity], ['up', { ok: null, checked_at: null, message: 'not checked yet' }]);
  } catch (error) {
    await daemon.stop('SIGKILL');
    throw error;
  }
  const stopped = await daemon.stop('SIGTERM');
  assert.equal(stopped.code, 0, daemon.stderr());
  assert.ok(stopped.ms < CLEAN_STOP_BOUND_MS, `took ${stopped.ms} ms to exit (the stated bound: ${CLEAN_STOP_BOUND_MS} ms)`);
  // SIGKILLed with the daemon's exit; reparented to init, a child may take a moment to go.
  await waitFor('the check and its child to be gone', () => pids.every((pid) => !alive(pid)), 5_000);
  console.log(`# SIGTERM to exit with an integrity check running: ${stopped.ms} ms`);
});

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { startDaemon, waitFor } from '../helpers/daemon-process.js';
import { FIXTURES } from '../helpers/paths.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { tempDir } from '../helpers/restic-repos.js';

// More repositories in flight at once than Node's 10 listeners per signal: the daemon used to
// hang one abort listener per check on its one stop signal, and `run` one per restic process
// on the run's signal, and logged a MaxListenersExceededWarning at start-up.
const REPOSITORIES = 24;

let receiver: PushReceiver;
let config: string;
before(async () => {
  const tokens = Array.from({ length: REPOSITORIES }, (_, i) => `tok-listeners-${i}`);
  receiver = await startPushReceiver(tokens);
  const dir = await tempDir();
  config = join(dir, 'config.yaml');
  const repositories = tokens.map((token, i) => `  r${i}: {url: /srv/r${i}, push_token: ${token}}`).join('\n');
  await writeFile(config, `listen: 127.0.0.1:0\nconcurrency: ${REPOSITORIES}\ndefaults:\n  push_url: ${receiver.pushUrl}\nrepositories:\n${repositories}\n`);
});
after(() => receiver.close());

const env = { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-fresh') };

test('the daemon with two dozen checks in flight emits no warning', async () => {
  const daemon = await startDaemon(['-c', config], env);
  try {
    await waitFor('every repository pushed', () => new Set(receiver.beats.map((beat) => beat.token)).size === REPOSITORIES);
  } finally {
    const stopped = await daemon.stop();
    assert.equal(stopped.code, 0);
  }
  assert.doesNotMatch(daemon.stderr(), /Warning|warning:/, daemon.stderr().slice(0, 2000));
});

test('run with two dozen repositories at once emits no warning', async () => {
  const result = await runCli(['run', '--config', config], { env });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim().split('\n').length, REPOSITORIES);
  assert.doesNotMatch(result.stderr, /Warning|warning:/, result.stderr.slice(0, 2000));
});

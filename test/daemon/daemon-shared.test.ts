import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDaemon, waitFor } from '../helpers/daemon-process.js';
import { FIXTURES } from '../helpers/paths.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { makeRepository, PASSWORD, resticTime, tempDir } from '../helpers/restic-repos.js';

const TOKENS = { web1: 'tok-web1-shared', web2: 'tok-web2-shared', web3: 'tok-web3-shared' };
let receiver: PushReceiver;
let dir: string;
let repo: string;

before(async () => {
  dir = await tempDir('rm-daemon-shared-');
  repo = await makeRepository(join(dir, 'fleet'), [
    { host: 'web1', time: resticTime(60_000) },
    { host: 'web2', time: resticTime(120_000) },
    { host: 'web3', time: '2020-01-01 00:00:00' },
  ]);
  receiver = await startPushReceiver(Object.values(TOKENS));
});
after(() => receiver.close());

test('the daemon runs restic once per interval for all hosts of a shared repository', async () => {
  const config = join(dir, 'config.yaml');
  const counter = join(dir, 'restic-runs.txt');
  await writeFile(counter, '');
  const hosts = Object.entries(TOKENS).map(([host, token]) => `      ${host}: {push_token: ${token}}`);
  // Concurrency 1: the hosts' checks queue behind each other and still share the listing.
  await writeFile(
    config,
    ['concurrency: 1', 'defaults:', '  interval: 2s', '  max_age: 1h', `  push_url: ${receiver.pushUrl}`, `  extra_env: {RESTIC_PASSWORD: ${PASSWORD}}`, 'repositories:', '  fleet:', `    url: ${repo}`, '    hosts:', ...hosts, ''].join('\n'),
  );
  const daemon = await startDaemon(['-c', config], { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'counting-restic.sh'), RESTIC_COUNT_FILE: counter });
  const beats = (token: string) => receiver.beats.filter((beat) => beat.token === token);
  try {
    await waitFor('four beats for every host', () => Object.values(TOKENS).every((token) => beats(token).length >= 4), 60_000);
  } finally {
    assert.equal((await daemon.stop()).code, 0);
  }
  const runs = (await readFile(counter, 'utf8')).split('\n').filter(Boolean).length;
  const cycles = Math.max(...Object.values(TOKENS).map((token) => beats(token).length));
  // One restic run per cycle serves all three hosts (one more may have begun as it stopped).
  assert.ok(runs <= cycles + 1, `${runs} restic runs for ${cycles} cycles of 3 hosts`);
  assert.ok(beats(TOKENS.web1).every((beat) => beat.status === 'up' && beat.msg.startsWith('latest snapshot 1m')));
  assert.ok(beats(TOKENS.web3).every((beat) => beat.status === 'down' && beat.msg.startsWith('stale: latest snapshot')));
});

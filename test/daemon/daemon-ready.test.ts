import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Checker } from '../../src/checkers/checker.js';
import { main } from '../../src/cli/main.js';
import { parseConfig } from '../../src/config/parse.js';
import { runDaemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { logLines, startDaemon, waitFor } from '../helpers/daemon-process.js';
import { FIXTURES } from '../helpers/paths.js';
import { tempDir } from '../helpers/restic-repos.js';

const fresh: Checker = { mode: 'restic', kind: 'restic', supports: () => true, check: async () => ({ latest: new Date() }) };

/** runDaemon in this process, with `ready` recording what was true when it was called. */
function daemonWith(configText: string, ready: DaemonOptions['ready'], signal = new AbortController().signal, listen?: string) {
  const config = { ...parseConfig(configText, {}), ...(listen !== undefined && { listen }) };
  const hangup = new EventEmitter();
  let stderr = '';
  const exit = runDaemon({
    config,
    load: async () => config,
    checkers: [fresh],
    pushTargets: [],
    env: {},
    now: () => new Date(),
    stderr: { write: (text: string) => (stderr += text) },
    signal,
    hangup,
    ...(ready && { ready }),
  });
  return { exit, hangup, stderr: () => stderr };
}

test('READY goes out once, when the config is loaded, SIGHUP is handled and the endpoint answers', async () => {
  const stop = new AbortController();
  const seen: Array<{ hangupListeners: number; started: boolean; healthz: number }> = [];
  let daemon: ReturnType<typeof daemonWith> | undefined;
  daemon = daemonWith(
    'listen: 127.0.0.1:0\ndefaults:\n  interval: 1h\nrepositories:\n  a:\n    url: /srv/a\n',
    async () => {
      const url = /serving (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(daemon!.stderr())?.[1];
      const healthz = url === undefined ? 0 : (await fetch(`${url}/healthz`)).status;
      seen.push({ hangupListeners: daemon!.hangup.listenerCount('SIGHUP'), started: daemon!.stderr().includes('"msg":"daemon started'), healthz });
      return undefined;
    },
    stop.signal,
  );
  try {
    await waitFor('READY', () => seen.length > 0, 10_000);
  } finally {
    stop.abort();
    assert.equal(await daemon.exit, 0);
  }
  assert.deepEqual(seen, [{ hangupListeners: 1, started: true, healthz: 200 }]);
});

test('no READY when the daemon does not start: a bad listen (2), an address in use (1), a stop during start-up (0)', async () => {
  let calls = 0;
  const ready = async () => (calls++, undefined);
  // validate refuses such a listen; the daemon checks it again.
  assert.equal(await daemonWith('repositories:\n  a:\n    url: /srv/a\n', ready, undefined, '9469').exit, 2);
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  try {
    const port = (blocker.address() as { port: number }).port;
    assert.equal(await daemonWith(`listen: 127.0.0.1:${port}\nrepositories:\n  a:\n    url: /srv/a\n`, ready).exit, 1);
  } finally {
    blocker.close();
  }
  const stopped = new AbortController();
  stopped.abort();
  assert.equal(await daemonWith('repositories:\n  a:\n    url: /srv/a\n', ready, stopped.signal).exit, 0);
  assert.equal(calls, 0);
});

test('no READY when the config does not load: exit 2 before the daemon runs', async () => {
  const dir = await tempDir('rm-ready-');
  const config = join(dir, 'config.yaml');
  await writeFile(config, 'repositories:\n  a:\n    url: /srv/a\n    max_age: 6x\n');
  let calls = 0;
  let stderr = '';
  const code = await main(['daemon', '-c', config], {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text) },
    env: { NOTIFY_SOCKET: '/run/systemd/notify' },
    now: () => new Date(),
    signal: new AbortController().signal,
    hangup: new EventEmitter(),
    ready: async () => (calls++, undefined),
  });
  assert.equal(code, 2, stderr);
  assert.equal(calls, 0);
});

test('a real daemon under NOTIFY_SOCKET runs systemd-notify --ready once, with no secret in its environment; a failure is logged and changes nothing else', async () => {
  const dir = await tempDir('rm-ready-cli-');
  const config = join(dir, 'config.yaml');
  const envFile = join(dir, 'env');
  await writeFile(config, 'listen: 127.0.0.1:0\ndefaults:\n  interval: 1h\n  extra_env:\n    RESTIC_PASSWORD: ${REPO_PASSWORD}\nrepositories:\n  a:\n    url: /nonexistent/restic-monitor-repo\n');
  await writeFile(envFile, 'REPO_PASSWORD=pw-canary-in-env-file\n');
  const path = `${join(FIXTURES, 'notify')}:${process.env.PATH}`;

  const socket = join(dir, 'notify');
  const daemon = await startDaemon(['-c', config, '--environment-file', envFile], { NOTIFY_SOCKET: socket, PATH: path, AWS_SECRET_ACCESS_KEY: 'aws-canary' });
  try {
    await waitFor('systemd-notify to be run', async () => (await readFile(socket, 'utf8').catch(() => '')).endsWith('\n\n'), 15_000);
    // A reload is no new start: READY is not sent again.
    daemon.child.kill('SIGHUP');
    await waitFor('the reload', () => daemon.stderr().includes('"msg":"config reloaded"'), 15_000);
  } finally {
    assert.equal((await daemon.stop('SIGTERM')).code, 0, daemon.stderr());
  }
  const recorded = await readFile(socket, 'utf8');
  assert.equal(recorded.match(/^args: /gm)?.length, 1, recorded);
  assert.match(recorded, /^args: --ready$/m);
  assert.match(recorded, new RegExp(`^NOTIFY_SOCKET=${socket}$`, 'm'));
  assert.match(recorded, /^PATH=/m);
  assert.doesNotMatch(recorded, /canary/);
  assert.doesNotMatch(daemon.stderr(), /could not tell systemd/);

  const refused = await startDaemon(['-c', config, '--environment-file', envFile], { NOTIFY_SOCKET: join(dir, 'notify-refused'), PATH: path });
  try {
    await waitFor('the failure to be logged', () => refused.stderr().includes('could not tell systemd'), 15_000);
    const health = await fetch(`${refused.url}/healthz`);
    assert.equal(health.status, 200);
  } finally {
    assert.equal((await refused.stop('SIGTERM')).code, 0, refused.stderr());
  }
  const line = logLines(refused.stderr()).find((entry) => String(entry.msg).startsWith('could not tell systemd'))!;
  assert.equal(line.level, 50);
  assert.equal(line.msg, 'could not tell systemd the daemon is ready: systemd-notify --ready failed (exit 1): Failed to notify init system: Connection refused');
});

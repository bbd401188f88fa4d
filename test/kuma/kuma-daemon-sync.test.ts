import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { logLines, startDaemon, waitFor } from '../helpers/daemon-process.js';
import { startKumaStandIn, type KumaStandIn } from '../helpers/kuma-standin.js';

// kuma.sync: true: the daemon makes the monitors itself, at start, after a reload and after a
// discovery walk, and a Kuma it cannot reach never holds up the checks.
const PASSWORD = 'kuma-admin-password';
let dir: string;
let kuma: KumaStandIn;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rm-kuma-daemon-'));
  kuma = await startKumaStandIn({ password: PASSWORD });
});
after(async () => {
  await kuma.close();
  await rm(dir, { recursive: true, force: true });
});

/** A folder fast mode reads as a repository with one fresh snapshot. */
async function repository(path: string): Promise<void> {
  await mkdir(join(path, 'snapshots'), { recursive: true });
  await mkdir(join(path, 'keys'), { recursive: true });
  await writeFile(join(path, 'config'), 'x');
  await writeFile(join(path, 'snapshots', 'a'.repeat(64)), 'x');
}

async function config(name: string, url: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    `listen: 127.0.0.1:0
kuma:
  url: ${url}
  username: admin
  password: \${KUMA_PASSWORD}
  token_secret: 0123456789abcdef0123
  timeout: 2s
  sync: true
defaults:
  mode: fast
  interval: 1h
discover:
  - url: ${dir}/found
repositories:
  web: {url: ${dir}/web}
`,
  );
  return path;
}

const names = () => [...kuma.monitors.values()].map((monitor) => monitor.name).sort();

test('at start the daemon makes every monitor, the discovered ones too; a repository that appears gets one after a reload', async () => {
  await repository(join(dir, 'web'));
  await repository(join(dir, 'found', 'a'));
  const daemon = await startDaemon(['-c', await config('sync.yaml', kuma.url)], { KUMA_PASSWORD: PASSWORD });
  try {
    await waitFor('the monitors of web and the discovered a', () => names().join() === 'a,web', 20_000);
    // The checks push with the tokens the monitors were given.
    await waitFor('a beat on each', () => new Set(kuma.push.beats.map((beat) => beat.token)).size === 2, 20_000);
    await repository(join(dir, 'found', 'b'));
    daemon.child.kill('SIGHUP');
    await waitFor('the monitor of b, found after the reload', () => names().join() === 'a,b,web', 20_000);
    const synced = logLines(daemon.stderr()).filter((line) => String(line.msg).startsWith('kuma sync:'));
    assert.ok(synced.some((line) => line.msg === 'kuma sync: 1 created, 2 unchanged'), JSON.stringify(synced));
    assert.equal(daemon.stderr().includes(PASSWORD), false);
  } finally {
    assert.equal((await daemon.stop()).code, 0);
  }
});

test('Kuma unreachable: logged with the retry, and the checks run on', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  const daemon = await startDaemon(['-c', await config('down.yaml', `http://127.0.0.1:${port}`)], { KUMA_PASSWORD: PASSWORD });
  try {
    await waitFor('the sync failure in the log', () => /kuma sync failed, trying again in 5m/.test(daemon.stderr()), 20_000);
    const failure = logLines(daemon.stderr()).find((line) => String(line.msg).startsWith('kuma sync failed'))!;
    assert.equal(failure.msg, `kuma sync failed, trying again in 5m: cannot connect to Uptime Kuma at http://127.0.0.1:${port}: endpoint unreachable: 127.0.0.1:${port} refused the connection`);
    // The checks did not wait for Kuma: web was checked (its push failed, Kuma being down).
    await waitFor('web checked', async () => {
      const status = (await (await fetch(`${daemon.url}/status`)).json()) as Array<{ name: string; status: string }>;
      return status.some((row) => row.name === 'web' && row.status === 'up');
    }, 20_000);
  } finally {
    assert.equal((await daemon.stop()).code, 0);
  }
});

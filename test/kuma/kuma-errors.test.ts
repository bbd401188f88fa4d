import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Server } from 'socket.io';
import { runCli } from '../helpers/cli.js';
import { startKumaStandIn, type KumaStandIn } from '../helpers/kuma-standin.js';

// What a user sees when Kuma cannot be reached, is not Kuma, stalls or answers in a way this
// client does not know, and when the command line or the config cannot sync.
const PASSWORD = 'kuma-admin-password';
let dir: string;
let kuma: KumaStandIn;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rm-kuma-errors-'));
  kuma = await startKumaStandIn({ password: PASSWORD });
});
after(async () => {
  await kuma.close();
  await rm(dir, { recursive: true, force: true });
});

async function sync(url: string, args: string[] = [], extra = '') {
  const config = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(config, `kuma:\n  url: ${url}\n  username: admin\n  password: \${KUMA_PASSWORD}\n  token_secret: 0123456789abcdef0123\n  timeout: 2s\n${extra}repositories:\n  web: {url: ${dir}/web, mode: fast}\n`);
  return runCli(['-c', config, 'kuma', 'sync', ...args], { env: { KUMA_PASSWORD: PASSWORD } });
}

async function listen(server: { listen(port: number, host: string, done: () => void): unknown; address(): unknown }): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('Kuma unreachable: exit 1, the reason in the words the checks use', async () => {
  const server = createServer();
  const url = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  const result = await sync(url);
  assert.deepEqual([result.code, result.stdout, result.stderr], [1, '', `restic-monitor: cannot connect to Uptime Kuma at ${url}: endpoint unreachable: ${url.slice(7)} refused the connection\n`]);
});

test('a web server that is not Kuma: exit 1, it names the URL to check', async () => {
  const server = createServer((_req, res) => res.writeHead(404).end('not here'));
  const url = await listen(server);
  try {
    const result = await sync(url);
    assert.deepEqual([result.code, result.stderr], [1, `restic-monitor: cannot connect to Uptime Kuma at ${url}: ${url.slice(7)} answered HTTP 404 where Kuma's socket.io endpoint should be (is the URL Kuma's base URL?)\n`]);
  } finally {
    server.close();
  }
});

test('a socket.io server that never greets as Kuma does: exit 1 within the timeout', async () => {
  const http = createServer();
  const io = new Server(http);
  const url = await listen(http);
  try {
    const result = await sync(url);
    assert.deepEqual([result.code, result.stderr], [1, `restic-monitor: Uptime Kuma at ${url} sent no greeting within 2s (is it Uptime Kuma?)\n`]);
  } finally {
    await new Promise((resolve) => io.close(resolve));
  }
});

test('Kuma stops answering mid-sync: exit 1 once the timeout passes, naming the request', async () => {
  kuma.hang.add('getMonitorList');
  try {
    const result = await sync(kuma.url);
    assert.deepEqual([result.code, result.stderr], [1, `restic-monitor: Uptime Kuma at ${kuma.url} did not answer getMonitorList within 2s\n`]);
  } finally {
    kuma.hang.clear();
  }
});

test('a Kuma whose API answers differently: the step fails with what was missing, nothing is guessed', async () => {
  kuma.replies.set('add', { ok: true, msg: 'Added' });
  try {
    const result = await sync(kuma.url);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^FAILED +web +create: Uptime Kuma at ${kuma.url.replace(/\./g, '\\.')} created the monitor web but did not say its ID$`, 'm'));
    assert.match(result.stdout, /^1 failed$/m);
  } finally {
    kuma.replies.clear();
  }
  kuma.replies.set('add', { ok: false, msg: 'monitor limit reached' });
  try {
    const result = await sync(kuma.url);
    assert.match(result.stdout, new RegExp(`^FAILED +web +create: Uptime Kuma at \\S+: could not create the monitor web: monitor limit reached$`, 'm'));
  } finally {
    kuma.replies.clear();
  }
});

test('a discover: location that cannot be listed: sync says so, prunes nothing, and exits 1', async () => {
  const result = await sync(kuma.url, ['--prune'], `discover:\n  - url: ${dir}/no-such-folder\n`);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stderr, /^restic-monitor: discover\[0\]: .*no-such-folder could not be listed: its repositories may be missing from this sync$/m);
});

test('usage and config errors exit 2 with one clear line', async () => {
  const cases: Array<[string[], string]> = [
    [['kuma'], 'restic-monitor: kuma needs a subcommand: restic-monitor kuma sync'],
    [['kuma', 'push'], 'restic-monitor: unknown kuma subcommand "push" (try: kuma sync)'],
    [['run', '--prune'], 'restic-monitor: --prune works with kuma sync only, not run'],
    [['kuma', 'sync', '--prune=now'], 'restic-monitor: --prune=now: --prune pauses; --prune=delete deletes'],
    [['kuma', 'sync', '--prune', '--only', 'web'], 'restic-monitor: --prune needs every check to tell which are gone: drop --only'],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args);
    assert.deepEqual([result.code, result.stderr.split('\n')[0]], [2, message], args.join(' '));
  }
  const config = join(dir, 'no-kuma.yaml');
  await writeFile(config, `repositories:\n  web: {url: ${dir}/web}\n`);
  const none = await runCli(['-c', config, 'kuma', 'sync']);
  assert.deepEqual([none.code, none.stderr], [2, 'restic-monitor: kuma sync needs a kuma: block in the config (url, username, password)\n']);
  await writeFile(config, `kuma: {url: http://127.0.0.1:9, password: x}\nrepositories:\n  web: {url: ${dir}/web}\n`);
  const nameless = await runCli(['-c', config, 'kuma', 'sync']);
  assert.deepEqual([nameless.code, nameless.stderr], [2, 'restic-monitor: kuma sync needs kuma.username: the Kuma account to log in with\n']);
  await writeFile(config, `kuma: {url: http://127.0.0.1:9, username: admin, password: '\${KUMA_PASSWORD}'}\nrepositories:\n  web: {url: ${dir}/web}\n`);
  const unset = await runCli(['-c', config, 'kuma', 'sync'], { env: { KUMA_PASSWORD: undefined } });
  assert.deepEqual([unset.code, unset.stderr], [2, 'restic-monitor: kuma sync cannot log in:\n  kuma.password: environment variable KUMA_PASSWORD is not set\n']);
});

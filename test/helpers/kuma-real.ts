import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';

/**
 * A real Uptime Kuma, started from a source checkout that was built beside the project (its
 * `npm ci && npm run build`; KUMA_SOURCE=DIR names it), on 127.0.0.1 with an empty SQLite data
 * directory of its own, and its admin user made through socket.io `setup`, as its setup page
 * does. CI cannot build Kuma: there the suites use the stand-in (kuma-standin.ts).
 */
export interface RealKuma {
  url: string;
  version: string;
  username: string;
  password: string;
  close(): Promise<void>;
}

export const KUMA_ADMIN = { username: 'admin', password: 'kuma-admin-Passw0rd' } as const;

export async function startRealKuma(source: string, deadlineMs = 120_000): Promise<RealKuma> {
  const data = await mkdtemp(join(tmpdir(), 'rm-kuma-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['server/server.js'], {
    cwd: source,
    env: { ...process.env, DATA_DIR: `${data}/`, UPTIME_KUMA_DB_TYPE: 'sqlite', UPTIME_KUMA_PORT: String(port), UPTIME_KUMA_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (chunk) => (log = (log + chunk).slice(-20_000)));
  child.stderr!.on('data', (chunk) => (log = (log + chunk).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    await rm(data, { recursive: true, force: true });
  };
  try {
    await waitForHttp(url, deadlineMs, child, () => log);
    const version = await setUp(url);
    return { url, version, ...KUMA_ADMIN, close: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function setUp(url: string): Promise<string> {
  const socket = io(url, { reconnection: false, forceNew: true });
  try {
    await new Promise((resolve, reject) => {
      socket.once('info', resolve);
      socket.once('connect_error', reject);
    });
    const answer = (await socket.timeout(30_000).emitWithAck('setup', KUMA_ADMIN.username, KUMA_ADMIN.password)) as { ok?: boolean; msg?: string };
    if (answer.ok !== true) throw new Error(`Kuma's setup failed: ${answer.msg}`);
    const info = new Promise<{ version?: string }>((resolve) => socket.on('info', (value: { version?: string }) => value.version && resolve(value)));
    await socket.timeout(30_000).emitWithAck('login', { ...KUMA_ADMIN, token: '' });
    return (await info).version ?? 'unknown';
  } finally {
    socket.close();
  }
}

async function waitForHttp(url: string, deadlineMs: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Kuma exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${url}/api/entry-page`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Kuma did not answer within ${deadlineMs} ms:\n${log()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

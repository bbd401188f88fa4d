import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RestServer {
  url: string;
  close(): void;
}

/** restic's REST protocol over `root`, served by `rclone serve restic` on 127.0.0.1. */
export async function startRestServer(root: string): Promise<RestServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('rclone', ['serve', 'restic', root, '--addr', `127.0.0.1:${port}`], {
    stdio: 'ignore',
    env: { ...process.env, RCLONE_CONFIG: '/dev/null' },
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('rclone serve restic did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url: `http://127.0.0.1:${port}`, close: () => child.kill('SIGKILL') };
}

export interface WebdavServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  close(): void;
}

/** `root` over WebDAV with one login, served by `rclone serve webdav` on 127.0.0.1. */
export async function startWebdavServer(root: string, login: { user: string; pass: string }): Promise<WebdavServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('rclone', ['serve', 'webdav', root, '--addr', `127.0.0.1:${port}`, '--user', login.user, '--pass', login.pass], {
    stdio: 'ignore',
    env: { ...process.env, RCLONE_CONFIG: '/dev/null' },
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`); // 401 without the login: it is up
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('rclone serve webdav did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url: `http://127.0.0.1:${port}/`, close: () => child.kill('SIGKILL') };
}
